import Foundation
import Glidepath
import GlidepathLab

/// The text of `glidepath runs list` and `runs show`: fixed formats, golden-tested.
enum RunsText {
    static func list(_ runs: [RunRecord], storePath: String) -> String {
        guard !runs.isEmpty else { return "no runs in \(storePath)\n" }
        let header = ["ID", "TASK", "SCHEDULER", "SEED", "STATUS", "EPOCHS", "BEST VAL LOSS", "CREATED"]
        let rows = runs.map { run in
            [
                run.id.rawValue, run.task, run.scheduler, String(run.seed), run.status.rawValue,
                "\(run.epochsCompleted)/\(run.epochsConfigured)",
                run.bestValidationLoss.map(ProgressFormat.loss) ?? "-", iso8601(run.createdAt),
            ]
        }
        return table([header] + rows)
    }

    static func show(
        _ run: RunRecord, epochs: [EpochRecord], checkpoints: [CheckpointRecord], analysis: RunAnalysis,
        target: Double?
    ) throws -> String {
        var lines: [String] = []
        let code = run.codeVersion
        let commit = code.commit.map { "commit \($0)" + (code.dirty == true ? " (modified)" : "") } ?? "no git commit"
        let machine = run.machine
        let environment = machine.threads.environment.keys.sorted().map {
            "\($0)=\(machine.threads.environment[$0] ?? "")"
        }
        let load =
            machine.loadAverages.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "unknown"
        lines += table([
            ["run", run.id.rawValue], ["task", run.task], ["scheduler", run.scheduler], ["seed", String(run.seed)],
            ["status", run.status.rawValue], ["epochs", "\(run.epochsCompleted)/\(run.epochsConfigured)"],
            ["created", iso8601(run.createdAt)], ["updated", iso8601(run.updatedAt)],
            ["code", "glidepath \(code.package), \(commit)"],
            [
                "machine",
                "\(machine.cpuModel), \(machine.logicalCores) cores, "
                    + String(format: "%.1f GiB", Double(machine.memoryBytes) / 1_073_741_824)
                    + ", \(machine.operatingSystem), kernel \(machine.kernel)",
            ],
            [
                "threads",
                "\(machine.threads.computeThreads)"
                    + (environment.isEmpty ? "" : " (" + environment.joined(separator: ", ") + ")"),
            ],
            ["load", load],
        ]).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        lines.append("")
        lines.append("configuration:")
        lines += try prettyJSON(run.configurationJSON).map { "  " + $0 }
        lines.append("")
        if epochs.isEmpty {
            lines.append("epochs: none")
        } else {
            lines.append("epochs:")
            // An optimizer with an internal step-size estimate (Prodigy's d, DoG's η) gets a column for it.
            let estimates = epochs.contains { $0.stepSizes != nil }
            let header =
                ["EPOCH", "TRAIN LOSS", "VAL LOSS", "VAL ACC", "VAL F1", "VAL AUC", "LR"]
                + (estimates ? ["STEP SIZE"] : []) + ["TRAIN", "EVAL"]
            let rows = epochs.map { (epoch: EpochRecord) -> [String] in
                var row = [
                    String(epoch.epoch), ProgressFormat.loss(epoch.trainLoss),
                    ProgressFormat.loss(epoch.validationLoss),
                    ProgressFormat.metric(epoch.validationAccuracy), ProgressFormat.metric(epoch.validationF1),
                    epoch.validationAUC.map(ProgressFormat.metric) ?? "-",
                    epoch.learningRates.map(ProgressFormat.rate).joined(separator: " "),
                ]
                if estimates {
                    let sizes: [Double] = epoch.stepSizes ?? []
                    row.append(sizes.isEmpty ? "-" : sizes.map(ProgressFormat.rate).joined(separator: " "))
                }
                row.append(ProgressFormat.seconds(epoch.trainSeconds))
                row.append(ProgressFormat.seconds(epoch.evaluationSeconds))
                return row
            }
            lines += table([header] + rows).split(separator: "\n").map { "  " + $0 }
        }
        lines.append("")
        lines.append("summary:")
        lines += table(summary(analysis, target: target)).split(separator: "\n").map { "  " + $0 }
        lines.append("")
        if checkpoints.isEmpty {
            lines.append("checkpoints: none")
        } else {
            lines.append("checkpoints:")
            let header = ["STEP", "EPOCH", "REASON", "BYTES", "CHECKSUM", "PATH"]
            let rows = checkpoints.map {
                [String($0.step), String($0.epoch), $0.reason.rawValue, String($0.byteCount), $0.checksum, $0.path]
            }
            lines += table([header] + rows).split(separator: "\n").map { "  " + $0 }
        }
        lines.append("")
        if let result = run.resultJSON {
            lines.append("result:")
            lines += try prettyJSON(result).map { "  " + $0 }
        } else {
            lines.append("result: none yet")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func summary(_ analysis: RunAnalysis, target: Double?) -> [[String]] {
        func stability(_ value: LossStability?) -> String {
            guard let value else { return "-" }
            return "variance \(String(format: "%.4g", value.variance)), spikes \(value.spikeCount), "
                + "total variation \(ProgressFormat.loss(value.totalVariation))"
        }
        let best =
            analysis.bestValidationLoss.map { "\(ProgressFormat.loss($0)) (epoch \(analysis.bestEpoch ?? 0))" } ?? "-"
        let targetText: String
        if let target {
            targetText =
                ProgressFormat.loss(target)
                + (analysis.targetReach.map {
                    " reached after \($0.epochs) epoch\($0.epochs == 1 ? "" : "s"), \(ProgressFormat.seconds($0.trainingSeconds)) training"
                } ?? " not reached")
        } else {
            targetText = "none"
        }
        let rates =
            analysis.rateChanges.map {
                "\($0.adjustmentCount) adjustments, mean |Δ ln η| \(String(format: "%.4g", $0.meanMagnitude)), "
                    + "max \(String(format: "%.4g", $0.maximumMagnitude))"
                    + ($0.zeroCrossings > 0 ? ", \($0.zeroCrossings) to or from 0" : "")
            } ?? "-"
        let divergence =
            analysis.divergence.map { event in
                "epoch \(event.epoch)" + (event.step.map { " step \($0)" } ?? "") + ": \(event.reason)"
            } ?? "none"
        return [
            ["best val loss", best], ["target", targetText],
            [
                "time",
                "\(ProgressFormat.seconds(analysis.trainingSeconds)) training, "
                    + "\(ProgressFormat.seconds(analysis.evaluationSeconds)) evaluation",
            ],
            ["train loss", stability(analysis.trainLossStability)],
            ["val loss", stability(analysis.validationLossStability)],
            ["rate changes", rates], ["divergence", divergence],
        ]
    }

    /// Left-aligned columns separated by two spaces; no trailing spaces.
    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func prettyJSON(_ text: String) throws -> [String] {
        let value = try StateCoding.decoder().decode(StateValue.self, from: Data(text.utf8))
        let encoder = StateCoding.encoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Foundation prints an empty object as "{", a blank line, "}": drop the blank line.
        return String(decoding: try encoder.encode(value), as: UTF8.self).components(separatedBy: "\n")
            .filter { !$0.allSatisfy(\.isWhitespace) }
    }

    private static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
