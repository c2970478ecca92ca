import GRDB

/// The run store's schema and its migrations.
///
/// The schema version is SQLite's `PRAGMA user_version`; the store's identity is `PRAGMA application_id`
/// = 0x47504C42 ("GPLB"). Each migration runs in its own transaction and sets `user_version` to its
/// number, so a store is never left between two versions. To change the schema: append a migration
/// (never edit a shipped one), bump ``RunStoreSchema/version``, and re-record the schema golden file
/// (`Tests/GlidepathLabTests/Golden/run-store-schema.sql`).
enum RunStoreSchema {
    /// The schema version this build reads and writes.
    static let version = 4

    /// "GPLB" as a big-endian 32-bit integer.
    static let applicationID: Int32 = 0x4750_4C42

    /// The migrator with every migration in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, epochs, steps, checkpoints") { db in
            try db.execute(sql: version1)
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2: probes") { db in
            try db.execute(sql: probesTable)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        migrator.registerMigration("v3: optimizer step-size estimates: steps.step_sizes, epochs.step_sizes") { db in
            try db.execute(sql: stepSizeEstimates)
            try db.execute(sql: "PRAGMA user_version = 3")
        }
        migrator.registerMigration("v4: studies, study_cells") { db in
            try db.execute(sql: studiesTables)
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        return migrator
    }

    // Losses are REAL and nullable because SQLite stores a NaN as NULL: in a column that is always
    // measured (losses), NULL reads back as NaN. Rates per group are a JSON array. Timestamps are
    // ISO 8601 UTC text with milliseconds.
    private static let version1 = """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            task TEXT NOT NULL,
            scheduler TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'diverged', 'failed')),
            configuration TEXT NOT NULL,
            code_version TEXT NOT NULL,
            machine TEXT NOT NULL,
            result TEXT
        );
        CREATE TABLE epochs (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL CHECK (epoch >= 1),
            train_loss REAL,
            validation_loss REAL,
            validation_accuracy REAL,
            validation_f1 REAL,
            validation_auc REAL,
            learning_rates TEXT NOT NULL,
            train_seconds REAL NOT NULL,
            evaluation_seconds REAL NOT NULL,
            top_eigenvalue REAL,
            hessian_trace REAL,
            PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;
        CREATE TABLE steps (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            step INTEGER NOT NULL CHECK (step >= 1),
            epoch INTEGER NOT NULL CHECK (epoch >= 1),
            loss REAL,
            gradient_norm REAL,
            learning_rates TEXT NOT NULL,
            PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            step INTEGER NOT NULL CHECK (step >= 0),
            epoch INTEGER NOT NULL CHECK (epoch >= 0),
            reason TEXT NOT NULL CHECK (reason IN ('epoch', 'interrupt')),
            path TEXT NOT NULL,
            checksum TEXT NOT NULL,
            byte_count INTEGER NOT NULL CHECK (byte_count >= 0),
            created_at TEXT NOT NULL
        );
        CREATE INDEX checkpoints_by_run ON checkpoints(run_id, step);
        """
}
