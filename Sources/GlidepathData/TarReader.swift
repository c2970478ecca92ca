/// A member of a tar archive.
public struct TarEntry: Equatable, Sendable {
    /// The kind of member; only regular files carry content readers use.
    public enum Kind: Equatable, Sendable {
        case file, directory
        case other(UInt8)
    }
    /// The member's path (from the ustar prefix + name, a GNU long name, or a pax `path` record).
    public var name: String
    /// The content size in bytes.
    public var size: Int
    public var kind: Kind
}

/// A small streaming reader for POSIX ustar / GNU / pax tar archives, optionally gzip-compressed
/// (`.tar.gz`), over ``ContentStream``.
///
/// Supports what canonical dataset archives use: regular files, directories, GNU long names (`L`),
/// pax extended headers (`x`, `path` and `size` records; global `g` headers are skipped), octal and
/// base-256 sizes. Every header's checksum is verified. Reference: POSIX.1-2017 `pax` "ustar
/// Interchange Format"; GNU tar manual, "Basic Tar Format".
public final class TarReader {
    private let stream: ContentStream
    private var remainingInCurrent = 0  // content + padding of the current member not yet read
    private var currentName = ""
    private var finished = false

    /// The archive's path.
    public var path: String { stream.path }

    public init(path: String) throws(DataError) {
        stream = try ContentStream(path: path)
    }

    /// The next member, or nil after the end-of-archive marker. Skips the unread content of the
    /// previous member.
    public func next() throws(DataError) -> TarEntry? {
        if finished { return nil }
        if remainingInCurrent > 0 {
            try stream.skip(remainingInCurrent, member: currentName)
            remainingInCurrent = 0
        }
        var longName: String?
        var paxPath: String?
        var paxSize: Int?
        while true {
            let headerOffset = stream.position
            let header = try stream.read(upTo: 512)
            if header.isEmpty {
                // No end-of-archive marker: GNU tar accepts this with a warning; so do we, but only
                // when it falls exactly on a member boundary.
                finished = true
                return nil
            }
            guard header.count == 512 else {
                throw DataError(
                    file: path, location: .byteOffset(headerOffset),
                    problem: .truncated(expected: 512, actual: header.count))
            }
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                return nil
            }
            try verifyChecksum(header, offset: headerOffset)
            let typeFlag = header[156]
            let size = try parseSize(header, offset: headerOffset)
            let padded = (size + 511) / 512 * 512
            switch typeFlag {
            case UInt8(ascii: "L"):
                let data = try stream.readExactly(size, member: "././@LongLink")
                try stream.skip(padded - size, member: "././@LongLink")
                longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "x"):
                let data = try stream.readExactly(size, member: "pax header")
                try stream.skip(padded - size, member: "pax header")
                let records = try parsePax(data, offset: headerOffset)
                paxPath = records["path"] ?? paxPath
                if let sizeText = records["size"] {
                    guard let value = Int(sizeText), value >= 0 else {
                        throw DataError(
                            file: path, location: .byteOffset(headerOffset),
                            problem: .malformedArchive("pax size \(sizeText) is not a size"))
                    }
                    paxSize = value
                }
                continue
            case UInt8(ascii: "g"):
                try stream.skip(padded, member: "pax global header")
                continue
            default:
                break
            }
            let name = paxPath ?? longName ?? ustarName(header)
            let contentSize = paxSize ?? size
            let kind: TarEntry.Kind
            switch typeFlag {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            default: kind = .other(typeFlag)
            }
            let hasContent = kind == .file || typeFlag == UInt8(ascii: "S")
            currentName = name
            remainingInCurrent = hasContent ? (contentSize + 511) / 512 * 512 : 0
            return TarEntry(name: name, size: hasContent ? contentSize : 0, kind: kind)
        }
    }

    /// The content of the member most recently returned by ``next()``; call at most once per member.
    public func readContent(of entry: TarEntry) throws(DataError) -> [UInt8] {
        let data = try stream.readExactly(entry.size, member: entry.name)
        let padding = remainingInCurrent - entry.size
        try stream.skip(padding, member: entry.name)
        remainingInCurrent = 0
        return data
    }

    private func verifyChecksum(_ header: [UInt8], offset: Int) throws(DataError) {
        guard let stored = parseOctal(header[148..<156]) else {
            throw DataError(
                file: path, location: .byteOffset(offset + 148),
                problem: .malformedArchive("header checksum field is not octal"))
        }
        var unsigned = 0
        var signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw DataError(
                file: path, location: .byteOffset(offset),
                problem: .malformedArchive("header checksum \(stored) does not match computed \(unsigned)"))
        }
    }

    private func parseSize(_ header: [UInt8], offset: Int) throws(DataError) -> Int {
        let field = header[124..<136]
        if let first = field.first, first & 0x80 != 0 {
            // GNU base-256: big-endian two's complement with the top bit of the first byte set.
            guard first == 0x80 else {
                throw DataError(
                    file: path, location: .byteOffset(offset + 124),
                    problem: .malformedArchive("negative or oversized base-256 size"))
            }
            var value = 0
            for byte in field.dropFirst() {
                guard value <= (Int.max >> 8) else {
                    throw DataError(
                        file: path, location: .byteOffset(offset + 124),
                        problem: .malformedArchive("size does not fit in 63 bits"))
                }
                value = value << 8 | Int(byte)
            }
            return value
        }
        guard let size = parseOctal(field) else {
            throw DataError(
                file: path, location: .byteOffset(offset + 124),
                problem: .malformedArchive("size field is not octal"))
        }
        return size
    }

    private func parseOctal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var sawDigit = false
        var index = field.startIndex
        while index < field.endIndex, field[index] == 0x20 { index += 1 }
        while index < field.endIndex {
            let byte = field[index]
            if byte == 0 || byte == 0x20 { break }
            guard byte >= 0x30, byte <= 0x37, value <= (Int.max >> 3) else { return nil }
            value = value << 3 | Int(byte - 0x30)
            sawDigit = true
            index += 1
        }
        return sawDigit ? value : (index > field.startIndex || field.first == 0 ? 0 : nil)
    }

    private func ustarName(_ header: [UInt8]) -> String {
        func string(_ range: Range<Int>) -> String {
            String(decoding: header[range].prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = string(0..<100)
        let isUstar = header[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? string(345..<500) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// pax records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record.
    private func parsePax(_ data: [UInt8], offset: Int) throws(DataError) -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: 0x20),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                length > space - index, index + length <= data.count
            else {
                throw DataError(
                    file: path, location: .byteOffset(offset),
                    problem: .malformedArchive("bad pax record at byte \(index) of the extended header"))
            }
            let record = data[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
                records[key] = value
            }
            index += length
        }
        return records
    }
}
