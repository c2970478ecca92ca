import Foundation
import Glidepath

/// The checkpoint file format: versioned, sectioned, checksummed, written atomically.
///
/// Layout (all integers little-endian; CRC = CRC-32/IEEE):
///
///     offset  size  field
///     0       8     magic 89 47 50 43 4B 0D 0A 1A  ("\x89GPCK\r\n\x1A", PNG-style: catches text-mode mangling)
///     8       4     format version (1)
///     12      4     section count n (≤ 64)
///     16      4     section-table length T in bytes
///     20      4     reserved, 0
///     24      4     CRC of the section table
///     28      4     CRC of bytes 0..<28
///     32      T     section table, n entries: name length u16, name (UTF-8), encoding u8 (0 bytes, 1 JSON),
///                   payload length u64, payload CRC u32
///     32+T    …     payloads, in table order
///     end−12  4     CRC of every byte before it: the file's checksum
///     end−8   8     end marker "GPCKEND\n"
///
/// Readers check, in order: magic, version, header CRC, size (truncation), table CRC, each section's CRC,
/// the end marker and the file CRC — so each kind of damage gets its own typed error that names the file,
/// and a damaged payload names its section. Writers produce identical bytes for identical checkpoints
/// (fixed section order, sorted-key JSON), and replace the file atomically (``AtomicFile``), so a kill at
/// any instant leaves the previous complete checkpoint.
public enum CheckpointFile {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = [0x89, 0x47, 0x50, 0x43, 0x4B, 0x0D, 0x0A, 0x1A]
    static let endMarker: [UInt8] = Array("GPCKEND\n".utf8)
    static let preambleSize = 32
    static let trailerSize = 12
    static let maximumSections = 64

