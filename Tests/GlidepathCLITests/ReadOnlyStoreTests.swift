import Foundation
import GlidepathLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A run store in a read-only directory, and a read-only store file (issue 17): read commands work and
/// create no file; `train` and `train --resume` are refused with a typed error naming the store and what
/// is not writable, before any data is read; the directory is byte for byte unchanged. Permissions do
/// not bind root, so as root the binary runs as `nobody` through util-linux's `setpriv`.
@Suite("Read-only run stores: reads work, writes refused, nothing changed")
struct ReadOnlyStoreTests {
    /// Runs the built `glidepath` in `directory` as an unprivileged user.
    static func runUnprivileged(_ arguments: [String], in directory: URL) throws -> ProcessOutcome {
        let process = Process()
        let binary = try glidepathBinary().path
        if geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both outputs are a few kilobytes (a refusal, or `runs show` of the fixture run): no pipe fills.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    enum Layout: String, CaseIterable, CustomStringConvertible {
        /// Directory mode 555, store 666 (only the directory stops a writer).
        case readOnlyDirectory
        /// Directory mode 777, store 444.
        case readOnlyFile
        var description: String { rawValue }
    }

    @Test("reads work, train and resume are refused naming what is not writable", arguments: Layout.allCases)
    func readOnly(_ layout: Layout) throws {
        let root = try TemporaryDirectory()
        defer {
            chmod(root.path("store"), 0o755)
            root.remove()
        }
        chmod(root.url.path, 0o755)
        let directory = root.url.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        let ids = try makeFixtureStore(in: directory)
        let store = directory.appendingPathComponent(RunStore.defaultFileName).path
        // The fixture's writer has closed: SQLite removed the -wal and -shm files with the last connection.
        #expect(!FileManager.default.fileExists(atPath: store + "-wal"))
        switch layout {
        case .readOnlyDirectory:
            chmod(store, 0o666)
            chmod(directory.path, 0o555)
        case .readOnlyFile:
            chmod(store, 0o444)
            chmod(directory.path, 0o777)
        }
        let before = try HostileInputTests.snapshot(directory)
        let entriesBefore = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()

        let list = try Self.runUnprivileged(["runs", "list"], in: directory)
        #expect(list.status == 0 && list.standardOutput.contains(ids.completed.rawValue), "\(list.standardError)")
        let show = try Self.runUnprivileged(["runs", "show", ids.completed.rawValue], in: directory)
        #expect(show.status == 0 && show.standardOutput.contains("status     completed"), "\(show.standardError)")
        let export = try Self.runUnprivileged(["runs", "export", ids.completed.rawValue], in: directory)
        // The fixture run has 6 steps: a header and 6 rows.
        #expect(export.status == 0 && export.standardOutput.split(separator: "\n").count == 7)

        let reason =
            layout == .readOnlyFile
            ? "cannot be written: the file is read-only" : "cannot be written: its directory"
        let train = try Self.runUnprivileged(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--epochs", "1"], in: directory)
        #expect(train.status == 1, "\(train.standardError)")
        #expect(train.standardError.contains("run store glidepath-runs.sqlite \(reason)"), "\(train.standardError)")
        let resume = try Self.runUnprivileged(["train", "--resume", ids.running.rawValue], in: directory)
        #expect(resume.status == 1, "\(resume.standardError)")
        #expect(resume.standardError.contains(reason), "\(resume.standardError)")
        if layout == .readOnlyDirectory {
            // A new store beside it cannot be created either, and is refused before the data is read.
            let fresh = try Self.runUnprivileged(
                ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--store", "new.sqlite"], in: directory)
            #expect(fresh.status == 1 && fresh.standardError.contains("new.sqlite cannot be written"))
        }
        // Nothing created (no -wal, -shm, checkpoint directory, new store) and nothing changed.
        let after = try HostileInputTests.snapshot(directory)
        #expect(after.keys.sorted() == before.keys.sorted())
        #expect(after == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == entriesBefore)
        #expect(entriesBefore == [RunStore.defaultFileName])
    }
}
