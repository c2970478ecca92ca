import Foundation
import GRDB

/// One run to import from another store (``RunStore/importStudyCells(from:study:cells:)``).
public struct StudyCellImport: Sendable, Equatable {
    /// The cell of the study the run belongs to.
    public var cellId: String
    /// The run's identifier in the source store.
    public var run: RunIdentifier

    public init(cellId: String, run: RunIdentifier) {
        self.cellId = cellId
        self.run = run
    }
}

extension RunStore {
    /// The tables whose rows belong to a run (`run_id` column) and are copied with it. Checkpoints are not:
    /// their files stay with the source store, and an imported run is finished.
    static let runChildTables = ["epochs", "steps", "probes"]

    /// Copies the runs of `cells` from `source` into this store, and records each as its cell of study
    /// `study` (which must be registered here), all in one transaction: on any error nothing is written.
    ///
    /// A run keeps its identifier when this store has no run of that identifier; otherwise it gets the next
    /// free counter of the same second (as ``createRun(configuration:codeVersion:machine:)`` allocates), so
    /// shards whose runs were created in the same second never collide. Every column is copied as stored
    /// (the same schema version on both sides), so results are bit-identical to the source's.
    ///
    /// - Returns: the identifier each imported run has here, by cell id.
    ///
    /// `failures` (reason by cell id) are recorded in the same transaction for cells that failed in the
    /// source: the cell's record gets the reason (its run here, if any, is kept), as
    /// ``recordStudyCell(study:cellId:run:failure:)`` records a local failure.
    public func importStudyCells(
        from source: RunStore, study: String, cells: [StudyCellImport],
        failures: [String: String] = [:]
    )
        throws(RunStoreError) -> [String: RunIdentifier]
    {
        // Read everything first (the source is another file), then write it in one transaction.
        var runsToCopy: [(cell: StudyCellImport, run: Row, children: [String: [Row]])] = []
        for cell in cells {
            let copy = try source.read("read run \(cell.run) to import") { db -> (Row, [String: [Row]])? in
                guard
                    let run = try Row.fetchOne(
                        db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [cell.run.rawValue])
                else { return nil }
                var children: [String: [Row]] = [:]
                for table in Self.runChildTables {
                    children[table] = try Row.fetchAll(
                        db, sql: "SELECT * FROM \(table) WHERE run_id = ?",
                        arguments: [cell.run.rawValue])
                }
                return (run, children)
            }
            guard let copy else { throw .unknownRun(path: source.path, runId: cell.run.rawValue) }
            runsToCopy.append((cell, copy.0, copy.1))
        }
        let timestamp = Timestamp.iso8601(Date())
        let path = self.path
        return try write("import \(cells.count) runs of study \(study) from \(source.path)") { db in
            var imported: [String: RunIdentifier] = [:]
            for (cell, run, children) in runsToCopy {
                let identifier = try Self.freeIdentifier(for: cell.run, in: db, path: path)
                try Self.insert(run, into: "runs", in: db, replacing: "id", with: identifier.rawValue)
                if identifier != cell.run {
                    // The result records its run's identifier: the renamed run's result names the new one.
                    try db.execute(
                        sql: "UPDATE runs SET result = replace(result, ?, ?) WHERE id = ?",
                        arguments: [
                            "\"runId\":\"\(cell.run.rawValue)\"", "\"runId\":\"\(identifier.rawValue)\"",
                            identifier.rawValue,
                        ])
                }
                for table in Self.runChildTables {
                    for row in children[table] ?? [] {
                        try Self.insert(row, into: table, in: db, replacing: "run_id", with: identifier.rawValue)
                    }
                }
                try db.execute(
                    sql: """
                        INSERT INTO study_cells (study, cell_id, run_id, failure, updated_at) VALUES (?, ?, ?, NULL, ?)
                        ON CONFLICT (study, cell_id) DO UPDATE SET
                            run_id = excluded.run_id, failure = NULL, updated_at = excluded.updated_at
                        """,
                    arguments: [study, cell.cellId, identifier.rawValue, timestamp])
                imported[cell.cellId] = identifier
            }
            for (cellId, reason) in failures.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: """
                        INSERT INTO study_cells (study, cell_id, run_id, failure, updated_at) VALUES (?, ?, NULL, ?, ?)
                        ON CONFLICT (study, cell_id) DO UPDATE SET
                            failure = excluded.failure, updated_at = excluded.updated_at
                        """,
                    arguments: [study, cellId, reason, timestamp])
            }
            return imported
        }
    }

    /// Every study recorded in this store: its plan (JSON) by name.
    public func studies() throws(RunStoreError) -> [String: String] {
        let rows = try read("read the studies") { db in try Row.fetchAll(db, sql: "SELECT name, plan FROM studies") }
        var studies: [String: String] = [:]
        for row in rows { studies[row["name"]] = row["plan"] }
        return studies
    }

    /// `wanted` if no run here has it, else the next free counter in its second.
    private static func freeIdentifier(for wanted: RunIdentifier, in db: Database, path: String) throws -> RunIdentifier
    {
        let taken =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)",
                arguments: [wanted.rawValue]) ?? false
        if !taken { return wanted }
        let prefix = String(wanted.rawValue.prefix(15))
        let last = try String.fetchOne(db, sql: "SELECT max(id) FROM runs WHERE id LIKE ?", arguments: [prefix + "-%"])
        let counter = (last.flatMap { RunIdentifier($0)?.counter } ?? 0) + 1
        guard counter <= 9999, let identifier = RunIdentifier(prefix + "-" + Timestamp.pad(counter, 4)) else {
            throw RunStoreError.runIdentifiersExhausted(path: path, prefix: prefix)
        }
        return identifier
    }

    /// Inserts `row` (read from the same table of a store of the same schema) with `column` set to `value`.
    private static func insert(
        _ row: Row, into table: String, in db: Database, replacing column: String, with value: String
    )
        throws
    {
        let names = Array(row.columnNames)
        var values: [DatabaseValue] = Array(row.databaseValues)
        for (index, name) in names.enumerated() where name == column { values[index] = value.databaseValue }
        let columns = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        try db.execute(
            sql: "INSERT INTO \(table) (\(columns)) VALUES (\(marks))", arguments: StatementArguments(values))
    }

    /// Writes a consistent copy of this store to `destination` atomically: SQLite's `VACUUM INTO` a
    /// temporary file next to it (a single file, no WAL), then a rename over `destination`. A reader of
    /// `destination` sees the old file or the whole new one, never a part.
    public func snapshot(to destination: String) throws(RunStoreError) {
        let temporary = destination + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            // VACUUM runs outside any transaction: a connection of its own, not the store's pool.
            let queue = try DatabaseQueue(path: path)
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            try queue.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            let message = (error as? DatabaseError)?.message ?? "\(error)"
            throw .database(path: path, operation: "copy the store to \(temporary)", message: message)
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .database(path: path, operation: "rename \(temporary) to \(destination)", message: reason)
        }
    }
}
