import GlidepathLab

/// Errors of study plans and study runs. Each names the plan field, the store or the cell at fault.
public enum StudyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A plan field is missing, unknown, ill-typed or out of range; `field` is its path in the plan
    /// document (`arms[2].scheduler.gamma`, `tasks[0].task`).
    case invalidPlan(field: String, value: String, reason: String)
    /// No built-in plan has this name.
    case unknownBuiltIn(String)
    /// The plan file cannot be read.
    case unreadablePlan(path: String, reason: String)
    /// The store already holds a different plan under the same name (nothing was written).
    case planMismatch(store: String, name: String, difference: String)
    /// The store holds no study of this name.
    case unknownStudy(store: String, name: String)
    /// A store operation failed.
    case store(RunStoreError)
    /// Writing an output file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidPlan(field, value, reason):
            return "invalid study plan field \(field)=\(value): \(reason)"
        case .unknownBuiltIn(let name):
            return "unknown built-in plan '\(name)'; built-in plans: "
                + BuiltInPlan.allCases.map(\.rawValue).joined(separator: ", ")
        case let .unreadablePlan(path, reason):
            return "cannot read the study plan \(path): \(reason)"
        case let .planMismatch(store, name, difference):
            return "the store \(store) holds a different plan named '\(name)' (\(difference)); "
                + "rename the plan or use another store — nothing was changed"
        case let .unknownStudy(store, name):
            return "the store \(store) holds no study named '\(name)' (run glidepath study run first)"
        case .store(let error):
            return error.description
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
