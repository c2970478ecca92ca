import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

/// Issue 17, data loss: `runs export -o FILE` replaced whatever was at FILE by an atomic rename — a
/// symlink became a regular file, FIFOs and device nodes were replaced, hard links split, a mode-600 file
/// became 644. `OutputFile` writes through or refuses instead.
@Suite("glidepath runs export -o: never replaces a link, FIFO, device or hard link")
struct RunsExportOutputTests {
    /// The expected CSV of the fixture's completed run (what standard output gets).
    func expectedCSV(_ directory: TemporaryDirectory, _ run: RunIdentifier) throws -> String {
        let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
        return try RunExport.export(try store.run(run), from: store, table: .steps, format: .csv)
    }

    func export(_ run: RunIdentifier, to output: String, in directory: TemporaryDirectory) throws -> ProcessOutcome {
        try runGlidepath(["runs", "export", run.rawValue, "-o", output], in: directory.url)
    }

    func info(_ path: String, follow: Bool = false) -> stat {
        var status = stat()
        _ = follow ? stat(path, &status) : lstat(path, &status)
        return status
    }

    @Test("a symbolic link is written through: the target gets the export, the link stays a link")
    func symbolicLink() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (run, _) = try makeFixtureStore(in: directory.url)
        let target = directory.path("target.csv")
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        let link = directory.path("link.csv")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
        let outcome = try export(run, to: link, in: directory)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(info(link).st_mode & S_IFMT == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.csv")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == (try expectedCSV(directory, run)))

        // A dangling link is refused, and nothing is created.
        let dangling = directory.path("dangling.csv")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "nowhere.csv")
        let refused = try export(run, to: dangling, in: directory)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("runs export: cannot write the output file \(dangling)"))
        #expect(refused.standardError.contains("symbolic link to a file that does not exist"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("nowhere.csv")))
    }

    @Test("an existing file keeps its mode; a hard-linked file is written in place, its links intact")
    func modeAndHardLinks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (run, _) = try makeFixtureStore(in: directory.url)
        let expected = try expectedCSV(directory, run)
        let secret = directory.path("secret.csv")
        #expect(
            FileManager.default.createFile(
                atPath: secret, contents: Data("old".utf8),
                attributes: [.posixPermissions: 0o600]))
        #expect(try export(run, to: secret, in: directory).status == 0)
        #expect(info(secret).st_mode & 0o7777 == 0o600)
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == expected)

        let original = directory.path("a.csv")
        let alias = directory.path("b.csv")
        try Data("old".utf8).write(to: URL(fileURLWithPath: original))
        #expect(link(original, alias) == 0)
        let inode = info(original).st_ino
        #expect(try export(run, to: alias, in: directory).status == 0)
        #expect(info(original).st_nlink == 2 && info(alias).st_ino == inode)
        #expect(try String(contentsOfFile: original, encoding: .utf8) == expected)
    }

    @Test("a FIFO is written through, never replaced")
    func fifo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (run, _) = try makeFixtureStore(in: directory.url)
        let fifo = directory.path("pipe.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        // The reader is a child process (`cat`), so neither side can block this test process.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        let outcome = try export(run, to: fifo, in: directory)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let received = pipe.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(String(decoding: received, as: UTF8.self) == (try expectedCSV(directory, run)))
        #expect(info(fifo).st_mode & S_IFMT == S_IFIFO)
    }

    @Test(
        "a character device is written through (/dev/full: the write error is reported as the export's); a directory is refused"
    )
    func devicesAndDirectories() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (run, _) = try makeFixtureStore(in: directory.url)
        let before = info("/dev/full")
        let full = try export(run, to: "/dev/full", in: directory)
        #expect(full.status == 1)
        #expect(
            full.standardError.contains("runs export: cannot write the output file /dev/full: No space left on device"))
        #expect(!full.standardError.contains("checkpoint"))
        let after = info("/dev/full")
        #expect(after.st_mode == before.st_mode && after.st_rdev == before.st_rdev && after.st_ino == before.st_ino)

        let null = try export(run, to: "/dev/null", in: directory)
        #expect(null.status == 0 && null.standardOutput.isEmpty)
        #expect(info("/dev/null").st_mode & S_IFMT == S_IFCHR)

        let stdout = try export(run, to: "/dev/stdout", in: directory)
        let expected = try expectedCSV(directory, run)
        #expect(stdout.status == 0 && stdout.standardOutput == expected)

        let folder = directory.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let refused = try export(run, to: folder, in: directory)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("cannot write the output file \(folder): it is a directory"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
