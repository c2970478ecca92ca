/// Errors for user-facing misuse of the tensor API: data that does not fit a shape, invalid sizes or
/// settings coming from configuration. Programmer misuse inside an op (mismatched shapes passed to
/// `matmul`, an axis out of range) is a `precondition` naming the op and both shapes instead.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A shape has a negative dimension.
    case invalidShape(shape: [Int], reason: String)
    /// The number of scalars does not match the shape's element count.
    case scalarCountMismatch(shape: [Int], expected: Int, actual: Int)
    /// An index lies outside `0..<bound` (for example a token id outside the vocabulary).
    case indexOutOfRange(index: Int, bound: Int, context: String)
    /// A setting or argument is outside its valid range.
    case invalidArgument(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidShape(shape, reason):
            return "invalid shape \(shape): \(reason)"
        case let .scalarCountMismatch(shape, expected, actual):
            return "shape \(shape) needs \(expected) scalars, got \(actual)"
        case let .indexOutOfRange(index, bound, context):
            return "\(context): index \(index) is outside 0..<\(bound)"
        case let .invalidArgument(name, value, reason):
            return "invalid argument \(name)=\(value): \(reason)"
        }
    }
}
