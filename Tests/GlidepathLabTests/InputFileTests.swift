import Foundation
import GlidepathLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``InputFile``: configuration inputs from regular files and from pipes (a FIFO here; the CLI tests
/// cover `-` and process substitution through the built binary).
@Suite("Input files")
struct InputFileTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-input-\(UUID().uuidString)-\(name)")
            .path
    }

    @Test("a regular file is read whole")
    func regularFile() throws {
        let path = Self.temporaryPath("config.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })  // more than one 64 KiB read
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try InputFile.read(path) == bytes)
    }

    @Test("a FIFO is read to its end, as a pipe or process substitution is")
    func fifo() throws {
        let path = Self.temporaryPath("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let text = #"{"name": "cosine", "tMax": 7}"#
        // The writer opens the FIFO after the reader: opening blocks until both ends are there.
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        #expect(try InputFile.read(path) == Data(text.utf8))
    }

    @Test("missing, a directory, or over the limit: refused naming the path and the reason")
    func refusals() throws {
        let missing = Self.temporaryPath("absent.json")
        #expect(throws: InputFile.ReadError(path: missing, reason: "No such file or directory")) {
            try InputFile.read(missing)
        }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: InputFile.ReadError(path: directory, reason: "it is a directory")) {
            try InputFile.read(directory)
        }
        let path = Self.temporaryPath("big.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x20, count: 101).write(to: URL(fileURLWithPath: path))
        #expect(throws: InputFile.ReadError(path: path, reason: "longer than the limit of 100 bytes")) {
            try InputFile.read(path, limit: 100)
        }
        #expect(try InputFile.read(path, limit: 101).count == 101)
    }
}
