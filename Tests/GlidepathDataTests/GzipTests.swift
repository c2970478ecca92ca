import Foundation
import GlidepathData
import Testing

@Suite("gzip through zlib")
struct GzipTests {
    /// Round trip of a generated buffer (a repeating formula, so it also compresses).
    @Test func roundTrip() throws {
        let input: [UInt8] = (0..<100_000).map { (index: Int) -> UInt8 in UInt8((index * 7 + index / 13) % 251) }
        let compressed = Gzip.compress(input)
        #expect(Gzip.hasMagic(compressed))
        #expect(try Gzip.decompress(compressed, file: "fixture") == input)
    }

    /// RFC 1952 §2.2: a gzip file may be several members; `gzip -d` outputs their concatenation.
    @Test func concatenatedMembers() throws {
        let first = Array("first member\n".utf8), second = Array("second\n".utf8)
        let joined = Gzip.compress(first) + Gzip.compress(second)
        #expect(try Gzip.decompress(joined, file: "fixture") == first + second)
    }

    @Test func truncatedStreamIsTypedError() throws {
        let compressed = Gzip.compress((0..<50_000).map { (index: Int) -> UInt8 in UInt8(index % 97) })
        let cut = Array(compressed.prefix(compressed.count / 2))
        #expect(throws: DataError(file: "cut.gz", location: .byteOffset(cut.count), problem: .truncatedGzip)) {
            try Gzip.decompress(cut, file: "cut.gz")
        }
        // Losing only the 8-byte trailer (CRC-32 and ISIZE) is truncation too.
        let noTrailer = Array(compressed.dropLast(8))
        #expect(throws: DataError(file: "t.gz", location: .byteOffset(noTrailer.count), problem: .truncatedGzip)) {
            try Gzip.decompress(noTrailer, file: "t.gz")
        }
    }

    @Test func corruptCRCIsTypedError() throws {
        var compressed = Gzip.compress(Array("hello, gzip".utf8))
        compressed[compressed.count - 8] ^= 0xFF  // first byte of the CRC-32 trailer
        do {
            _ = try Gzip.decompress(compressed, file: "crc.gz")
            Issue.record("a CRC mismatch was accepted")
        } catch {
            #expect(error.file == "crc.gz")
            guard case .corruptGzip(let message) = error.problem else {
                Issue.record("expected corruptGzip, got \(error)")
                return
            }
            #expect(message.contains("check"))  // zlib: "incorrect data check"
        }
    }

    @Test func trailingGarbageIsTypedError() throws {
        let compressed = Gzip.compress(Array("data".utf8)) + [0x42, 0x42, 0x42]
        #expect(
            throws: DataError(
                file: "g.gz", location: .byteOffset(compressed.count - 3),
                problem: .trailingBytes(count: 3))
        ) {
            try Gzip.decompress(compressed, file: "g.gz")
        }
    }

    @Test func streamReadsGzipAndRawAlike() throws {
        let directory = try Fixtures.temporaryDirectory()
        // Larger than one 1 MiB chunk.
        let content: [UInt8] = (0..<3_000_000).map { (index: Int) -> UInt8 in UInt8((index / 3) % 256) }
        try Fixtures.write(Gzip.compress(content), to: Fixtures.path(directory, "a.gz"))
        try Fixtures.write(content, to: Fixtures.path(directory, "a.raw"))
        for name in ["a.gz", "a.raw"] {
            let stream = try ContentStream(path: Fixtures.path(directory, name))
            var collected: [UInt8] = []
            try stream.skip(10)
            collected += try stream.readExactly(1_000_000)
            collected += try stream.read(upTo: 5_000_000)
            #expect(collected == Array(content[10...]), "\(name)")
            #expect(try stream.read(upTo: 10).isEmpty)
        }
    }

    /// The streaming reader follows concatenated members too, across its 1 MiB chunk boundary.
    @Test func streamReadsConcatenatedMembers() throws {
        let first: [UInt8] = (0..<1_500_000).map { (index: Int) -> UInt8 in UInt8(index % 241) }
        let second = Array("tail member".utf8)
        let directory = try Fixtures.temporaryDirectory()
        let path = Fixtures.path(directory, "joined.gz")
        try Fixtures.write(Gzip.compress(first, level: 0) + Gzip.compress(second), to: path)
        let stream = try ContentStream(path: path)
        #expect(try stream.read(upTo: 10_000_000) == first + second)
        #expect(try Gzip.decompress(FileAccess.readBytes(at: path), file: path) == first + second)
    }

    @Test func streamReportsTruncation() throws {
        let directory = try Fixtures.temporaryDirectory()
        let compressed = Gzip.compress((0..<200_000).map { (index: Int) -> UInt8 in UInt8(index % 13) })
        let path = Fixtures.path(directory, "cut.gz")
        try Fixtures.write(Array(compressed.prefix(compressed.count - 20)), to: path)
        let stream = try ContentStream(path: path)
        #expect(throws: DataError.self) { try stream.read(upTo: 1_000_000) }
        do {
            let again = try ContentStream(path: path)
            _ = try again.read(upTo: 1_000_000)
        } catch {
            #expect(error.problem == .truncatedGzip)
            #expect(error.file == path)
        }
    }

    @Test func missingFileIsTypedError() throws {
        #expect(throws: DataError(file: "/nonexistent/x.gz", problem: .missingFile)) {
            try FileAccess.readContent(at: "/nonexistent/x.gz")
        }
    }
}
