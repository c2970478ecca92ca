import Foundation
import GRDB
import Glidepath
import GlidepathNN

extension RunStoreSchema {
    /// Schema version 2: one row per landscape probe. The headline estimates are columns (for SQL queries
    /// and exports); `measurement` holds the whole ``ProbeMeasurement`` (per-layer values, spreads,
    /// iteration counts and residuals) and `decision` the landscape scheduler's decision, as JSON.
    static let probesTable = """
        CREATE TABLE probes (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            step INTEGER NOT NULL CHECK (step >= 1),
            epoch INTEGER NOT NULL CHECK (epoch >= 1),
            loss REAL,
            gradient_norm REAL,
            lambda_max REAL,
            preconditioned_lambda_max REAL,
            trace REAL,
            noise_scale REAL,
            quadratic_step REAL,
            gradient_evaluations INTEGER NOT NULL CHECK (gradient_evaluations >= 0),
            hessian_vector_products INTEGER NOT NULL CHECK (hessian_vector_products >= 0),
            seconds REAL NOT NULL,
            measurement TEXT NOT NULL,
            decision TEXT,
            PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        """
}

extension RunStore {
    /// Appends probe records to `run` in one transaction.
    /// - Throws: ``RunStoreError/unknownRun(path:runId:)``, ``RunStoreError/invalidRecord(path:field:value:reason:)``
    ///   for a step or epoch < 1, ``RunStoreError/database(path:operation:message:)`` (a step already stored).
    public func recordProbes(_ records: [ProbeRecord], of run: RunIdentifier) throws(RunStoreError) {
        let encoder = StateCoding.encoder()
        var rows: [(ProbeRecord, String, String?)] = []
        for record in records {
            guard record.step >= 1, record.epoch >= 1 else {
                throw .invalidRecord(
                    path: path, field: "probes.step", value: "\(record.step)", reason: "step and epoch must be ≥ 1")
            }
            let decision = try record.decision.map { (d) throws(RunStoreError) in
                try encodeJSON(d, field: "probes.decision", encoder: encoder)
            }
            rows.append(
                (record, try encodeJSON(record.measurement, field: "probes.measurement", encoder: encoder), decision))
        }
        let path = self.path
        try write("record probes of run \(run)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [run.rawValue]) != nil
            else { throw RunStoreError.unknownRun(path: path, runId: run.rawValue) }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO probes (run_id, step, epoch, loss, gradient_norm, lambda_max, preconditioned_lambda_max,
                                        trace, noise_scale, quadratic_step, gradient_evaluations, hessian_vector_products,
                                        seconds, measurement, decision)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (record, measurement, decision) in rows {
                let m = record.measurement
                func value(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
                try insert.execute(arguments: [
                    run.rawValue, record.step, record.epoch, value(m.loss.value), value(m.gradientNorm.value),
                    value(m.lambdaMax?.value.value), value(m.preconditionedLambdaMax?.value.value),
                    value(m.trace?.value),
                    value(m.noiseScale?.value), value(m.quadraticStep), m.cost.gradientEvaluations,
                    m.cost.hessianVectorProducts, m.cost.seconds, measurement, decision,
                ])
            }
        }
    }

    /// The probes of `run`, in step order.
    public func probes(of run: RunIdentifier) throws(RunStoreError) -> [ProbeRecord] {
        let rows = try read("read probes of \(run)") { db in
            try Row.fetchAll(
                db, sql: "SELECT step, epoch, measurement, decision FROM probes WHERE run_id = ? ORDER BY step",
                arguments: [run.rawValue])
        }
        return try rows.map { (row) throws(RunStoreError) in
            let r = StoredRow(row: row, table: "probes", run: run, path: path)
            let decisionText: String? = try r.optional("decision")
            return ProbeRecord(
                step: try r.value("step"), epoch: try r.value("epoch"),
                measurement: try decodeJSON(
                    ProbeMeasurement.self, try r.value("measurement"), field: "probes.measurement"),
                decision: try decisionText.map { (text) throws(RunStoreError) in
                    try decodeJSON(LandscapeDecision.self, text, field: "probes.decision")
                })
        }
    }
}
