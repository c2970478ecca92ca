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
            return "invalid argument \(Self.shown(name))=\(Self.shown(value)): \(reason)"
        case let .invalidObservation(step, field, value, reason):
            return "invalid observation at step \(step): \(Self.shown(field))=\(Self.shown(value)): \(reason)"
        case let .invalidState(field, value, reason):
            return "invalid state \(Self.shown(field))=\(Self.shown(value)): \(reason)"
        }
    }

    /// The longest name or value a message echoes; a longer one (a 100 MB field in a hostile
    /// configuration) is cut, with its length, so the error stays one readable line.
    public static let maximumEchoedCharacters = 200

    /// `text`, or its first ``maximumEchoedCharacters`` characters and its length, on one line.
    public static func shown(_ text: String) -> String {
        var result = text
        var cut = false
        if text.utf8.count > maximumEchoedCharacters {
            result = String(text.prefix(maximumEchoedCharacters))
            cut = true
        }
        if result.contains(where: \.isNewline) {
            result = result.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        }
        return cut ? result + "… (\(text.utf8.count) bytes)" : result
    }
}
