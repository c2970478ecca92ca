import Foundation
import GRDB
import Glidepath

/// How a store is opened.
public enum RunStoreAccess: Sendable {
    /// Reads only; never creates, migrates or modifies the file.
    case readOnly
    /// Reads and writes; creates the store if the file does not exist, and migrates an older schema.
    case readWrite
}

/// The SQLite file that records every run: configuration, provenance, per-epoch and per-step
/// measurements, and checkpoints (schema in `docs/lab.md`).
///
/// One file, opened through GRDB in WAL mode, so readers (`glidepath runs list`) never block the
/// training loop's writes. Every write is one transaction: a crash leaves the store as it was before
/// the write or after it, never between.
///
/// Opening checks that the file is a Glidepath store (`application_id` "GPLB") and that its schema
/// version is not newer than this build's; a newer store is refused with
/// ``RunStoreError/newerSchema(path:found:supported:)`` *before* any write, so the file is left untouched.
public final class RunStore: Sendable {
    /// The file name `glidepath` uses when no `--store` is given, relative to the working directory.
    public static let defaultFileName = "glidepath-runs.sqlite"

    /// The schema version this build reads and writes.
    public static var schemaVersion: Int { RunStoreSchema.version }

    /// The store file's path.
    public let path: String
    public let access: RunStoreAccess
    private let database: any DatabaseWriter
    private let clock: any LabClock
    /// The file's canonical path, under which ``OpenStoreFiles`` counts this store while it is open.
    private let openKey: String

    /// Opens (or, for ``RunStoreAccess/readWrite``, creates) the store at `path`.
    ///
    /// - Parameter clock: the source of timestamps and run identifiers.
    /// - Throws: ``RunStoreError/missingStore(path:)`` (read-only, no file),
    ///   ``RunStoreError/notARunStore(path:reason:)``, ``RunStoreError/newerSchema(path:found:supported:)``,
    ///   ``RunStoreError/outdatedSchema(path:found:supported:)`` (read-only, older schema), or
    ///   ``RunStoreError/database(path:operation:message:)``.
    public convenience init(path: String, access: RunStoreAccess = .readWrite, clock: any LabClock = SystemClock())
        throws(RunStoreError)
    {
        try self.init(path: path, access: access, clock: clock, acceptingOlderSchema: false)
    }

