import Foundation
import GRDB

/// What the store holds for one cell of a study.
public struct StudyCellRecord: Sendable, Equatable {
    /// The content hash of the cell's resolved configuration.
    public var cellId: String
    /// The cell's run, once one was created.
    public var runId: RunIdentifier?
    /// Why the cell's last attempt failed; nil when it did not (or has not run).
    public var failure: String?

    public init(cellId: String, runId: RunIdentifier?, failure: String?) {
        self.cellId = cellId
        self.runId = runId
        self.failure = failure
    }
}

/// The outcome of ``RunStore/registerStudy(name:plan:)``.
public enum StudyRegistration: Sendable, Equatable {
    /// The study was new and is now recorded.
    case created
    /// The store holds the same plan under this name.
    case existing
    /// The store holds another plan under this name (nothing was written); `recorded` is its JSON.
    case different(recorded: String)
}

extension RunStore {
    /// Records the study `name` with its plan (canonical JSON), unless the store has it already: in one
    /// transaction, so two processes starting the same study agree, and a different plan under the same
    /// name changes nothing.
    public func registerStudy(name: String, plan: String) throws(RunStoreError) -> StudyRegistration {
        let timestamp = Timestamp.iso8601(Date())
        return try write("register study \(name)") { db in
            if let recorded = try String.fetchOne(db, sql: "SELECT plan FROM studies WHERE name = ?", arguments: [name])
            {
                return recorded == plan ? .existing : .different(recorded: recorded)
            }
            try db.execute(
                sql: "INSERT INTO studies (name, plan, created_at) VALUES (?, ?, ?)",
                arguments: [name, plan, timestamp])
            return .created
        }
    }

    /// The recorded plan (JSON) of study `name`, if the store has one.
    public func studyPlan(named name: String) throws(RunStoreError) -> String? {
        try read("read study \(name)") { db in
            try String.fetchOne(db, sql: "SELECT plan FROM studies WHERE name = ?", arguments: [name])
        }
    }

    /// Every cell record of study `name`, by cell id.
    public func studyCells(of name: String) throws(RunStoreError) -> [String: StudyCellRecord] {
        let rows = try read("read cells of study \(name)") { db in
            try Row.fetchAll(
                db, sql: "SELECT cell_id, run_id, failure FROM study_cells WHERE study = ? ORDER BY cell_id",
                arguments: [name])
        }
        var records: [String: StudyCellRecord] = [:]
        for row in rows {
            let cellId: String = row["cell_id"]
            let runText: String? = row["run_id"]
            records[cellId] = StudyCellRecord(
                cellId: cellId, runId: runText.flatMap(RunIdentifier.init),
                failure: row["failure"])
        }
        return records
    }

    /// Records cell `cellId` of study `name`: its run (kept when nil) and the failure of its last attempt
    /// (nil clears it). One transaction.
    public func recordStudyCell(study name: String, cellId: String, run: RunIdentifier?, failure: String?)
        throws(RunStoreError)
    {
        let timestamp = Timestamp.iso8601(Date())
        try write("record cell \(cellId) of study \(name)") { db in
            try db.execute(
                sql: """
                    INSERT INTO study_cells (study, cell_id, run_id, failure, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (study, cell_id) DO UPDATE SET
                        run_id = coalesce(excluded.run_id, study_cells.run_id),
                        failure = excluded.failure, updated_at = excluded.updated_at
                    """,
                arguments: [name, cellId, run?.rawValue, failure, timestamp])
        }
    }
}
