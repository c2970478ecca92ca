import GRDB

extension RunStoreSchema {
    /// Every table of the current schema with its columns, in schema order, read from an in-memory
    /// database built by ``migrator`` itself: the one definition of the schema, so this list cannot drift
    /// from the migrations. GRDB's own bookkeeping table (`grdb_migrations`) is not part of it.
    static let expectedTables: Result<[(table: String, columns: [String])], DatabaseError> = {
        do {
            let scratch = try DatabaseQueue()
            try migrator.migrate(scratch)
            return .success(try scratch.read(tablesAndColumns))
        } catch let error as DatabaseError {
            return .failure(error)
        } catch {
            return .failure(DatabaseError(message: "\(error)"))
        }
    }()

    /// The tables (other than SQLite's and GRDB's own) of `db` and their columns, in creation order.
    static func tablesAndColumns(_ db: Database) throws -> [(table: String, columns: [String])] {
        let names = try String.fetchAll(
            db,
            sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY rowid
                """)
        return try names.map { name in
            (
                name,
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
            )
        }
    }

    /// What the store in `db` lacks of the current schema: `table T` for a missing table, `column T.C` for
    /// a missing column (extra tables and columns are allowed). Empty when the schema is complete.
    ///
    /// A store whose schema version says "current" but that lacks a table (dropped with `sqlite3`, say)
    /// would otherwise fail only when a run first writes to that table — after training started, with a
    /// half-recorded run. Opening checks this first, so such a store is refused before anything is written.
    static func missingObjects(in db: Database) throws -> [String] {
        let expected = try expectedTables.get()
        let present = Dictionary(try tablesAndColumns(db).map { ($0.table, Set($0.columns)) }) { first, _ in first }
        var missing: [String] = []
        for (table, columns) in expected {
            guard let found = present[table] else {
                missing.append("table \(table)")
                continue
            }
            missing += columns.filter { !found.contains($0) }.map { "column \(table).\($0)" }
        }
        return missing
    }
}

extension RunStore {
    /// Refuses a store that lacks a table or column of the current schema
    /// (``RunStoreError/incompleteSchema(path:missing:)``), reading only.
    static func checkSchema(of database: some DatabaseReader, path: String) throws(RunStoreError) {
        let missing: [String]
        do {
            missing = try database.read { db in try RunStoreSchema.missingObjects(in: db) }
        } catch let error as DatabaseError {
            throw storeError(error, path: path, operation: "check the schema")
        } catch {
            throw .database(path: path, operation: "check the schema", message: "\(error)")
        }
        if !missing.isEmpty { throw .incompleteSchema(path: path, missing: missing) }
    }
}