    /// - Parameter acceptingOlderSchema: with ``RunStoreAccess/readOnly``, open a store of an older
    ///   schema version as it is, without migrating it (only its `runs` table, unchanged since v1, may be
    ///   read): `train --resume` checks whether it may resume before anything migrates the store.
    init(path: String, access: RunStoreAccess, clock: any LabClock, acceptingOlderSchema: Bool)
        throws(RunStoreError)
    {
        self.path = path
        self.access = access
        self.clock = clock
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && access == .readOnly { throw .missingStore(path: path) }
        openKey = OpenStoreFiles.key(path)
        // The header is read through a plain file descriptor, and closing any descriptor of a file drops
        // every POSIX lock this process holds on it — SQLite's included. While another store of this
        // process has the file open, its locks must stay (else another process may checkpoint and delete
        // the WAL under it: a corrupt store), and the header was checked when that store opened.
        let alreadyOpen = OpenStoreFiles.shared.isOpen(openKey)
        if exists && !alreadyOpen { try Self.checkHeader(path: path, access: access) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        // An existing file's identity is read through a read-only connection first, so a refused file
        // (another program's database, a newer schema) is never switched to WAL, grown or given files.
        // A read-only store keeps that connection; a writable one drops it, which is safe only while no
        // other store of this process has the file open (see above) — then the first store checked it.
        var version = 0
        if exists && size > 0 {
            if access == .readOnly || !alreadyOpen {
                let probe = try Self.openReadOnly(path)
                let identity = try Self.identity(of: probe, path: path)
                version = identity.version
                try Self.checkIdentity(
                    path: path, access: access, version: identity.version,
                    applicationID: identity.applicationID, tableCount: identity.tableCount,
                    acceptingOlderSchema: acceptingOlderSchema)
                // A current store lacking a table or column is refused here, before anything is written
                // (an older one is checked after its migration, below).
                if identity.version == RunStoreSchema.version { try Self.checkSchema(of: probe, path: path) }
                if access == .readOnly {
                    database = probe
                    OpenStoreFiles.shared.opened(openKey)
                    registered = true
                    return
                }
            }
        } else if access == .readOnly {
            throw .notARunStore(path: path, reason: "the file is empty")
        }

        try Self.checkWritable(path: path, exists: exists)
        var configuration = Configuration()
        configuration.label = "GlidepathRunStore"
        // Concurrent writers (`glidepath study run --jobs`, two runs into one store) wait for each other
        // instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(30)
        let opened: any DatabaseWriter
        do {
            opened = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.mapOpenError(error, path: path)
        }
        database = opened
        if access == .readWrite && version < RunStoreSchema.version {
            try Self.wrap(path, "migrate the schema") { try RunStoreSchema.migrator.migrate(opened) }
            if exists && size > 0 && !alreadyOpen { try Self.checkSchema(of: opened, path: path) }
        }
        OpenStoreFiles.shared.opened(openKey)
        registered = true
    }

    /// Whether ``OpenStoreFiles`` counts this store (set at the end of a successful `init`).
    private nonisolated(unsafe) var registered = false

    deinit {
        if registered { OpenStoreFiles.shared.closed(openKey) }
    }

    // MARK: - Writing

    /// Records a new run with status ``RunStatus/running`` and returns its identifier.
    ///
    /// The identifier's counter is allocated inside the inserting transaction, so concurrent processes
    /// sharing the store get distinct identifiers.
    public func createRun(configuration: RunConfiguration, codeVersion: CodeVersion, machine: MachineDescription)
        throws(RunStoreError) -> RunIdentifier
    {
        let configurationJSON: String
        do {
            try configuration.validate()
            configurationJSON = try configuration.json()
        } catch {
            throw .invalidRecord(
                path: path, field: "configuration", value: configuration.task.rawValue,
                reason: error.description)
        }
        let codeJSON = try encodeJSON(codeVersion, field: "code_version")
        let machineJSON = try encodeJSON(machine, field: "machine")
        let now = clock.now()
        let prefix = RunIdentifier.prefix(for: now)
        let timestamp = Timestamp.iso8601(now)
        let path = self.path
        return try write("create a run") { db in
            let last = try String.fetchOne(
                db, sql: "SELECT max(id) FROM runs WHERE id LIKE ?", arguments: [prefix + "-%"])
            let counter = (last.flatMap { RunIdentifier($0)?.counter } ?? 0) + 1
            guard counter <= 9999 else { throw RunStoreError.runIdentifiersExhausted(path: path, prefix: prefix) }
            let identifier = RunIdentifier(date: now, counter: counter)
            try db.execute(
                sql: """
                    INSERT INTO runs (id, created_at, updated_at, task, scheduler, seed, status, configuration,
                                      code_version, machine, result)
                    VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, NULL)
                    """,
                arguments: [
                    identifier.rawValue, timestamp, timestamp, configuration.task.rawValue,
                    configuration.scheduler, Int64(bitPattern: configuration.seed), configurationJSON,
                    codeJSON, machineJSON,
                ])
            return identifier
        }
    }

    /// Writes `commit` to `run` in one transaction: all of it, or (on any error) none of it.
    ///
    /// - Throws: ``RunStoreError/unknownRun(path:runId:)``, ``RunStoreError/invalidRecord(path:field:value:reason:)``
    ///   for inconsistent records (steps out of order, a step of another epoch than the committed one,
    ///   an empty rate list), ``RunStoreError/database(path:operation:message:)`` (e.g. a step number
    ///   already stored).
    public func commit(_ commit: RunCommit, to run: RunIdentifier) throws(RunStoreError) {
        try validate(commit)
        // One encoder for the whole commit: building a JSONEncoder per step dominated the commit time.
        let encoder = StateCoding.encoder()
        let stepRows = try commit.steps.map { (step) throws(RunStoreError) in
            (
                step, try encodeJSON(step.learningRates, field: "steps.learning_rates", encoder: encoder),
                try step.stepSizes.map { (sizes) throws(RunStoreError) in
                    try encodeJSON(sizes, field: "steps.step_sizes", encoder: encoder)
                }
            )
        }
        let epochRates = try commit.epoch.map { (epoch) throws(RunStoreError) in
            try encodeJSON(epoch.learningRates, field: "epochs.learning_rates")
        }
        let epochStepSizes = try commit.epoch?.stepSizes.map { (sizes) throws(RunStoreError) in
            try encodeJSON(sizes, field: "epochs.step_sizes")
        }
        let resultJSON = try commit.result.map { (result) throws(RunStoreError) in
            try encodeJSON(result, field: "runs.result")
        }
        let timestamp = Timestamp.iso8601(clock.now())
        let path = self.path
        try write("commit to run \(run)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [run.rawValue]) != nil
            else { throw RunStoreError.unknownRun(path: path, runId: run.rawValue) }
            let insertStep = try db.cachedStatement(
                sql:
                    "INSERT INTO steps (run_id, step, epoch, loss, gradient_norm, learning_rates, step_sizes) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            for (step, rates, sizes) in stepRows {
                try insertStep.execute(arguments: [
                    run.rawValue, step.step, step.epoch, storable(step.loss),
                    step.gradientNorm.flatMap(storable), rates, sizes,
                ])
            }
            if let epoch = commit.epoch, let epochRates {
                try db.execute(
                    sql: """
                        INSERT INTO epochs (run_id, epoch, train_loss, validation_loss, validation_accuracy,
                                            validation_f1, validation_auc, learning_rates, train_seconds,
                                            evaluation_seconds, top_eigenvalue, hessian_trace, step_sizes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.rawValue, epoch.epoch, storable(epoch.trainLoss), storable(epoch.validationLoss),
                        storable(epoch.validationAccuracy), storable(epoch.validationF1),
                        epoch.validationAUC.flatMap(storable), epochRates, epoch.trainSeconds,
                        epoch.evaluationSeconds, epoch.topEigenvalue.flatMap(storable),
                        epoch.hessianTrace.flatMap(storable), epochStepSizes,
                    ])
            }
            if let checkpoint = commit.checkpoint {
                try db.execute(
                    sql: """
                        INSERT INTO checkpoints (run_id, step, epoch, reason, path, checksum, byte_count, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.rawValue, checkpoint.step, checkpoint.epoch, checkpoint.reason.rawValue,
                        CheckpointPaths.stored(checkpoint.path, storeDirectory: storeDirectory),
                        checkpoint.checksum, checkpoint.byteCount,
                        Timestamp.iso8601(checkpoint.createdAt),
                    ])
            }
            if let status = commit.status {
                try db.execute(
                    sql: "UPDATE runs SET status = ? WHERE id = ?", arguments: [status.rawValue, run.rawValue])
            }
            if let resultJSON {
                try db.execute(sql: "UPDATE runs SET result = ? WHERE id = ?", arguments: [resultJSON, run.rawValue])
            }
            try db.execute(sql: "UPDATE runs SET updated_at = ? WHERE id = ?", arguments: [timestamp, run.rawValue])
        }
    }

    /// Prepares `run` to resume from `checkpoint`: deletes the steps, epochs and checkpoints recorded
    /// after it and sets the status back to ``RunStatus/running``, in one transaction.
    public func rewind(_ run: RunIdentifier, to checkpoint: CheckpointRecord) throws(RunStoreError) {
        let timestamp = Timestamp.iso8601(clock.now())
        let path = self.path
        try write("rewind run \(run)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [run.rawValue]) != nil
            else { throw RunStoreError.unknownRun(path: path, runId: run.rawValue) }
            try db.execute(
                sql: "DELETE FROM steps WHERE run_id = ? AND step > ?", arguments: [run.rawValue, checkpoint.step])
            try db.execute(
                sql: "DELETE FROM epochs WHERE run_id = ? AND epoch > ?", arguments: [run.rawValue, checkpoint.epoch])
            try db.execute(
                sql: "DELETE FROM probes WHERE run_id = ? AND step > ?", arguments: [run.rawValue, checkpoint.step])
            try db.execute(
                sql: "DELETE FROM checkpoints WHERE run_id = ? AND step > ?",
                arguments: [run.rawValue, checkpoint.step])
            try db.execute(
                sql: "UPDATE runs SET status = 'running', result = NULL, updated_at = ? WHERE id = ?",
                arguments: [timestamp, run.rawValue])
        }
    }

    /// Deletes the rows of `checkpoints` (matched by step, reason and resolved path, as
    /// ``checkpoints(of:)`` returns them) of `run`, in one transaction.
    /// The files are the caller's to delete, after this returns, and only inside the run's own
    /// checkpoint directory (``RunRecorder``).
    public func deleteCheckpoints(_ checkpoints: [CheckpointRecord], of run: RunIdentifier) throws(RunStoreError) {
        let wanted = Set(checkpoints.map { "\($0.step)|\($0.reason.rawValue)|\($0.path)" })
        let directories = checkpointDirectories(of: run)
        try write("delete checkpoints of run \(run)") { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, step, reason, path FROM checkpoints WHERE run_id = ?",
                arguments: [run.rawValue])
            for row in rows {
                let id = try Self.column(row, "id", Int64.self, table: "checkpoints", run: run, path: path)
                let step = try Self.column(row, "step", Int.self, table: "checkpoints", run: run, path: path)
                let reason = try Self.column(row, "reason", String.self, table: "checkpoints", run: run, path: path)
                let stored = try Self.column(row, "path", String.self, table: "checkpoints", run: run, path: path)
                let resolved = CheckpointPaths.resolved(
                    stored, storeDirectory: directories.store,
                    runDirectory: directories.run)
                guard wanted.contains("\(step)|\(reason)|\(resolved)") else { continue }
                try db.execute(sql: "DELETE FROM checkpoints WHERE id = ?", arguments: [id])
            }
        }
    }

