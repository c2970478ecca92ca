/// Errors for invalid configuration and input of layers, losses, optimizers and probes.
///
/// Shape mismatches inside a forward pass remain `precondition` failures naming the layer and shapes
/// (programmer misuse); anything that comes from a configuration, a file or data is one of these.
public enum NNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A constructor argument or setting is outside its valid range.
    case invalidArgument(name: String, value: String, reason: String)
    /// Data handed to a layer or loss does not fit (a label outside the classes, a length longer than
    /// the sequence).
    case invalidInput(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidArgument(name, value, reason): return "invalid argument \(name)=\(value): \(reason)"
        case let .invalidInput(name, value, reason): return "invalid input \(name)=\(value): \(reason)"
        }
    }

    static func require(_ condition: Bool, _ name: String, _ value: Any, _ reason: String) throws(NNError) {
        if !condition { throw .invalidArgument(name: name, value: "\(value)", reason: reason) }
    }
}
