import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// A run recorded before scheduler configurations were typed (its store holds the scheduler object as
/// the user gave it, without defaults) is resumed by this build to exactly the result of the same run
/// left alone. The record is rewritten to the old form with the `sqlite3` tool between the interruption
/// and the resume.
@Suite("glidepath train --resume of a run recorded before typed configurations", .serialized)
struct RecordedConfigurationResumeTests {
    @Test(
        "a record in the old form decodes and resumes to the uninterrupted result",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func legacyRecordResumes() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(#"{"maxLR": 0.01}"#.utf8).write(to: URL(fileURLWithPath: directory.path("dlrs.json")))
        let arguments = smallAdultArguments(dataDirectory: data) + ["--scheduler-config", "dlrs.json"]

        let baseline = try runGlidepath(arguments + ["--store", "baseline.sqlite"], in: directory.url)
        #expect(baseline.status == 0, "\(baseline.standardError)")
        let expected = try decodeResult(baseline)
        let expectedRecord = try deterministicRecord(store: directory.path("baseline.sqlite"), run: expected.runId)

        let interrupted = try WatchedGlidepath(
            arguments + ["--store", "legacy.sqlite", "--step-delay-ms", "250"],
            in: directory.url)
        #expect(interrupted.waitFor("epoch 2/3 step 3/8"))
        interrupted.signal(SIGINT)
        #expect(interrupted.finish().status == 130)
        let store = directory.path("legacy.sqlite")
        let run = try #require(try RunStore(path: store, access: .readOnly).runs().first)

        // This build records every parameter; the version before typed configurations recorded only the
        // fields given, {"maxLR": 0.01, "name": "dlrs"}. Put that form back.
        let recorded = try RunStore(path: store, access: .readOnly).run(matching: run.id.rawValue).configurationJSON
        #expect(
            recorded.contains(#""schedulerConfiguration":{"decade":"exact","deltaD":0.5,"deltaI":0.1,"deltaO":1,"#),
            "\(recorded)")
        guard case .object(var fields) = try StateCoding.decoder().decode(StateValue.self, from: Data(recorded.utf8))
        else {
            throw CancellationError()
        }
        fields["schedulerConfiguration"] = .object(["maxLR": .double(0.01), "name": .string("dlrs")])
        let legacy = String(decoding: try StateCoding.encoder().encode(StateValue.object(fields)), as: UTF8.self)
        try sqlite(
            store,
            "UPDATE runs SET configuration = '\(legacy.replacingOccurrences(of: "'", with: "''"))' "
                + "WHERE id = '\(run.id.rawValue)'")
        #expect(try RunStore(path: store, access: .readOnly).run(matching: run.id.rawValue).configurationJSON == legacy)

        let resumed = try runGlidepath(
            ["train", "--resume", run.id.rawValue, "--store", "legacy.sqlite", "--json"],
            in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(deterministicFields(try decodeResult(resumed)) == deterministicFields(expected))
        #expect(try deterministicRecord(store: store, run: run.id.rawValue) == expectedRecord)
    }

    /// Runs one statement with the `sqlite3` command-line tool (installed by `make setup`).
    private func sqlite(_ path: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", path, statement]
        let error = Pipe()
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "sqlite3: \(message)")
    }
}
