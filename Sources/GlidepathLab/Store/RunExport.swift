import Foundation
import Glidepath

/// Tidy exports of one run (`docs/lab.md`, "Where the protocol comes from": one row per step or per epoch, with the
/// run's identity on every row so files from many runs concatenate).
public enum RunExport {
    public enum Format: String, Sendable, CaseIterable {
        /// Comma-separated values with a header line; one `lr_<g>` column per parameter group, and for an
        /// optimizer with step-size estimates one `step_size_<i>` column per estimate.
        case csv
        /// One JSON object per line, sorted keys; rates as the array `learning_rates`, estimates as
        /// `step_sizes` (null without).
        case jsonl
    }

    public enum Table: String, Sendable, CaseIterable {
        case steps
        case epochs
        /// One row per landscape probe (``ProbeRecord``).
        case probes
    }

    /// The export text of `run`'s `table` in `format`, ending with a newline.
    ///
    /// Numbers are written in Swift's shortest round-trip form (`0.001`, `1e-05`), so they parse back to
    /// the stored doubles exactly; NaN is `nan` in CSV and `"NaN"` in JSON; an absent value is an empty
    /// CSV field or a JSON `null`.
    public static func export(_ run: RunRecord, from store: RunStore, table: Table, format: Format)
        throws(RunStoreError) -> String
    {
        var text = ""
        do {
            try export(run, from: store, table: table, format: format) { text += $0 }
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw .database(path: store.path, operation: "export run \(run.id)", message: "\(error)")
        }
        return text
    }

    /// Streams the export of `run`'s `table` to `write`, a line (or, for CSV, the header) at a time:
    /// the steps of a run are read with a database cursor, so a run of millions of steps is never held
    /// in memory. The text is exactly ``export(_:from:table:format:)``'s.
    ///
    /// - Throws: ``RunStoreError`` for the store, or whatever `write` throws.
    public static func export(
        _ run: RunRecord, from store: RunStore, table: Table, format: Format,
        to write: (String) throws -> Void
    ) throws {
        let identity: [(String, Field)] = [
            ("run_id", .text(run.id.rawValue)), ("task", .text(run.task)),
            ("scheduler", .text(run.scheduler)), ("seed", .unsigned(run.seed)),
        ]
        if table == .steps {
            let (groupCount, estimateCount) = try store.stepColumnCounts(of: run.id)
            if format == .csv {
                try write(csvHeader(groupCount: groupCount, estimateCount: estimateCount, table: table))
            }
            try store.forEachStep(of: run.id) { step in
                let row =
                    identity + [
                        ("epoch", .integer(step.epoch)), ("step", .integer(step.step)),
                        ("loss", .number(step.loss)), ("gradient_norm", .optionalNumber(step.gradientNorm)),
                        ("learning_rates", .numbers(step.learningRates)),
                        ("step_sizes", .estimates(step.stepSizes)),
                    ]
                switch format {
                case .csv: try write(csvLine(row, groupCount: groupCount, estimateCount: estimateCount))
                case .jsonl: try write(jsonLine(row))
                }
            }
            return
        }
        var rows: [[(String, Field)]] = []
        var groupCount = 0
        var estimateCount = 0
        switch table {
        case .steps:
            return
        case .epochs:
            for epoch in try store.epochs(of: run.id) {
                groupCount = max(groupCount, epoch.learningRates.count)
                estimateCount = max(estimateCount, epoch.stepSizes?.count ?? 0)
                rows.append(
                    identity + [
                        ("epoch", .integer(epoch.epoch)), ("train_loss", .number(epoch.trainLoss)),
                        ("validation_loss", .number(epoch.validationLoss)),
                        ("validation_accuracy", .number(epoch.validationAccuracy)),
                        ("validation_f1", .number(epoch.validationF1)),
                        ("validation_auc", .optionalNumber(epoch.validationAUC)),
                        ("train_seconds", .number(epoch.trainSeconds)),
                        ("evaluation_seconds", .number(epoch.evaluationSeconds)),
                        ("top_eigenvalue", .optionalNumber(epoch.topEigenvalue)),
                        ("hessian_trace", .optionalNumber(epoch.hessianTrace)),
                        ("learning_rates", .numbers(epoch.learningRates)),
                        ("step_sizes", .estimates(epoch.stepSizes)),
                    ])
            }
        case .probes:
            rows = try store.probes(of: run.id).map { identity + probeRow($0) }
        }
        switch format {
        case .csv:
            try write(csvHeader(groupCount: groupCount, estimateCount: estimateCount, table: table))
            for row in rows { try write(csvLine(row, groupCount: groupCount, estimateCount: estimateCount)) }
        case .jsonl:
            for row in rows { try write(jsonLine(row)) }
        }
    }

