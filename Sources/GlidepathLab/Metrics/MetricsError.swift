/// Every error a metric throws: the input that makes the metric undefined, named with its value.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two inputs that must pair up element by element have different lengths.
    case lengthMismatch(first: String, firstCount: Int, second: String, secondCount: Int)
    /// An input that needs at least one element is empty.
    case empty(name: String)
    /// A class label is outside `0..<classCount`.
    case labelOutOfRange(name: String, index: Int, label: Int, classCount: Int)
    /// A value that must be finite (a score, a learning rate) is NaN or infinite.
    case nonFinite(name: String, index: Int, value: Double)
    /// A value is outside its valid range (a negative learning rate, a class count below 2, …).
    case invalidValue(name: String, value: String, reason: String)
    /// ROC-AUC needs both classes in the ground truth; only `presentLabel` occurs.
    case singleClass(presentLabel: Int)

    public var description: String {
        switch self {
        case let .lengthMismatch(first, firstCount, second, secondCount):
            return "\(first) has \(firstCount) elements but \(second) has \(secondCount)"
        case let .empty(name):
            return "\(name) is empty"
        case let .labelOutOfRange(name, index, label, classCount):
            return "\(name)[\(index)] = \(label) is not a class label in 0..<\(classCount)"
        case let .nonFinite(name, index, value):
            return "\(name)[\(index)] = \(value) is not finite"
        case let .invalidValue(name, value, reason):
            return "invalid \(name)=\(value): \(reason)"
        case let .singleClass(presentLabel):
            return "ROC-AUC is undefined: only class \(presentLabel) occurs in the ground truth"
        }
    }
}
