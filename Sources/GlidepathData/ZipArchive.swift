import CZlib

/// A small reader for zip archives (PKWARE APPNOTE 6.3.x), enough for GLUE's `SST-2.zip`: it reads
/// the central directory, then stored (method 0) or deflated (method 8, raw inflate through zlib)
/// members, checking each member's CRC-32. Zip64 and encryption are reported as unsupported.
public struct ZipArchive {
    /// A member of the archive.
    public struct Member: Equatable, Sendable {
        public var name: String
        public var method: UInt16
        public var compressedSize: Int
        public var uncompressedSize: Int
        public var crc32: UInt32
        public var localHeaderOffset: Int
    }

    public let path: String
    public let members: [Member]
    private let bytes: [UInt8]

    public init(path: String) throws(DataError) {
        try self.init(bytes: try FileAccess.readBytes(at: path), path: path)
    }

    public init(bytes: [UInt8], path: String) throws(DataError) {
        self.path = path
        self.bytes = bytes
        // End of central directory: signature 0x06054b50 within the last 22 + 65,535 bytes.
        let searchStart = max(0, bytes.count - 22 - 65_535)
        var end: Int?
        var index = bytes.count - 22
        while index >= searchStart {
            if Self.read32(bytes, index) == 0x0605_4B50 { end = index; break }
            index -= 1
        }
        guard let end else {
            throw DataError(
                file: path, problem: .malformedArchive("no end-of-central-directory record (not a zip file?)"))
        }
        let count = Int(Self.read16(bytes, end + 10))
        let directoryOffset = Int(Self.read32(bytes, end + 16))
        guard directoryOffset != 0xFFFF_FFFF else {
            throw DataError(
                file: path, location: .byteOffset(end), problem: .malformedArchive("zip64 archives are not supported"))
        }
        var members: [Member] = []
        var offset = directoryOffset
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, Self.read32(bytes, offset) == 0x0201_4B50 else {
                throw DataError(
                    file: path, location: .byteOffset(offset), problem: .malformedArchive("bad central directory entry")
                )
            }
            let flags = Self.read16(bytes, offset + 8)
            let nameLength = Int(Self.read16(bytes, offset + 28))
            let extraLength = Int(Self.read16(bytes, offset + 30))
            let commentLength = Int(Self.read16(bytes, offset + 32))
            guard offset + 46 + nameLength <= bytes.count else {
                throw DataError(
                    file: path, location: .byteOffset(offset),
                    problem: .truncated(expected: offset + 46 + nameLength, actual: bytes.count))
            }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            if flags & 1 != 0 {
                throw DataError(
                    file: path, location: .member(name, byteOffset: nil),
                    problem: .malformedArchive("encrypted members are not supported"))
            }
            members.append(
                Member(
                    name: name, method: Self.read16(bytes, offset + 10),
                    compressedSize: Int(Self.read32(bytes, offset + 20)),
                    uncompressedSize: Int(Self.read32(bytes, offset + 24)), crc32: Self.read32(bytes, offset + 16),
                    localHeaderOffset: Int(Self.read32(bytes, offset + 42))))
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// The uncompressed content of the member named `name`.
    public func content(of name: String) throws(DataError) -> [UInt8] {
        guard let member = members.first(where: { $0.name == name }) else {
            throw DataError(file: path, location: .member(name, byteOffset: nil), problem: .missingFile)
        }
        let header = member.localHeaderOffset
        guard header + 30 <= bytes.count, Self.read32(bytes, header) == 0x0403_4B50 else {
            throw DataError(
                file: path, location: .member(name, byteOffset: nil), problem: .malformedArchive("bad local header"))
        }
        let start = header + 30 + Int(Self.read16(bytes, header + 26)) + Int(Self.read16(bytes, header + 28))
        guard start + member.compressedSize <= bytes.count else {
            throw DataError(
                file: path, location: .member(name, byteOffset: 0),
                problem: .truncated(expected: member.compressedSize, actual: max(0, bytes.count - start)))
        }
        // Sizes come from the archive: a declared size beyond deflate's expansion bound is a lie (and
        // would otherwise make us allocate it).
        guard member.uncompressedSize <= member.compressedSize * Deflate.maximumExpansion + 1024 else {
            throw DataError(
                file: path, location: .member(name, byteOffset: nil),
                problem: .malformedArchive(
                    "declared size \(member.uncompressedSize) is impossible for \(member.compressedSize) compressed bytes"
                ))
        }
        let data = Array(bytes[start..<(start + member.compressedSize)])
        let output: [UInt8]
        switch member.method {
        case 0: output = data
        case 8: output = try inflateRaw(data, expectedSize: member.uncompressedSize, member: name)
        default:
            throw DataError(
                file: path, location: .member(name, byteOffset: nil),
                problem: .malformedArchive("compression method \(member.method) is not supported"))
        }
        guard output.count == member.uncompressedSize else {
            throw DataError(
                file: path, location: .member(name, byteOffset: nil),
                problem: .truncated(expected: member.uncompressedSize, actual: output.count))
        }
        let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        guard crc == member.crc32 else {
            throw DataError(
                file: path, location: .member(name, byteOffset: nil),
                problem: .corruptGzip("CRC-32 \(crc) differs from the directory's \(member.crc32)"))
        }
        return output
    }

    private func inflateRaw(_ input: [UInt8], expectedSize: Int, member: String) throws(DataError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: path, problem: .corruptGzip("zlib inflateInit2 failed"))
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(expectedSize, 1))
        var input = input
        let (status, produced): (Int32, Int) = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                let status = inflate(&stream, Z_FINISH)
                return (status, outBuffer.count - Int(stream.avail_out))
            }
        }
        guard status == Z_STREAM_END else {
            let message =
                stream.msg.map { String(cString: $0) } ?? "deflate stream ended early or is larger than declared"
            throw DataError(file: path, location: .member(member, byteOffset: produced), problem: .corruptGzip(message))
        }
        output.removeSubrange(min(produced, output.count)...)
        return output
    }

    static func read16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func read32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3])
            << 24
    }
}
