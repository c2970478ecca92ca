/// Errors in choosing or configuring a task.
public enum TaskError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No task has this name.
    case unknownTask(String)
    /// An optimizer field is out of range.
    case invalidOptimizerSetting(name: String, value: String, reason: String)
    /// A run-configuration field is out of range.
    case invalidConfiguration(field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .unknownTask(let name):
            return "unknown task '\(name)'; known tasks: "
                + TrainingTask.allCases.map(\.rawValue).joined(separator: ", ")
        case let .invalidOptimizerSetting(name, value, reason):
            return "invalid optimizer setting \(name)=\(value): \(reason)"
        case let .invalidConfiguration(field, value, reason):
            return "invalid configuration \(field)=\(value): \(reason)"
        }
    }
}
