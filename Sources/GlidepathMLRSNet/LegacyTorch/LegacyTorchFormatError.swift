/// Why a legacy `torch.save` stream was refused, and the byte offset where the reader found out.
///
/// ``LegacyTorchFile`` accepts a small whitelisted subset of the format (see its documentation);
/// anything else, including every corrupted, truncated or hostile input, is reported with one of
/// these problems. Nothing in the input is ever executed or imported.
public struct LegacyTorchFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Equatable, Sendable {
        /// The stream ends early: `needed` more bytes were required, `available` were left.
        case truncated(needed: Int, available: Int)
        /// The file is a zip archive: the `torch.save` format of PyTorch ≥ 1.6, which this reader
        /// does not handle (re-save with `_use_new_zipfile_serialization=False`, or convert to JSON).
        case zipArchive
        /// The stream does not start with the legacy magic number 0x1950a86a20f9469cfc6c.
        case badMagicNumber
        /// A pickle declares a protocol other than 2.
        case unsupportedPickleProtocol(Int)
        /// The `torch.save` format version is not 1001.
        case unsupportedFormatVersion(Int)
        /// The sys_info record is missing, malformed, or declares a big-endian writer.
        case unsupportedSystemInfo(String)
        /// A pickle opcode outside the whitelist.
        case unsupportedOpcode(UInt8)
        /// A `GLOBAL` other than `collections OrderedDict`, `torch._utils _rebuild_tensor_v2` and
        /// `torch FloatStorage`.
        case disallowedGlobal(module: String, name: String)
        /// A `REDUCE`, `BUILD` or persistent id whose callable or arguments are not the whitelisted form.
        case disallowedCall(String)
        /// An opcode needed more stack items than there were, or a `MARK` that was never set.
        case stackUnderflow(opcode: UInt8)
        /// `BINGET` of a memo slot that was never written.
        case unknownMemoKey(Int)
        /// A string is not valid UTF-8.
        case invalidUTF8
        /// A value has the wrong type or range for its place in the format.
        case unexpectedValue(expected: String, found: String)
        /// A count, size or nesting depth exceeds what the reader allows.
        case limitExceeded(what: String, value: Int, limit: Int)
        /// The storage records do not match the storages the state dict references.
        case storageMismatch(String)
        /// Two tensors share a name in the state dict.
        case duplicateName(String)
        /// Bytes remain after the last storage record.
        case trailingBytes(Int)
    }

    /// Byte offset in the file of the opcode or record at fault.
    public var offset: Int
    /// What was wrong.
    public var problem: Problem

    public init(offset: Int, problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        "legacy torch file, offset \(offset): "
            + {
                switch problem {
                case let .truncated(needed, available):
                    return "truncated: needed \(needed) more bytes, \(available) left"
                case .zipArchive:
                    return "a zip-format torch.save file (PyTorch >= 1.6); only the legacy format is read"
                case .badMagicNumber:
                    return "not a legacy torch.save stream (bad magic number)"
                case let .unsupportedPickleProtocol(value):
                    return "pickle protocol \(value) is not supported (only 2)"
                case let .unsupportedFormatVersion(value):
                    return "torch.save format version \(value) is not supported (only 1001)"
                case let .unsupportedSystemInfo(reason):
                    return "unsupported sys_info record: \(reason)"
                case let .unsupportedOpcode(opcode):
                    return "pickle opcode 0x\(String(opcode, radix: 16)) is not allowed"
                case let .disallowedGlobal(module, name):
                    return "global '\(module) \(name)' is not allowed"
                case let .disallowedCall(reason):
                    return "disallowed call: \(reason)"
                case let .stackUnderflow(opcode):
                    return "stack underflow at opcode 0x\(String(opcode, radix: 16))"
                case let .unknownMemoKey(key):
                    return "memo slot \(key) was never written"
                case .invalidUTF8:
                    return "string is not valid UTF-8"
                case let .unexpectedValue(expected, found):
                    return "expected \(expected), found \(found)"
                case let .limitExceeded(what, value, limit):
                    if value == .max { return "\(what) overflows 64-bit integers (the limit is \(limit))" }
                    return "\(what) \(value) exceeds the limit \(limit)"
                case let .storageMismatch(reason):
                    return "storage records do not match the state dict: \(reason)"
                case let .duplicateName(name):
                    return "tensor name '\(name)' appears twice"
                case let .trailingBytes(count):
                    return "\(count) unexpected bytes after the last storage record"
                }
            }()
    }
}
