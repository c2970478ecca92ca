import GlidepathData
import GlidepathNN

/// Errors of `glidepath meta-train` and ``MLRSNetMetaTraining``.
public enum MetaTrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The task cannot be meta-trained here (its model family has no builder in the meta-trainer).
    case unsupportedTask(String, reason: String)
    /// A setting is out of range.
    case invalidSetting(name: String, value: String, reason: String)
    /// Reading the task's data failed.
    case data(String)
    /// The model or meta-net could not be built or run (typically: a loss that is not finite).
    case training(String)
    /// Writing the weights failed.
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedTask(task, reason): return "task '\(task)' cannot be meta-trained: \(reason)"
        case let .invalidSetting(name, value, reason): return "invalid \(name)=\(value): \(reason)"
        case let .data(message): return "data: \(message)"
        case let .training(message): return "meta-training failed: \(message)"
        case let .output(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
