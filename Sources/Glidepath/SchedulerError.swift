/// Every error a scheduler throws. Each case names what was wrong and the offending value.
///
/// A throwing call never leaves a scheduler half-changed: validation happens before the first write.
public enum SchedulerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A construction argument is outside its valid range.
    case invalidArgument(name: String, value: String, reason: String)
    /// An observation passed to `step` cannot be used (NaN loss, missing metric, …). `step` is the
    /// scheduler's step counter before the rejected call.
    case invalidObservation(step: Int, field: String, value: String, reason: String)
    /// A saved state cannot be restored into this scheduler.
    case invalidState(field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidArgument(name, value, reason):
            return "invalid argument \(name)=\(value): \(reason)"
        case let .invalidObservation(step, field, value, reason):
            return "invalid observation at step \(step): \(field)=\(value): \(reason)"
        case let .invalidState(field, value, reason):
            return "invalid state \(field)=\(value): \(reason)"
        }
    }
}
