import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// Issue 17: `train --resume RUN --data-dir D` over changed data was accepted and changed the result.
/// The run records its dataset files' sizes and CRC-32s; a resume over different files is refused
/// unless forced.
@Suite("Data fingerprints: a resume over changed data is refused unless forced")
struct DataFingerprintTests {
    @Test("differences name each changed, missing and new file")
    func differences() {
        let recorded = ["a": "10:00000001", "b": "20:00000002", "c": "30:00000003"]
        let current = ["a": "10:00000001", "b": "21:00000009", "d": "5:00000004"]
        #expect(
            DataFingerprint.differences(recorded: recorded, current: current)
                == ["b changed (20:00000002 → 21:00000009)", "c is missing", "d is new"])
        #expect(DataFingerprint.differences(recorded: recorded, current: recorded).isEmpty)
    }

    @Test(
        "a run records its data's fingerprint; one changed byte refuses the resume; --force resumes",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func resumeOverChangedData() throws {
        let source = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source.appendingPathComponent("adult").path, toPath: data + "/adult")
        let store = directory.path("runs.sqlite")
        let request = try TrainingRequest(
            task: .adultMLP, scheduler: "cosine", epochs: 1, seed: 1, dataDirectory: data,
            trainingLimit: 1024, evaluationLimit: 200)
        let run: String
        do {
            // Started, never trained: the run is `running` with no checkpoint (as if killed at once).
            let session = try TrainingSession.start(request, storePath: store)
            run = session.run.rawValue
            let recorded = try session.store.run(session.run).configuration().dataFingerprint
            #expect(recorded?.keys.sorted() == ["adult.data", "adult.names", "adult.test"])
            #expect(recorded == DataFingerprint.of(task: .adultMLP, dataDirectory: data))
        }
        // One byte changed in the training file: same size, another CRC.
        let file = URL(fileURLWithPath: data + "/adult/adult.data")
        var bytes = try Data(contentsOf: file)
        bytes[100] = bytes[100] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try bytes.write(to: file)
        #expect {
            _ = try TrainingSession.resume(run, storePath: store)
        } throws: { error in
            guard case let TrainingError.notResumable(runId, reason) = error else { return false }
            return runId == run && reason.contains("adult.data changed (3974305:") && reason.contains("--force")
        }
        let (forced, _) = try TrainingSession.resume(run, storePath: store, force: true)
        #expect(forced.run.rawValue == run)
    }
}
