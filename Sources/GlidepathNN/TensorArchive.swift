import Foundation
import GlidepathMLRSNet

/// A versioned binary container of named Float32 tensors: the on-disk format of model state and
/// optimizer state.
///
/// Layout (all integers little-endian):
/// ```
/// 8 bytes   magic "GLDPTENS"
/// UInt32    format version (currently 1)
/// UInt32    header length n
/// n bytes   header, UTF-8 JSON: {"kind": String, "metadata": {String: String},
///                                "tensors": [{"name": String, "shape": [Int], "dtype": "float32"}]}
/// …         tensor data: float32 little-endian, row-major, in header order
/// UInt64    FNV-1a 64-bit checksum of every preceding byte
/// ```
/// Decoding validates everything (magic, version, header, sizes, checksum) before returning, so a
/// caller never sees a partly decoded archive.
public struct TensorArchive: Equatable, Sendable {
    /// One named tensor: the value type the `.pth` reader returns too, so a PyTorch state dict and a
    /// model-state archive hold the same entries.
    public typealias Entry = StoredTensor

    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    static let magic = Array("GLDPTENS".utf8)

    /// What the archive holds (`"model"`, `"optimizer.adam"`, …); checked on load.
    public var kind: String
    /// Small string-valued facts (configuration, step counts as JSON).
    public var metadata: [String: String]
    public var entries: [Entry]

    public init(kind: String, metadata: [String: String] = [:], entries: [Entry]) {
        self.kind = kind
        self.metadata = metadata
        self.entries = entries
    }

    private struct Header: Codable {
        struct TensorInfo: Codable {
            var name: String
            var shape: [Int]
            var dtype: String
        }
        var kind: String
        var metadata: [String: String]
        var tensors: [TensorInfo]
    }

    /// The encoded bytes.
    public func encoded() -> Data {
        let header = Header(
            kind: kind, metadata: metadata,
            tensors: entries.map { .init(name: $0.name, shape: $0.shape, dtype: "float32") })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings, ints and arrays cannot fail; fall back to an empty header
        // rather than trapping, which decoding then rejects.
        let headerBytes = (try? encoder.encode(header)) ?? Data()
        var data = Data(Self.magic)
        Self.append(Self.formatVersion, to: &data)
        Self.append(UInt32(headerBytes.count), to: &data)
        data.append(headerBytes)
        for entry in entries {
            entry.values.withUnsafeBufferPointer { buffer in
                for value in buffer { Self.append(value.bitPattern, to: &data) }
            }
        }
        Self.append(Self.checksum(data), to: &data)
        return data
    }

    /// Decodes and validates `data`.
    /// - Throws: ``StateFileError`` naming what is wrong; nothing is returned partly decoded.
    public static func decode(_ data: Data) throws(StateFileError) -> TensorArchive {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 16, Array(bytes[0..<magic.count]) == magic else {
            throw .notAnArchive
        }
        let version: UInt32 = read(bytes, at: 8)
        guard version == formatVersion else {
            throw .unsupportedVersion(found: Int(version), supported: Int(formatVersion))
        }
        let headerLength = Int(read(bytes, at: 12) as UInt32)
        guard 16 + headerLength + 8 <= bytes.count else {
            throw .truncated(expectedBytes: 16 + headerLength + 8, actualBytes: bytes.count)
        }
        let stored: UInt64 = read(bytes, at: bytes.count - 8)
        let computed = checksum(data.prefix(bytes.count - 8))
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw .corruptHeader(reason: "\(error)")
        }
        var total = 0
        for info in header.tensors {
            guard info.dtype == "float32" else { throw .unsupportedDataType(name: info.name, dataType: info.dtype) }
            guard info.shape.allSatisfy({ $0 >= 0 }) else {
                throw .corruptHeader(reason: "tensor \(info.name) has negative shape \(info.shape)")
            }
            total += info.shape.reduce(1, *)
        }
        let expected = 16 + headerLength + 4 * total + 8
        guard bytes.count == expected else { throw .truncated(expectedBytes: expected, actualBytes: bytes.count) }
        var offset = 16 + headerLength
        var entries: [Entry] = []
        for info in header.tensors {
            let count = info.shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for index in 0..<count { values[index] = Float(bitPattern: read(bytes, at: offset + 4 * index)) }
            offset += 4 * count
            entries.append(Entry(name: info.name, shape: info.shape, values: values))
        }
        return TensorArchive(kind: header.kind, metadata: header.metadata, entries: entries)
    }

    /// Writes the encoded archive atomically (a temporary file renamed into place).
    public func write(to url: URL) throws(StateFileError) {
        do {
            try encoded().write(to: url, options: .atomic)
        } catch {
            throw .unwritableFile(path: url.path, reason: "\(error)")
        }
    }

    /// Reads and validates an archive file.
    public static func read(from url: URL) throws(StateFileError) -> TensorArchive {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
        return try decode(data)
    }

    // MARK: Bytes

    static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    static func read<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
        return value
    }

    /// FNV-1a, 64-bit (Fowler, Noll, Vo): detects truncation and bit rot; not a cryptographic hash.
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Why a model or optimizer state could not be saved or loaded. Loading validates everything before
/// writing anything, so after any of these errors the model or optimizer is unchanged.
public enum StateFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case unwritableFile(path: String, reason: String)
    /// The bytes do not start with the archive magic.
    case notAnArchive
    case unsupportedVersion(found: Int, supported: Int)
    case truncated(expectedBytes: Int, actualBytes: Int)
    case checksumMismatch(stored: UInt64, computed: UInt64)
    case corruptHeader(reason: String)
    case unsupportedDataType(name: String, dataType: String)
    /// The archive holds a different kind of state (for example an SGD state loaded into Adam).
    case wrongKind(expected: String, found: String)
    /// A tensor the model (or optimizer) has is absent from the archive.
    case missingTensor(name: String)
    /// The archive holds a tensor the model (or optimizer) does not have.
    case unexpectedTensor(name: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A non-tensor field does not fit (group count, parameter count, configuration).
    case incompatible(field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "cannot read \(path): \(reason)"
        case let .unwritableFile(path, reason): return "cannot write \(path): \(reason)"
        case .notAnArchive: return "not a Glidepath tensor archive (bad magic)"
        case let .unsupportedVersion(found, supported):
            return "archive format version \(found) is not supported (this build reads \(supported))"
        case let .truncated(expected, actual):
            return "archive is truncated or padded: expected \(expected) bytes, found \(actual)"
        case let .checksumMismatch(stored, computed):
            return "archive checksum mismatch: stored \(stored), computed \(computed)"
        case let .corruptHeader(reason): return "archive header is corrupt: \(reason)"
        case let .unsupportedDataType(name, dataType): return "tensor \(name) has unsupported dtype \(dataType)"
        case let .wrongKind(expected, found): return "archive holds \(found) state, expected \(expected)"
        case let .missingTensor(name): return "tensor \(name) is missing from the archive"
        case let .unexpectedTensor(name): return "archive holds tensor \(name), which the target does not have"
        case let .shapeMismatch(name, expected, found):
            return "tensor \(name) has shape \(found) in the archive, expected \(expected)"
        case let .incompatible(field, expected, found): return "\(field): archive has \(found), expected \(expected)"
        }
    }
}