    /// What was written: where, how many bytes, and the file checksum the run store records.
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var byteCount: Int
        /// The file's CRC-32 as 8 lowercase hex digits.
        public var checksum: String
    }

    /// Encodes `checkpoint` and writes it atomically to `path`.
    @discardableResult
    public static func write(_ checkpoint: Checkpoint, to path: String) throws(CheckpointError) -> Summary {
        let data = try encode(checkpoint, path: path)
        try AtomicFile.write(data, to: path)
        return Summary(path: path, byteCount: data.count, checksum: CRC32.hex(fileChecksum(of: data)))
    }

    /// Reads and fully verifies the checkpoint at `path`.
    ///
    /// - Parameter expectedChecksum: when given (from the run store), the file's checksum must equal it.
    public static func read(from path: String, expectedChecksum: String? = nil) throws(CheckpointError) -> Checkpoint {
        let data: Data
        // Only a regular file: a FIFO or device named by a (tampered) store row would block or never end.
        switch FileKind.of(path) {
        case .regular: break
        case .missing: throw .unreadable(path: path, reason: "the file does not exist")
        case let kind: throw .unreadable(path: path, reason: "not a regular file (\(kind))")
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, path: path, expectedChecksum: expectedChecksum)
    }

    /// The checkpoint's bytes as ``write(_:to:)`` would write them (`path` only names errors).
    public static func encode(_ checkpoint: Checkpoint, path: String = "<memory>") throws(CheckpointError) -> Data {
        var sections: [(name: String, encoding: SectionEncoding, payload: Data)] = []
        do {
            let encoder = StateCoding.encoder()
            sections.append(("counters", .json, try encoder.encode(checkpoint.counters)))
            sections.append(("model", .bytes, checkpoint.modelState))
            sections.append(("optimizer", .bytes, checkpoint.optimizerState))
            sections.append(("scheduler", .json, try encoder.encode(checkpoint.schedulerState)))
            sections.append(("random", .bytes, checkpoint.randomState))
            sections.append(("loader", .json, try encoder.encode(checkpoint.loaderState)))
        } catch {
            throw .writeFailed(path: path, reason: "cannot encode a section: \(error)")
        }
        for name in checkpoint.extras.keys.sorted() {
            guard Checkpoint.Section(rawValue: name) == nil else {
                throw .invalidSection(path: path, section: name, reason: "extra section uses a reserved name")
            }
            guard !name.isEmpty, name.utf8.count <= 255 else {
                throw .invalidSection(path: path, section: name, reason: "a section name needs 1…255 UTF-8 bytes")
            }
            sections.append((name, .bytes, checkpoint.extras[name] ?? Data()))
        }
        guard sections.count <= maximumSections else {
            throw .writeFailed(path: path, reason: "\(sections.count) sections; at most \(maximumSections)")
        }

        return assemble(sections)
    }

    /// Lays out `sections` in the file format (also used by tests to build malformed files).
    static func assemble(_ sections: [(name: String, encoding: SectionEncoding, payload: Data)]) -> Data {
        var table = Data()
        for section in sections {
            table.appendLittleEndian(UInt16(section.name.utf8.count))
            table.append(contentsOf: Array(section.name.utf8))
            table.append(section.encoding.rawValue)
            table.appendLittleEndian(UInt64(section.payload.count))
            table.appendLittleEndian(CRC32.checksum(section.payload))
        }
        var file = Data(magic)
        file.appendLittleEndian(formatVersion)
        file.appendLittleEndian(UInt32(sections.count))
        file.appendLittleEndian(UInt32(table.count))
        file.appendLittleEndian(UInt32(0))
        file.appendLittleEndian(CRC32.checksum(table))
        file.appendLittleEndian(CRC32.checksum(file))
        file.append(table)
        for section in sections { file.append(section.payload) }
        file.appendLittleEndian(CRC32.checksum(file))
        file.append(contentsOf: endMarker)
        return file
    }

    /// Decodes and verifies checkpoint bytes (`path` names errors).
    public static func decode(_ data: Data, path: String = "<memory>", expectedChecksum: String? = nil)
        throws(CheckpointError) -> Checkpoint
    {
        let bytes = [UInt8](data)
        // Magic: a file shorter than the magic is a truncated checkpoint only if it is a prefix of it.
        let magicLength = min(bytes.count, magic.count)
        guard Array(bytes.prefix(magicLength)) == Array(magic.prefix(magicLength)) else {
            throw .notACheckpoint(path: path)
        }
        guard bytes.count >= 12 else {
            throw .truncated(path: path, expectedBytes: preambleSize, actualBytes: bytes.count)
        }
        let version = bytes.littleEndianUInt32(at: 8)
        guard version == formatVersion else {
            throw .unsupportedVersion(path: path, found: version, supported: formatVersion)
        }
        guard bytes.count >= preambleSize else {
            throw .truncated(path: path, expectedBytes: preambleSize, actualBytes: bytes.count)
        }
        let storedPreambleCRC = bytes.littleEndianUInt32(at: 28)
        let preambleCRC = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<28])) }
        guard storedPreambleCRC == preambleCRC else {
            throw .corruptHeader(path: path, reason: "header checksum mismatch")
        }
        let sectionCount = Int(bytes.littleEndianUInt32(at: 12))
        let tableLength = Int(bytes.littleEndianUInt32(at: 16))
        guard sectionCount <= maximumSections, bytes.littleEndianUInt32(at: 20) == 0 else {
            throw .corruptHeader(path: path, reason: "section count \(sectionCount) or reserved field out of range")
        }
        let tableEnd = preambleSize + tableLength
        guard bytes.count >= tableEnd else {
            throw .truncated(path: path, expectedBytes: tableEnd + trailerSize, actualBytes: bytes.count)
        }
        let tableCRC = bytes.withUnsafeBytes {
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[preambleSize..<tableEnd]))
        }
        guard tableCRC == bytes.littleEndianUInt32(at: 24) else {
            throw .corruptHeader(path: path, reason: "section table checksum mismatch")
        }

        // The table passed its checksum, so malformed entries mean a writer bug, still reported as corrupt.
        var entries: [(name: String, encoding: SectionEncoding, length: Int, crc: UInt32)] = []
        var cursor = preambleSize
        for _ in 0..<sectionCount {
            guard cursor + 2 <= tableEnd else { throw .corruptHeader(path: path, reason: "section table too short") }
            let nameLength = Int(bytes.littleEndianUInt16(at: cursor))
            cursor += 2
            guard cursor + nameLength + 13 <= tableEnd else {
                throw .corruptHeader(path: path, reason: "section table too short")
            }
            let name = String(decoding: bytes[cursor..<(cursor + nameLength)], as: UTF8.self)
            cursor += nameLength
            guard let encoding = SectionEncoding(rawValue: bytes[cursor]) else {
                throw .corruptHeader(path: path, reason: "section '\(name)' has unknown encoding \(bytes[cursor])")
            }
            let length = bytes.littleEndianUInt64(at: cursor + 1)
            guard length <= UInt64(Int.max / 2) else {
                throw .corruptHeader(path: path, reason: "section '\(name)' length \(length) is impossible")
            }
            entries.append((name, encoding, Int(length), bytes.littleEndianUInt32(at: cursor + 9)))
            cursor += 13
        }
        guard cursor == tableEnd else { throw .corruptHeader(path: path, reason: "section table has extra bytes") }

        let expectedSize = entries.reduce(tableEnd + trailerSize) { $0 + $1.length }
        guard bytes.count >= expectedSize else {
            throw .truncated(path: path, expectedBytes: expectedSize, actualBytes: bytes.count)
        }
        var payloads: [String: (encoding: SectionEncoding, data: Data)] = [:]
        var offset = tableEnd
        for entry in entries {
            let range = offset..<(offset + entry.length)
            let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
            guard crc == entry.crc else { throw .corruptSection(path: path, section: entry.name) }
            guard payloads[entry.name] == nil else {
                throw .corruptHeader(path: path, reason: "section '\(entry.name)' appears twice")
            }
            payloads[entry.name] = (entry.encoding, Data(bytes[range]))
            offset += entry.length
        }
        guard bytes.count == expectedSize else {
            throw .corruptTrailer(path: path, reason: "\(bytes.count - expectedSize) bytes after the end")
        }
        guard Array(bytes[(expectedSize - 8)...]) == endMarker else {
            throw .corruptTrailer(path: path, reason: "end marker missing")
        }
        let storedFileCRC = bytes.littleEndianUInt32(at: expectedSize - trailerSize)
        let fileCRC = fileChecksum(of: data)
        guard storedFileCRC == fileCRC else {
            throw .checksumMismatch(path: path, expected: CRC32.hex(storedFileCRC), actual: CRC32.hex(fileCRC))
        }
        if let expectedChecksum, expectedChecksum.lowercased() != CRC32.hex(fileCRC) {
            throw .checksumMismatch(path: path, expected: expectedChecksum.lowercased(), actual: CRC32.hex(fileCRC))
        }
        return try checkpoint(from: payloads, path: path)
    }

    /// The byte range of each section's payload in a well-formed file (for tests and tools), in file order.
    static func payloadRanges(in data: Data) -> [(name: String, range: Range<Int>)] {
        let bytes = [UInt8](data)
        guard bytes.count >= preambleSize else { return [] }
        let sectionCount = Int(bytes.littleEndianUInt32(at: 12))
        var cursor = preambleSize
        var offset = preambleSize + Int(bytes.littleEndianUInt32(at: 16))
        var ranges: [(name: String, range: Range<Int>)] = []
        for _ in 0..<sectionCount {
            let nameLength = Int(bytes.littleEndianUInt16(at: cursor))
            let name = String(decoding: bytes[(cursor + 2)..<(cursor + 2 + nameLength)], as: UTF8.self)
            let length = Int(bytes.littleEndianUInt64(at: cursor + 2 + nameLength + 1))
            ranges.append((name, offset..<(offset + length)))
            offset += length
            cursor += 2 + nameLength + 13
        }
        return ranges
    }

    /// CRC of everything before the trailer.
    static func fileChecksum(of data: Data) -> UInt32 {
        data.withUnsafeBytes {
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<max(0, $0.count - trailerSize)]))
        }
    }

    private static func checkpoint(from payloads: [String: (encoding: SectionEncoding, data: Data)], path: String)
        throws(CheckpointError) -> Checkpoint
    {
        func payload(_ section: Checkpoint.Section) throws(CheckpointError) -> Data {
            guard let entry = payloads[section.rawValue] else {
                throw .missingSection(path: path, section: section.rawValue)
            }
            guard entry.encoding == section.encoding else {
                throw .invalidSection(path: path, section: section.rawValue, reason: "unexpected encoding")
            }
            return entry.data
        }
        func json<T: Decodable>(_ type: T.Type, _ section: Checkpoint.Section) throws(CheckpointError) -> T {
            let data = try payload(section)
            do {
                return try StateCoding.decoder().decode(T.self, from: data)
            } catch {
                throw .invalidSection(path: path, section: section.rawValue, reason: StateCoding.describe(error))
            }
        }
        var extras: [String: Data] = [:]
        for (name, entry) in payloads where Checkpoint.Section(rawValue: name) == nil { extras[name] = entry.data }
        return Checkpoint(
            counters: try json(TrainingCounters.self, .counters), modelState: try payload(.model),
            optimizerState: try payload(.optimizer), schedulerState: try json(StateValue.self, .scheduler),
            randomState: try payload(.random), loaderState: try json(StateValue.self, .loader), extras: extras)
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension Array where Element == UInt8 {
    func littleEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func littleEndianUInt32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[offset + $1]) << (8 * $1) }
    }

    func littleEndianUInt64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[offset + $1]) << (8 * $1) }
    }
}