    /// `checkpoint`'s path as the store records it, for display: relative to the store's directory when
    /// the file is inside it (``checkpoints(of:)`` returns absolute paths).
    public func recordedPath(of checkpoint: CheckpointRecord) -> String {
        CheckpointPaths.stored(checkpoint.path, storeDirectory: storeDirectory)
    }

    /// The store's directory and the run's default checkpoint directory, both absolute.
    func checkpointDirectories(of run: RunIdentifier) -> (store: String, run: String) {
        (
            storeDirectory,
            RunRecorder.defaultCheckpointDirectory(store: self, run: run).standardizedFileURL.path
        )
    }

    /// The absolute, standardized directory holding the store file (checkpoint paths are relative to it).
    var storeDirectory: String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
    }

    // MARK: - Reading

    /// Runs SQLite's `PRAGMA quick_check` (every page and index entry of the file, in time linear in its
    /// size) and throws ``RunStoreError/damaged(path:problems:)`` unless it reports `ok`.
    ///
    /// Commands that read a run (`runs show`, `runs export`, `train --resume`, `probe`) call it first:
    /// a damaged page otherwise reads as *fewer rows* (an export of 115 of 2,291 steps with exit 0).
    public func verifyIntegrity() throws(RunStoreError) {
        let problems = try read("check the store's integrity (quick_check)") { db in
            try String.fetchAll(db, sql: "PRAGMA quick_check(20)")
        }
        guard problems == ["ok"] else { throw .damaged(path: path, problems: problems) }
    }

    /// Every run, oldest first.
    public func runs() throws(RunStoreError) -> [RunRecord] {
        let rows = try read("list runs") { db in try Row.fetchAll(db, sql: Self.runQuery + " ORDER BY r.id") }
        return try rows.map { (row) throws(RunStoreError) in try runRecord(row) }
    }

    /// The run `id`.
    public func run(_ id: RunIdentifier) throws(RunStoreError) -> RunRecord {
        let row = try read("read run \(id)") { db in
            try Row.fetchOne(db, sql: Self.runQuery + " WHERE r.id = ?", arguments: [id.rawValue])
        }
        guard let row else { throw .unknownRun(path: path, runId: id.rawValue) }
        return try runRecord(row)
    }

    /// The run whose identifier is `text` or, failing that, the only run whose identifier starts with it.
    ///
    /// - Throws: ``RunStoreError/unknownRun(path:runId:)`` when none matches, or
    ///   ``RunStoreError/invalidRecord(path:field:value:reason:)`` when a prefix matches several runs.
    public func run(matching text: String) throws(RunStoreError) -> RunRecord {
        if let id = RunIdentifier(text) { return try run(id) }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let matches = try read("find run \(text)") { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 3",
                arguments: [escaped + "%"])
        }
        guard !text.isEmpty, let first = matches.first, let id = RunIdentifier(first) else {
            throw .unknownRun(path: path, runId: text)
        }
        guard matches.count == 1 else {
            throw .invalidRecord(
                path: path, field: "run", value: text,
                reason: "matches several runs (\(matches.joined(separator: ", "))…); give more of the identifier")
        }
        return try run(id)
    }

    /// The epochs of `run`, in order.
    public func epochs(of run: RunIdentifier) throws(RunStoreError) -> [EpochRecord] {
        let rows = try read("read epochs of \(run)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch", arguments: [run.rawValue])
        }
        return try rows.map { (row) throws(RunStoreError) in
            let r = StoredRow(row: row, table: "epochs", run: run, path: path)
            return EpochRecord(
                epoch: try r.value("epoch"), trainLoss: measured(try r.optional("train_loss")),
                validationLoss: measured(try r.optional("validation_loss")),
                validationAccuracy: measured(try r.optional("validation_accuracy")),
                validationF1: measured(try r.optional("validation_f1")),
                validationAUC: try r.optional("validation_auc"),
                learningRates: try decodeJSON(
                    [Double].self, try r.value("learning_rates"), field: "epochs.learning_rates"),
                trainSeconds: try r.value("train_seconds"), evaluationSeconds: try r.value("evaluation_seconds"),
                topEigenvalue: try r.optional("top_eigenvalue"), hessianTrace: try r.optional("hessian_trace"),
                stepSizes: try decodeOptionalJSON(try r.optional("step_sizes"), field: "epochs.step_sizes"))
        }
    }

    /// The steps of `run`, in order.
    public func steps(of run: RunIdentifier) throws(RunStoreError) -> [StepRecord] {
        let rows = try read("read steps of \(run)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY step", arguments: [run.rawValue])
        }
        let decoder = StateCoding.decoder()
        return try rows.map { (row) throws(RunStoreError) in try stepRecord(row, run: run, decoder: decoder) }
    }

    /// Calls `body` with each step of `run`, in order, read through a database cursor (one row in
    /// memory at a time). Errors of the store are ``RunStoreError``; `body`'s own errors pass through.
    public func forEachStep(of run: RunIdentifier, _ body: (StepRecord) throws -> Void) throws {
        let decoder = StateCoding.decoder()
        do {
            try database.read { db in
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY step",
                    arguments: [run.rawValue])
                while let row = try rows.next() { try body(try stepRecord(row, run: run, decoder: decoder)) }
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path, operation: "read steps of \(run)")
        }
    }

    /// The most learning rates and step-size estimates any step of `run` records: the CSV export's
    /// `lr_<g>` and `step_size_<i>` columns, known before the first row is written.
    func stepColumnCounts(of run: RunIdentifier) throws(RunStoreError) -> (groups: Int, estimates: Int) {
        let row = try read("count the columns of the steps of \(run)") { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(max(json_array_length(learning_rates)), 0) AS groups,
                           coalesce(max(json_array_length(step_sizes)), 0) AS estimates
                    FROM steps WHERE run_id = ?
                    """, arguments: [run.rawValue])
        }
        guard let row else { return (0, 0) }
        let r = StoredRow(row: row, table: "steps", run: run, path: path)
        return (try r.value("groups"), try r.value("estimates"))
    }

    /// The first step of `run`, if it has one (without reading the others).
    public func firstStep(of run: RunIdentifier) throws(RunStoreError) -> StepRecord? {
        let row = try read("read the first step of \(run)") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY step LIMIT 1", arguments: [run.rawValue])
        }
        return try row.map { (row) throws(RunStoreError) in
            try stepRecord(row, run: run, decoder: StateCoding.decoder())
        }
    }

    /// The checkpoints of `run`, oldest first.
    public func checkpoints(of run: RunIdentifier) throws(RunStoreError) -> [CheckpointRecord] {
        let rows = try read("read checkpoints of \(run)") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, id",
                arguments: [run.rawValue])
        }
        let directories = checkpointDirectories(of: run)
        return try rows.map { (row) throws(RunStoreError) in
            let r = StoredRow(row: row, table: "checkpoints", run: run, path: path)
            let reasonText: String = try r.value("reason")
            guard let reason = CheckpointReason(rawValue: reasonText) else {
                throw .invalidRecord(
                    path: path, field: "checkpoints.reason", value: reasonText, reason: "unknown reason")
            }
            let stored: String = try r.value("path")
            let resolved = CheckpointPaths.resolved(
                stored, storeDirectory: directories.store,
                runDirectory: directories.run)
            return CheckpointRecord(
                step: try r.value("step"), epoch: try r.value("epoch"), reason: reason, path: resolved,
                checksum: try r.value("checksum"), byteCount: try r.value("byte_count"),
                createdAt: try date(try r.value("created_at"), field: "checkpoints.created_at"))
        }
    }

    /// The most recent checkpoint of `run` (highest step; the later one on a tie), if any.
    public func latestCheckpoint(of run: RunIdentifier) throws(RunStoreError) -> CheckpointRecord? {
        try checkpoints(of: run).last
    }

    /// `type|name|table|sql` of every schema object, sorted by type then name: the text the schema
    /// golden test compares.
    public func schemaDump() throws(RunStoreError) -> String {
        let rows = try read("dump the schema") { db in
            try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        }
        var lines = ["-- user_version \(RunStoreSchema.version), application_id \(RunStoreSchema.applicationID)"]
        for row in rows {
            let r = StoredRow(row: row, table: "sqlite_master", run: nil, path: path)
            let sql: String? = try r.optional("sql")
            lines.append(
                "\(try r.value("type", as: String.self))|\(try r.value("name", as: String.self))|"
                    + "\(try r.value("tbl_name", as: String.self))|\(sql ?? "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Implementation

    private static let runQuery = """
        SELECT r.*,
               (SELECT count(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_completed,
               (SELECT min(e.validation_loss) FROM epochs e WHERE e.run_id = r.id) AS best_validation_loss,
               coalesce(json_extract(r.configuration, '$.epochs'), 0) AS epochs_configured
        FROM runs r
        """

    private func runRecord(_ row: Row) throws(RunStoreError) -> RunRecord {
        let idText: String = try StoredRow(row: row, table: "runs", run: nil, path: path).value("id")
        guard let id = RunIdentifier(idText) else {
            throw .invalidRecord(path: path, field: "runs.id", value: idText, reason: "not a run identifier")
        }
        let r = StoredRow(row: row, table: "runs", run: id, path: path)
        let statusText: String = try r.value("status")
        guard let status = RunStatus(rawValue: statusText) else {
            throw .invalidRecord(path: path, field: "runs.status", value: statusText, reason: "unknown status")
        }
        let seed: Int64 = try r.value("seed")
        return RunRecord(
            id: id, createdAt: try date(try r.value("created_at"), field: "runs.created_at"),
            updatedAt: try date(try r.value("updated_at"), field: "runs.updated_at"), task: try r.value("task"),
            scheduler: try r.value("scheduler"), seed: UInt64(bitPattern: seed), status: status,
            configurationJSON: try r.value("configuration"),
            codeVersion: try decodeJSON(CodeVersion.self, try r.value("code_version"), field: "runs.code_version"),
            machine: try decodeJSON(MachineDescription.self, try r.value("machine"), field: "runs.machine"),
            resultJSON: try r.optional("result"), epochsCompleted: try r.value("epochs_completed"),
            epochsConfigured: try r.value("epochs_configured"),
            bestValidationLoss: try r.optional("best_validation_loss"))
    }

    /// One `steps` row, decoded with throwing accessors.
    func stepRecord(_ row: Row, run: RunIdentifier, decoder: JSONDecoder) throws(RunStoreError) -> StepRecord {
        let r = StoredRow(row: row, table: "steps", run: run, path: path)
        return StepRecord(
            step: try r.value("step"), epoch: try r.value("epoch"), loss: measured(try r.optional("loss")),
            learningRates: try decodeJSON(
                [Double].self, try r.value("learning_rates"),
                field: "steps.learning_rates", decoder: decoder),
            gradientNorm: try r.optional("gradient_norm"),
            stepSizes: try decodeOptionalJSON(
                try r.optional("step_sizes"), field: "steps.step_sizes",
                decoder: decoder))
    }

    private func validate(_ commit: RunCommit) throws(RunStoreError) {
        func invalid(_ field: String, _ value: String, _ reason: String) -> RunStoreError {
            .invalidRecord(path: path, field: field, value: value, reason: reason)
        }
        for (index, step) in commit.steps.enumerated() {
            if index > 0 && step.step <= commit.steps[index - 1].step {
                throw invalid("steps[\(index)].step", "\(step.step)", "steps must be in increasing order")
            }
            if step.learningRates.isEmpty {
                throw invalid("steps[\(index)].learningRates", "[]", "needs one rate per group")
            }
            if let epoch = commit.epoch, step.epoch != epoch.epoch {
                throw invalid(
                    "steps[\(index)].epoch", "\(step.epoch)", "differs from the committed epoch \(epoch.epoch)")
            }
        }
        if let epoch = commit.epoch {
            if epoch.epoch < 1 { throw invalid("epoch.epoch", "\(epoch.epoch)", "epochs are numbered from 1") }
            if epoch.learningRates.isEmpty { throw invalid("epoch.learningRates", "[]", "needs one rate per group") }
            for (name, seconds) in [
                ("trainSeconds", epoch.trainSeconds), ("evaluationSeconds", epoch.evaluationSeconds),
            ]
            where !(seconds.isFinite && seconds >= 0) {
                throw invalid("epoch.\(name)", "\(seconds)", "must be finite and ≥ 0")
            }
        }
        if let checkpoint = commit.checkpoint {
            if checkpoint.path.isEmpty { throw invalid("checkpoint.path", "\"\"", "must name the checkpoint file") }
            if checkpoint.step < 0 || checkpoint.epoch < 0 || checkpoint.byteCount < 0 {
                throw invalid("checkpoint", "step \(checkpoint.step), epoch \(checkpoint.epoch)", "counts must be ≥ 0")
            }
        }
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(RunStoreError) -> T {
        guard access == .readWrite else {
            throw .database(path: path, operation: operation, message: "the store was opened read-only")
        }
        return try Self.wrap(path, operation) { try database.write(body) }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(RunStoreError) -> T {
        try Self.wrap(path, operation) { try database.read(body) }
    }

    private static func wrap<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws(RunStoreError) -> T
    {
        do {
            return try body()
        } catch let error as RunStoreError {
            throw error
        } catch let error as DatabaseError {
            throw storeError(error, path: path, operation: operation)
        } catch {
            throw .database(path: path, operation: operation, message: "\(error)")
        }
    }

    /// A malformed page is damage, whichever read meets it first; anything else SQLite reports is
    /// ``RunStoreError/database(path:operation:message:)``.
    static func storeError(_ error: DatabaseError, path: String, operation: String) -> RunStoreError {
        if error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return .damaged(path: path, problems: ["\(operation): \(error.message ?? "\(error.resultCode)")"])
        }
        return .database(path: path, operation: operation, message: error.message ?? "\(error.resultCode)")
    }

    func encodeJSON(_ value: some Encodable, field: String, encoder: JSONEncoder = StateCoding.encoder())
        throws(RunStoreError) -> String
    {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .invalidRecord(path: path, field: field, value: "<value>", reason: "\(error)")
        }
    }

    func decodeJSON<T: Decodable>(
        _ type: T.Type, _ text: String, field: String,
        decoder: JSONDecoder = StateCoding.decoder()
    ) throws(RunStoreError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw .invalidRecord(
                path: path, field: field, value: String(text.prefix(60)),
                reason: StateCoding.describe(error))
        }
    }

    /// A nullable JSON array column (``StepRecord/stepSizes``): NULL is nil.
    private func decodeOptionalJSON(
        _ text: String?, field: String,
        decoder: JSONDecoder = StateCoding.decoder()
    ) throws(RunStoreError) -> [Double]? {
        guard let text else { return nil }
        return try decodeJSON([Double].self, text, field: field, decoder: decoder)
    }

    private func date(_ text: String, field: String) throws(RunStoreError) -> Date {
        guard let date = Timestamp.parse(text) else {
            throw .invalidRecord(path: path, field: field, value: text, reason: "not an ISO 8601 UTC timestamp")
        }
        return date
    }
}

/// SQLite stores NaN as NULL; say so explicitly rather than rely on the driver.
private func storable(_ value: Double) -> Double? { value.isNaN ? nil : value }

/// A measured value read back: NULL was a NaN (see ``storable(_:)``).
private func measured(_ value: Double?) -> Double { value ?? .nan }
