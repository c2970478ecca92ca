import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

/// Issue 17's first data-loss finding, through the binary: `cp -a projA projB; cd projB; glidepath train
/// --resume RUN` read projA's checkpoints and then deleted them. Checkpoint paths are stored relative
/// to the store (`CheckpointPathTests` checks the library); here the built `glidepath` resumes the copy,
/// projA stays byte for byte as it was, and projA's run still resumes — to the same result as the
/// copy's, bit for bit, since both continue from the same checkpoint.
@Suite("glidepath train --resume in a copied project (cp -a)")
struct CopiedProjectResumeTests {
    /// Every regular file under `directory` (relative path → bytes).
    func snapshot(_ directory: String) throws -> [String: Data] {
        try HostileInputTests.snapshot(URL(fileURLWithPath: directory))
    }

    @Test(
        "the copy resumes from its own checkpoints; the original is untouched and still resumes to the same result",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func copiedProject() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let projectA = root.url.appendingPathComponent("projA")
        let projectB = root.url.appendingPathComponent("projB")
        try FileManager.default.createDirectory(at: projectA, withIntermediateDirectories: false)

        // An interrupted run in projA: SIGINT in epoch 2 leaves epoch 1's and an interrupt checkpoint.
        let training = try WatchedGlidepath(
            smallAdultArguments(dataDirectory: data) + ["--step-delay-ms", "250"], in: projectA)
        #expect(training.waitFor("epoch 2/3 step 3/8"))
        training.signal(SIGINT)
        let stopped = training.finish()
        #expect(stopped.status == 130, "\(stopped.standardError)")
        let storeA = projectA.appendingPathComponent(RunStore.defaultFileName).path
        let run = try #require(try RunStore(path: storeA, access: .readOnly).runs().first)
        #expect(run.status == .interrupted)
        #expect(try RunStore(path: storeA, access: .readOnly).checkpoints(of: run.id).count == 2)

        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", projectA.path, projectB.path]
        try copy.run()
        copy.waitUntilExit()
        #expect(copy.terminationStatus == 0)
        let original = try snapshot(projectA.path)
        #expect(original.keys.contains { $0.hasSuffix("-interrupt.gpck") })

        // Resuming the copy reads and prunes only the copy's files.
        let resumedCopy = try runGlidepath(["train", "--resume", run.id.rawValue, "--json"], in: projectB)
        #expect(resumedCopy.status == 0, "\(resumedCopy.standardError)")
        #expect(resumedCopy.standardError.contains("resuming after epoch 1"), "\(resumedCopy.standardError)")
        let copyResult = try decodeResult(resumedCopy)
        #expect(copyResult.status == .completed && copyResult.epochs == 3)
        #expect(try snapshot(projectA.path) == original, "projA is byte for byte as it was")

        // The original still resumes, from its own checkpoint, to the same result.
        let resumedOriginal = try runGlidepath(["train", "--resume", run.id.rawValue, "--json"], in: projectA)
        #expect(resumedOriginal.status == 0, "\(resumedOriginal.standardError)")
        #expect(!resumedOriginal.standardError.contains("skipped"), "\(resumedOriginal.standardError)")
        #expect(deterministicFields(try decodeResult(resumedOriginal)) == deterministicFields(copyResult))
        #expect(
            try deterministicRecord(store: storeA, run: run.id.rawValue)
                == deterministicRecord(
                    store: projectB.appendingPathComponent(RunStore.defaultFileName).path, run: run.id.rawValue))
    }
}
