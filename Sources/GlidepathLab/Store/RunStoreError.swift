/// Every error the run store throws. Each names the store file, and the run or field where one applies.
///
/// A throwing call never leaves a half-written change: each write is one SQLite transaction.
public enum RunStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There is no store at `path` (read-only access never creates one).
    case missingStore(path: String)
    /// `path` exists but is not a Glidepath run store (not SQLite, or another application's database).
    case notARunStore(path: String, reason: String)
    /// The store was written by a newer Glidepath: its schema version `found` is above `supported`.
    /// Nothing was changed.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The store has an older schema that read-only access cannot migrate.
    case outdatedSchema(path: String, found: Int, supported: Int)
    /// No run with this identifier is in the store.
    case unknownRun(path: String, runId: String)
    /// A value handed to the store, or read from it, is invalid.
    case invalidRecord(path: String, field: String, value: String, reason: String)
    /// More than 9,999 runs were created in the same second.
    case runIdentifiersExhausted(path: String, prefix: String)
    /// SQLite reported an error.
    case database(path: String, operation: String, message: String)
    /// A stored value cannot be read as its column's type (a damaged or tampered store): the run (when
    /// the row belongs to one), table and column, the value found and what was expected.
    case undecodable(path: String, runId: String?, table: String, column: String, value: String, expected: String)
    /// SQLite's integrity check (`PRAGMA quick_check`) found damage; nothing was read from the store.
    case damaged(path: String, problems: [String])
    /// The store's schema version is current but tables or columns of that schema are missing
    /// (`table T`, `column T.C`): it was altered outside Glidepath. Refused when the store is opened,
    /// before anything is written.
    case incompleteSchema(path: String, missing: [String])
    /// A store opened for writing whose file (or, for its journal and WAL files, directory) this process
    /// may not write: refused before SQLite opens it, so no `-wal`/`-shm` file is left behind.
    case notWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingStore(let path):
            return "no run store at \(path) (a training run creates it; pass --store FILE to use another)"
        case let .notARunStore(path, reason):
            return "\(path) is not a Glidepath run store: \(reason)"
        case let .newerSchema(path, found, supported):
            return "run store \(path) has schema version \(found), newer than the \(supported) this glidepath "
                + "supports; use a newer glidepath (the store was not changed)"
        case let .outdatedSchema(path, found, supported):
            return "run store \(path) has schema version \(found), older than \(supported); "
                + "open it for writing (any training run) to migrate it"
        case let .unknownRun(path, runId):
            return "no run '\(runId)' in run store \(path) (glidepath runs list shows the runs)"
        case let .invalidRecord(path, field, value, reason):
            return "run store \(path): invalid \(field)=\(value): \(reason)"
        case let .runIdentifiersExhausted(path, prefix):
            return "run store \(path): more than 9999 runs created in the second \(prefix)"
        case let .database(path, operation, message):
            return "run store \(path): \(operation) failed: \(message)"
        case let .undecodable(path, runId, table, column, value, expected):
            let owner = runId.map { " of run \($0)" } ?? ""
            return "run store \(path) is damaged: \(table).\(column)\(owner) holds \(value), expected \(expected)"
        case let .damaged(path, problems):
            let shown = problems.prefix(3).joined(separator: "; ")
            let more = problems.count > 3 ? " (and \(problems.count - 3) more)" : ""
            return "run store \(path) is damaged (SQLite quick_check: \(shown)\(more)); restore it from a backup"
        case let .incompleteSchema(path, missing):
            let shown = missing.prefix(5).joined(separator: ", ")
            let more = missing.count > 5 ? " (and \(missing.count - 5) more)" : ""
            return "run store \(path) lacks \(shown)\(more) of schema version \(RunStoreSchema.version) "
                + "(altered outside glidepath?); restore it from a backup"
        case let .notWritable(path, reason):
            return "run store \(path) cannot be written: \(reason); nothing was changed "
                + "(glidepath runs list/show/export read it as it is; pass --store FILE to record elsewhere)"
        }
    }
}
