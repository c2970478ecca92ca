import Foundation

/// A file in Hugging Face's safetensors format: named tensors with a JSON header, readable by
/// `safetensors.torch.load_file` and so by `torch.nn.Module.load_state_dict`.
///
/// Layout (the format's specification, `huggingface/safetensors` README, "Format"):
/// ```
/// UInt64 (little-endian)  n, the header length
/// n bytes                 UTF-8 JSON: {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
///                                      "__metadata__": {String: String}}   (padded with spaces)
/// …                       the byte buffer; offsets are relative to its start, little-endian, row-major
/// ```
/// Decoding checks what the reference implementation checks (a header inside the file, known dtypes,
/// offsets that match shape × element size, tensors that cover the buffer without overlap or gaps)
/// and throws ``SafeTensorsError`` naming the tensor and field; it never traps on hostile input.
public struct SafeTensorsFile: Equatable, Sendable {
    /// Element types this build reads and writes.
    public enum DataType: String, Sendable, CaseIterable, Codable {
        case float64 = "F64"
        case float32 = "F32"
        case int64 = "I64"
        case int32 = "I32"
        case uint8 = "U8"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .float64, .int64: return 8
            case .float32, .int32: return 4
            case .uint8: return 1
            }
        }
    }

    /// One named tensor: its raw little-endian bytes.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var dataType: DataType
        public var shape: [Int]
        public var bytes: Data

        public init(name: String, dataType: DataType, shape: [Int], bytes: Data) {
            self.name = name
            self.dataType = dataType
            self.shape = shape
            self.bytes = bytes
        }

        /// A Float32 tensor.
        public init(name: String, shape: [Int], float32 values: [Float]) {
            var data = Data(capacity: values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            self.init(name: name, dataType: .float32, shape: shape, bytes: data)
        }

        /// A Float64 tensor.
        public init(name: String, shape: [Int], float64 values: [Double]) {
            var data = Data(capacity: values.count * 8)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            self.init(name: name, dataType: .float64, shape: shape, bytes: data)
        }

        /// The number of elements (the product of the shape).
        public var count: Int { shape.reduce(1, *) }

        /// The values of a floating-point tensor as Double (F32 values widen exactly).
        /// - Throws: ``SafeTensorsError/wrongDataType(name:expected:found:)`` for an integer tensor.
        public func doubles() throws(SafeTensorsError) -> [Double] {
            switch dataType {
            case .float64: return littleEndian(UInt64.self).map { Double(bitPattern: $0) }
            case .float32: return littleEndian(UInt32.self).map { Double(Float(bitPattern: $0)) }
            default: throw .wrongDataType(name: name, expected: "F32 or F64", found: dataType.rawValue)
            }
        }

        /// The values of an F32 tensor.
        /// - Throws: ``SafeTensorsError/wrongDataType(name:expected:found:)`` for any other type.
        public func floats() throws(SafeTensorsError) -> [Float] {
            guard dataType == .float32 else {
                throw .wrongDataType(name: name, expected: "F32", found: dataType.rawValue)
            }
            return littleEndian(UInt32.self).map { Float(bitPattern: $0) }
        }

        /// The values of an integer tensor as Int.
        /// - Throws: ``SafeTensorsError/wrongDataType(name:expected:found:)`` for a floating-point tensor.
        public func integers() throws(SafeTensorsError) -> [Int] {
            switch dataType {
            case .int64: return littleEndian(UInt64.self).map { Int(Int64(bitPattern: $0)) }
            case .int32: return littleEndian(UInt32.self).map { Int(Int32(bitPattern: $0)) }
            case .uint8: return bytes.map { Int($0) }
            default: throw .wrongDataType(name: name, expected: "I64, I32 or U8", found: dataType.rawValue)
            }
        }

        private func littleEndian<T: FixedWidthInteger>(_: T.Type) -> [T] {
            let size = MemoryLayout<T>.size
            return bytes.withUnsafeBytes { raw in
                (0..<(raw.count / size)).map {
                    T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self))
                }
            }
        }
    }

    /// The `__metadata__` map (string to string, as the format allows).
    public var metadata: [String: String]
    /// The tensors in file order.
    public var entries: [Entry]

    public init(metadata: [String: String] = [:], entries: [Entry]) {
        self.metadata = metadata
        self.entries = entries
    }

    /// The tensor named `name`.
    /// - Throws: ``SafeTensorsError/missingTensor(name:)``.
    public func entry(_ name: String) throws(SafeTensorsError) -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else { throw .missingTensor(name: name) }
        return entry
    }
}
