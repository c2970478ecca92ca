/// Why a safetensors file cannot be read, written or used.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case unwritableFile(path: String, reason: String)
    /// The 8-byte length prefix or the header does not fit in the file.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// The header is not the format's JSON object; `field` names the offending key path.
    case invalidHeader(field: String, reason: String)
    /// A tensor's dtype is not one this build reads.
    case unsupportedDataType(name: String, dataType: String)
    /// A tensor's bytes do not match its shape, overlap another tensor or leave a gap.
    case invalidOffsets(name: String, reason: String)
    case missingTensor(name: String)
    case wrongDataType(name: String, expected: String, found: String)
    /// Two tensors share a name (the writer refuses them).
    case duplicateName(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "cannot read \(path): \(reason)"
        case let .unwritableFile(path, reason): return "cannot write \(path): \(reason)"
        case let .truncated(expected, actual):
            return "safetensors file is truncated: needs \(expected) bytes, has \(actual)"
        case let .invalidHeader(field, reason): return "invalid safetensors header at \(field): \(reason)"
        case let .unsupportedDataType(name, dataType): return "tensor \(name): dtype \(dataType) is not supported"
        case let .invalidOffsets(name, reason): return "tensor \(name): data_offsets \(reason)"
        case let .missingTensor(name): return "no tensor named \(name)"
        case let .wrongDataType(name, expected, found): return "tensor \(name) is \(found), expected \(expected)"
        case let .duplicateName(name): return "two tensors are named \(name)"
        }
    }
}