    enum Field {
        case text(String)
        case integer(Int)
        case unsigned(UInt64)
        case number(Double)
        case optionalNumber(Double?)
        case numbers([Double])
        /// Step-size estimates: CSV columns `step_size_<i>` (none when no row has any), JSON array or null.
        case estimates([Double]?)
    }

    /// The CSV header line, with its newline.
    private static func csvHeader(groupCount: Int, estimateCount: Int, table: Table) -> String {
        let fixed =
            table == .probes
            ? ["run_id", "task", "scheduler", "seed"] + probeColumns
            : table == .steps
                ? ["run_id", "task", "scheduler", "seed", "epoch", "step", "loss", "gradient_norm"]
                : [
                    "run_id", "task", "scheduler", "seed", "epoch", "train_loss", "validation_loss",
                    "validation_accuracy",
                    "validation_f1", "validation_auc", "train_seconds", "evaluation_seconds", "top_eigenvalue",
                    "hessian_trace",
                ]
        return (fixed + (0..<groupCount).map { "lr_\($0)" } + (0..<estimateCount).map { "step_size_\($0)" })
            .joined(separator: ",") + "\n"
    }

    /// One CSV row, with its newline.
    private static func csvLine(_ row: [(String, Field)], groupCount: Int, estimateCount: Int) -> String {
        var cells: [String] = []
        for (_, field) in row {
            switch field {
            case .text(let value): cells.append(csvQuoted(value))
            case .integer(let value): cells.append(String(value))
            case .unsigned(let value): cells.append(String(value))
            case .number(let value): cells.append(csvNumber(value))
            case .optionalNumber(let value): cells.append(value.map(csvNumber) ?? "")
            case .numbers(let values):
                cells += (0..<groupCount).map { $0 < values.count ? csvNumber(values[$0]) : "" }
            case .estimates(let values):
                let values = values ?? []
                cells += (0..<estimateCount).map { $0 < values.count ? csvNumber(values[$0]) : "" }
            }
        }
        return cells.joined(separator: ",") + "\n"
    }

    private static func jsonLine(_ row: [(String, Field)]) -> String {
        var object: [String: StateValue] = [:]
        for (name, field) in row {
            switch field {
            case .text(let value): object[name] = .string(value)
            case .integer(let value): object[name] = .int(value)
            // StateValue has no unsigned case: a seed above Int.max is written as a decimal string.
            case .unsigned(let value): object[name] = Int(exactly: value).map(StateValue.int) ?? .string(String(value))
            case .number(let value): object[name] = .double(value)
            case .optionalNumber(let value): object[name] = value.map(StateValue.double) ?? .null
            case .numbers(let values): object[name] = .array(values.map(StateValue.double))
            case .estimates(let values): object[name] = values.map { .array($0.map(StateValue.double)) } ?? .null
            }
        }
        // StateValue encodes with sorted keys and string forms for non-finite doubles; it cannot fail.
        let data = (try? StateCoding.encoder().encode(StateValue.object(object))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func csvNumber(_ value: Double) -> String {
        value.isNaN ? "nan" : (value.isInfinite ? (value > 0 ? "inf" : "-inf") : "\(value)")
    }

    private static func csvQuoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
