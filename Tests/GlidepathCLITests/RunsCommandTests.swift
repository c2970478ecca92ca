import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

@Suite("glidepath runs")
struct RunsCommandTests {
    @Test("runs list and runs show print their golden text")
    func listAndShow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (completed, running) = try makeFixtureStore(in: directory.url)
        let list = try runGlidepath(["runs", "list"], in: directory.url)
        #expect(list.status == 0, "\(list.standardError)")
        expectGolden(list.standardOutput, named: "runs-list.txt")
        let show = try runGlidepath(["runs", "show", completed.rawValue], in: directory.url)
        #expect(show.status == 0, "\(show.standardError)")
        expectGolden(show.standardOutput, named: "runs-show-completed.txt")
        // A unique prefix selects the run; --store names the file explicitly.
        let prefix = try runGlidepath(
            [
                "runs", "show", String(running.rawValue.prefix(15)), "--store",
                directory.path(RunStore.defaultFileName),
            ], in: URL(fileURLWithPath: "/"))
        #expect(prefix.status == 0, "\(prefix.standardError)")
        expectGolden(prefix.standardOutput, named: "runs-show-running.txt")
    }

    @Test("runs export writes what the library exports, to stdout or a file")
    func export() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (completed, _) = try makeFixtureStore(in: directory.url)
        let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
        let run = try store.run(completed)
        for format in RunExport.Format.allCases {
            for table in RunExport.Table.allCases {
                let outcome = try runGlidepath(
                    [
                        "runs", "export", completed.rawValue, "--format", format.rawValue,
                        "--table", table.rawValue,
                    ], in: directory.url)
                #expect(outcome.status == 0, "\(outcome.standardError)")
                #expect(
                    outcome.standardOutput == (try RunExport.export(run, from: store, table: table, format: format)))
            }
        }
        // 6 steps → header + 6 lines in CSV.
        let file = directory.path("steps.csv")
        let outcome = try runGlidepath(["runs", "export", completed.rawValue, "-o", file], in: directory.url)
        #expect(outcome.status == 0 && outcome.standardOutput.isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 7)
    }

    @Test("missing store, unknown run, foreign file and newer schema fail clearly")
    func errors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = try runGlidepath(["runs", "list"], in: directory.url)
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("no run store at glidepath-runs.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: directory.path(RunStore.defaultFileName)))

        try makeFixtureStore(in: directory.url)
        let unknown = try runGlidepath(["runs", "show", "20991231-235959-0001"], in: directory.url)
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("no run '20991231-235959-0001'"))
        let badFormat = try runGlidepath(["runs", "export", "2026", "--format", "xml"], in: directory.url)
        #expect(badFormat.status != 0 && badFormat.standardError.contains("xml"))

        try Data("not a database".utf8).write(to: URL(fileURLWithPath: directory.path("notes.txt")))
        let foreign = try runGlidepath(["runs", "list", "--store", "notes.txt"], in: directory.url)
        #expect(foreign.status != 0 && foreign.standardError.contains("not a Glidepath run store"))

        // A newer Glidepath's store: user_version 7 written into the SQLite header (big-endian at offset 60),
        // which is where SQLite keeps it once the WAL is checkpointed on close.
        let path = directory.path(RunStore.defaultFileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.replaceSubrange(60..<64, with: [0, 0, 0, 7])
        try bytes.write(to: URL(fileURLWithPath: path))
        let newer = try runGlidepath(["runs", "list"], in: directory.url)
        #expect(newer.status != 0)
        #expect(newer.standardError.contains("schema version 7, newer than the \(RunStore.schemaVersion)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }
}
