import Foundation
import Glidepath
import GRDB

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
    public init(path: String, access: RunStoreAccess = .readWrite, clock: any LabClock = SystemClock())
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
        if exists && !OpenStoreFiles.shared.isOpen(openKey) { try Self.checkHeader(path: path, access: access) }

        var configuration = Configuration()
        configuration.readonly = access == .readOnly
        configuration.label = "GlidepathRunStore"
        // Concurrent writers (`glidepath study run --jobs`, two runs into one store) wait for each other
        // instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(30)
        let opened: any DatabaseWriter
        do {
            opened = access == .readOnly
                ? try DatabaseQueue(path: path, configuration: configuration)
                : try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.mapOpenError(error, path: path)
        }
        database = opened
        // The header check above reads the main file only; a version written to a WAL that was never
        // checkpointed is seen here, still before any write.
        let (version, applicationID, tableCount) = try Self.wrap(path, "read the schema version") {
            try opened.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                 try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0)
            }
        }
        try Self.checkIdentity(path: path, access: access, version: version, applicationID: applicationID,
                               tableCount: tableCount)
        if access == .readWrite && version < RunStoreSchema.version {
            try Self.wrap(path, "migrate the schema") { try RunStoreSchema.migrator.migrate(opened) }
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
            throw .invalidRecord(path: path, field: "configuration", value: configuration.task.rawValue,
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
                arguments: [identifier.rawValue, timestamp, timestamp, configuration.task.rawValue,
                            configuration.scheduler, Int64(bitPattern: configuration.seed), configurationJSON,
                            codeJSON, machineJSON])
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
            (step, try encodeJSON(step.learningRates, field: "steps.learning_rates", encoder: encoder),
             try step.stepSizes.map { (sizes) throws(RunStoreError) in
                 try encodeJSON(sizes, field: "steps.step_sizes", encoder: encoder)
             })
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
                sql: "INSERT INTO steps (run_id, step, epoch, loss, gradient_norm, learning_rates, step_sizes) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for (step, rates, sizes) in stepRows {
                try insertStep.execute(arguments: [run.rawValue, step.step, step.epoch, storable(step.loss),
                                                   step.gradientNorm.flatMap(storable), rates, sizes])
            }
            if let epoch = commit.epoch, let epochRates {
                try db.execute(
                    sql: """
                        INSERT INTO epochs (run_id, epoch, train_loss, validation_loss, validation_accuracy,
                                            validation_f1, validation_auc, learning_rates, train_seconds,
                                            evaluation_seconds, top_eigenvalue, hessian_trace, step_sizes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [run.rawValue, epoch.epoch, storable(epoch.trainLoss), storable(epoch.validationLoss),
                                storable(epoch.validationAccuracy), storable(epoch.validationF1),
                                epoch.validationAUC.flatMap(storable), epochRates, epoch.trainSeconds,
                                epoch.evaluationSeconds, epoch.topEigenvalue.flatMap(storable),
                                epoch.hessianTrace.flatMap(storable), epochStepSizes])
            }
            if let checkpoint = commit.checkpoint {
                try db.execute(
                    sql: """
                        INSERT INTO checkpoints (run_id, step, epoch, reason, path, checksum, byte_count, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [run.rawValue, checkpoint.step, checkpoint.epoch, checkpoint.reason.rawValue,
                                checkpoint.path, checkpoint.checksum, checkpoint.byteCount,
                                Timestamp.iso8601(checkpoint.createdAt)])
            }
            if let status = commit.status {
                try db.execute(sql: "UPDATE runs SET status = ? WHERE id = ?", arguments: [status.rawValue, run.rawValue])
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
            try db.execute(sql: "DELETE FROM steps WHERE run_id = ? AND step > ?", arguments: [run.rawValue, checkpoint.step])
            try db.execute(sql: "DELETE FROM epochs WHERE run_id = ? AND epoch > ?", arguments: [run.rawValue, checkpoint.epoch])
            try db.execute(sql: "DELETE FROM probes WHERE run_id = ? AND step > ?", arguments: [run.rawValue, checkpoint.step])
            try db.execute(sql: "DELETE FROM checkpoints WHERE run_id = ? AND step > ?",
                           arguments: [run.rawValue, checkpoint.step])
            try db.execute(sql: "UPDATE runs SET status = 'running', result = NULL, updated_at = ? WHERE id = ?",
                           arguments: [timestamp, run.rawValue])
        }
    }

    /// Deletes the rows of `checkpoints` (matched by step, reason and path) of `run`, in one transaction.
    /// The files are the caller's to delete, after this returns.
    public func deleteCheckpoints(_ checkpoints: [CheckpointRecord], of run: RunIdentifier) throws(RunStoreError) {
        try write("delete checkpoints of run \(run)") { db in
            for checkpoint in checkpoints {
                try db.execute(sql: "DELETE FROM checkpoints WHERE run_id = ? AND step = ? AND reason = ? AND path = ?",
                               arguments: [run.rawValue, checkpoint.step, checkpoint.reason.rawValue, checkpoint.path])
            }
        }
    }

    // MARK: - Reading

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
            try String.fetchAll(db, sql: "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 3",
                                arguments: [escaped + "%"])
        }
        guard !text.isEmpty, let first = matches.first, let id = RunIdentifier(first) else {
            throw .unknownRun(path: path, runId: text)
        }
        guard matches.count == 1 else {
            throw .invalidRecord(path: path, field: "run", value: text,
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
            EpochRecord(
                epoch: row["epoch"], trainLoss: measured(row["train_loss"]),
                validationLoss: measured(row["validation_loss"]), validationAccuracy: measured(row["validation_accuracy"]),
                validationF1: measured(row["validation_f1"]), validationAUC: row["validation_auc"],
                learningRates: try decodeJSON([Double].self, row["learning_rates"], field: "epochs.learning_rates"),
                trainSeconds: row["train_seconds"], evaluationSeconds: row["evaluation_seconds"],
                topEigenvalue: row["top_eigenvalue"], hessianTrace: row["hessian_trace"],
                stepSizes: try decodeOptionalJSON(row["step_sizes"], field: "epochs.step_sizes"))
        }
    }

    /// The steps of `run`, in order.
    public func steps(of run: RunIdentifier) throws(RunStoreError) -> [StepRecord] {
        let rows = try read("read steps of \(run)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY step", arguments: [run.rawValue])
        }
        let decoder = StateCoding.decoder()
        return try rows.map { (row) throws(RunStoreError) in
            StepRecord(step: row["step"], epoch: row["epoch"], loss: measured(row["loss"]),
                       learningRates: try decodeJSON([Double].self, row["learning_rates"], field: "steps.learning_rates",
                                                     decoder: decoder),
                       gradientNorm: row["gradient_norm"],
                       stepSizes: try decodeOptionalJSON(row["step_sizes"], field: "steps.step_sizes", decoder: decoder))
        }
    }

    /// The checkpoints of `run`, oldest first.
    public func checkpoints(of run: RunIdentifier) throws(RunStoreError) -> [CheckpointRecord] {
        let rows = try read("read checkpoints of \(run)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, id",
                             arguments: [run.rawValue])
        }
        return try rows.map { (row) throws(RunStoreError) in
            let reasonText: String = row["reason"]
            guard let reason = CheckpointReason(rawValue: reasonText) else {
                throw .invalidRecord(path: path, field: "checkpoints.reason", value: reasonText, reason: "unknown reason")
            }
            return CheckpointRecord(step: row["step"], epoch: row["epoch"], reason: reason, path: row["path"],
                                    checksum: row["checksum"], byteCount: row["byte_count"],
                                    createdAt: try date(row["created_at"], field: "checkpoints.created_at"))
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
            let sql: String? = row["sql"]
            lines.append("\(row["type"] as String)|\(row["name"] as String)|\(row["tbl_name"] as String)|\(sql ?? "")")
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
        let idText: String = row["id"]
        guard let id = RunIdentifier(idText) else {
            throw .invalidRecord(path: path, field: "runs.id", value: idText, reason: "not a run identifier")
        }
        let statusText: String = row["status"]
        guard let status = RunStatus(rawValue: statusText) else {
            throw .invalidRecord(path: path, field: "runs.status", value: statusText, reason: "unknown status")
        }
        let seed: Int64 = row["seed"]
        return RunRecord(
            id: id, createdAt: try date(row["created_at"], field: "runs.created_at"),
            updatedAt: try date(row["updated_at"], field: "runs.updated_at"), task: row["task"],
            scheduler: row["scheduler"], seed: UInt64(bitPattern: seed), status: status,
            configurationJSON: row["configuration"],
            codeVersion: try decodeJSON(CodeVersion.self, row["code_version"], field: "runs.code_version"),
            machine: try decodeJSON(MachineDescription.self, row["machine"], field: "runs.machine"),
            resultJSON: row["result"], epochsCompleted: row["epochs_completed"],
            epochsConfigured: row["epochs_configured"], bestValidationLoss: row["best_validation_loss"])
    }

    private func validate(_ commit: RunCommit) throws(RunStoreError) {
        func invalid(_ field: String, _ value: String, _ reason: String) -> RunStoreError {
            .invalidRecord(path: path, field: field, value: value, reason: reason)
        }
        for (index, step) in commit.steps.enumerated() {
            if index > 0 && step.step <= commit.steps[index - 1].step {
                throw invalid("steps[\(index)].step", "\(step.step)", "steps must be in increasing order")
            }
            if step.learningRates.isEmpty { throw invalid("steps[\(index)].learningRates", "[]", "needs one rate per group") }
            if let epoch = commit.epoch, step.epoch != epoch.epoch {
                throw invalid("steps[\(index)].epoch", "\(step.epoch)", "differs from the committed epoch \(epoch.epoch)")
            }
        }
        if let epoch = commit.epoch {
            if epoch.epoch < 1 { throw invalid("epoch.epoch", "\(epoch.epoch)", "epochs are numbered from 1") }
            if epoch.learningRates.isEmpty { throw invalid("epoch.learningRates", "[]", "needs one rate per group") }
            for (name, seconds) in [("trainSeconds", epoch.trainSeconds), ("evaluationSeconds", epoch.evaluationSeconds)]
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

    private static func wrap<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws(RunStoreError) -> T {
        do {
            return try body()
        } catch let error as RunStoreError {
            throw error
        } catch let error as DatabaseError {
            throw .database(path: path, operation: operation, message: error.message ?? "\(error.resultCode)")
        } catch {
            throw .database(path: path, operation: operation, message: "\(error)")
        }
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

    func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, field: String,
                                          decoder: JSONDecoder = StateCoding.decoder()) throws(RunStoreError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw .invalidRecord(path: path, field: field, value: String(text.prefix(60)),
                                 reason: StateCoding.describe(error))
        }
    }

    /// A nullable JSON array column (``StepRecord/stepSizes``): NULL is nil.
    private func decodeOptionalJSON(_ text: String?, field: String,
                                    decoder: JSONDecoder = StateCoding.decoder()) throws(RunStoreError) -> [Double]? {
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
