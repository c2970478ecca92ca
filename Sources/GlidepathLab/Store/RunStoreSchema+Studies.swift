extension RunStoreSchema {
    /// Studies (`glidepath study run`, `docs/study-guide.md`): each study's plan under its name, and which
    /// run each of its cells is (or why it failed). A cell is identified by the content hash of its
    /// resolved configuration; its run is an ordinary run of the `runs` table. Additive: a v3 store
    /// migrates, and its runs are untouched.
    static let studiesTables = """
        CREATE TABLE studies (
            name TEXT PRIMARY KEY NOT NULL,
            plan TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE study_cells (
            study TEXT NOT NULL REFERENCES studies(name) ON DELETE CASCADE,
            cell_id TEXT NOT NULL,
            run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
            failure TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (study, cell_id)
        ) WITHOUT ROWID;
        CREATE INDEX study_cells_by_run ON study_cells(run_id);
        """
}
