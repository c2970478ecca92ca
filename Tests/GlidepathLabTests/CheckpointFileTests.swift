import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// A small checkpoint with every kind of section; bytes drawn from a seeded generator.
func sampleCheckpoint(modelBytes: Int = 40, seed: UInt64 = 1) -> Checkpoint {
    var generator = SplitMix64(seed: seed)
    let bytes = { (count: Int) in Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
    return Checkpoint(
        counters: TrainingCounters(
            completedEpochs: 2, stepsIntoEpoch: 17, completedSteps: 117, runId: "20261123-071749-0001"),
        modelState: bytes(modelBytes), optimizerState: bytes(24),
        schedulerState: .object(["version": .int(1), "best": .double(.infinity), "rates": .array([.double(1e-3)])]),
        randomState: bytes(16), loaderState: .object(["epoch": .int(3), "nextBatch": .int(17)]),
        extras: ["loop": Data("{\"initialLoss\":2.3}".utf8)])
}

@Suite("Checkpoint file")
struct CheckpointFileTests {
    @Test("round-trips every section, with deterministic bytes and a checksum matching the file")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoint = sampleCheckpoint()
        let path = directory.path("latest.gpck")
        let summary = try CheckpointFile.write(checkpoint, to: path)
        #expect(try CheckpointFile.read(from: path) == checkpoint)
        #expect(try CheckpointFile.read(from: path, expectedChecksum: summary.checksum) == checkpoint)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(summary.byteCount == data.count)
        #expect(summary.checksum == CRC32.hex(CRC32.checksum(data.prefix(data.count - 12))))
        #expect(try CheckpointFile.encode(checkpoint) == data)  // same checkpoint, same bytes
        // CRC-32/IEEE check value of "123456789" is 0xCBF43926 (the standard CRC catalogue check).
        #expect(CRC32.hex(CRC32.checksum(Data("123456789".utf8))) == "cbf43926")
    }

    @Test("every single corrupted byte is detected with the error of its region")
    func corruptionAtEveryOffset() throws {
        let data = try CheckpointFile.encode(sampleCheckpoint())
        let ranges = CheckpointFile.payloadRanges(in: data)
        #expect(ranges.map(\.name) == ["counters", "model", "optimizer", "scheduler", "random", "loader", "loop"])
        let tableEnd = try #require(ranges.first).range.lowerBound
        for offset in 0..<data.count {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = data
                damaged[offset] ^= mask
                let expected: (CheckpointError) -> Bool
                switch offset {
                case 0..<8: expected = { if case .notACheckpoint = $0 { true } else { false } }
                case 8..<12: expected = { if case .unsupportedVersion = $0 { true } else { false } }
                case 12..<tableEnd: expected = { if case .corruptHeader = $0 { true } else { false } }
                case (data.count - 12)..<(data.count - 8):
                    expected = { if case .checksumMismatch = $0 { true } else { false } }
                case (data.count - 8)...:
                    expected = { if case .corruptTrailer = $0 { true } else { false } }
                default:
                    let name = try #require(ranges.first { $0.range.contains(offset) }).name
                    expected = { $0 == .corruptSection(path: "f.gpck", section: name) }
                }
                do {
                    _ = try CheckpointFile.decode(damaged, path: "f.gpck")
                    Issue.record("byte \(offset) ^ \(mask) was not detected")
                } catch {
                    #expect(expected(error), "byte \(offset) ^ \(mask): \(error)")
                    #expect(error.description.contains("f.gpck"))
                }
            }
        }
    }

    @Test("every truncation is reported as truncated; trailing bytes as a corrupt trailer")
    func truncation() throws {
        let data = try CheckpointFile.encode(sampleCheckpoint())
        for length in 0..<data.count {
            do {
                _ = try CheckpointFile.decode(data.prefix(length), path: "cut.gpck")
                Issue.record("truncation to \(length) bytes was not detected")
            } catch {
                guard case let .truncated(path, _, actual) = error else {
                    Issue.record("length \(length): \(error)")
                    continue
                }
                #expect(path == "cut.gpck" && actual == length)
            }
        }
        #expect(throws: CheckpointError.corruptTrailer(path: "long.gpck", reason: "1 bytes after the end")) {
            try CheckpointFile.decode(data + Data([0]), path: "long.gpck")
        }
    }

    @Test("wrong version, wrong file, missing and malformed sections, store checksum mismatch")
    func typedErrors() throws {
        let data = try CheckpointFile.encode(sampleCheckpoint())
        var future = data
        future[8] = 2  // format version 2, little-endian
        #expect(throws: CheckpointError.unsupportedVersion(path: "v2.gpck", found: 2, supported: 1)) {
            try CheckpointFile.decode(future, path: "v2.gpck")
        }
        #expect(throws: CheckpointError.notACheckpoint(path: "x")) {
            try CheckpointFile.decode(Data("PK\u{3}\u{4}".utf8), path: "x")
        }
        #expect(
            throws: CheckpointError.checksumMismatch(
                path: "x", expected: "00000000",
                actual: CRC32.hex(CRC32.checksum(data.prefix(data.count - 12))))
        ) {
            try CheckpointFile.decode(data, path: "x", expectedChecksum: "00000000")
        }
        // Intact files whose content is wrong: built with the internal layout function.
        let noLoader = CheckpointFile.assemble([
            ("counters", .json, Data("{\"completedEpochs\":0,\"completedSteps\":0,\"stepsIntoEpoch\":0}".utf8)),
            ("model", .bytes, Data()), ("optimizer", .bytes, Data()),
            ("scheduler", .json, Data("null".utf8)), ("random", .bytes, Data()),
        ])
        #expect(throws: CheckpointError.missingSection(path: "x", section: "loader")) {
            try CheckpointFile.decode(noLoader, path: "x")
        }
        let badCounters = CheckpointFile.assemble([
            ("counters", .json, Data("{\"completedEpochs\":\"two\"}".utf8)),
            ("model", .bytes, Data()), ("optimizer", .bytes, Data()),
            ("scheduler", .json, Data("null".utf8)), ("random", .bytes, Data()),
            ("loader", .json, Data("null".utf8)),
        ])
        #expect(throws: CheckpointError.self) { try CheckpointFile.decode(badCounters, path: "x") }
        do {
            _ = try CheckpointFile.decode(badCounters, path: "x")
        } catch {
            guard case let .invalidSection(_, section, reason) = error else { throw error }
            #expect(section == "counters" && reason.contains("completedEpochs"))
        }
        var reserved = sampleCheckpoint()
        reserved.extras["model"] = Data()
        #expect(
            throws: CheckpointError.invalidSection(
                path: "<memory>", section: "model", reason: "extra section uses a reserved name")
        ) {
            try CheckpointFile.encode(reserved)
        }
        #expect(throws: CheckpointError.self) { try CheckpointFile.read(from: "/nonexistent/dir/x.gpck") }
    }

    @Test("atomic replace: the new file or the old one, never a temporary left behind")
    func atomicWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("latest.gpck")
        try CheckpointFile.write(sampleCheckpoint(seed: 1), to: path)
        try CheckpointFile.write(sampleCheckpoint(seed: 2), to: path)
        #expect(try CheckpointFile.read(from: path) == sampleCheckpoint(seed: 2))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["latest.gpck"])
        // A rename that fails (the target is a directory) leaves no temporary file and throws.
        let blocked = directory.path("blocked.gpck")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        #expect(throws: CheckpointError.self) { try CheckpointFile.write(sampleCheckpoint(), to: blocked) }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == [
                "blocked.gpck", "latest.gpck",
            ])
        #expect(throws: CheckpointError.self) {
            try CheckpointFile.write(sampleCheckpoint(), to: directory.path("no/such/dir.gpck"))
        }
        // Leftovers of killed writes are removed on request.
        #expect(
            FileManager.default.createFile(
                atPath: directory.path(AtomicFile.temporaryPrefix + "latest.gpck-1-1"), contents: Data([1])))
        #expect(AtomicFile.removeStaleTemporaries(in: directory.url.path) == 1)
    }
}
