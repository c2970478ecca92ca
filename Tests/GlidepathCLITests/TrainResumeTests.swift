import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// Exact resume: a run stopped at any point — SIGKILL mid-epoch, SIGINT mid-epoch, or with its newest
/// checkpoint damaged — and continued with `glidepath train --resume` must record the same steps and
/// epochs and reach the same result, bit for bit, as the same run left alone. The expected values are
/// not constants: they are the uninterrupted run's, from the same binary on the same data.
@Suite("glidepath train --resume", .serialized)
struct TrainResumeTests {
    @Test(
        "SIGKILL and SIGINT mid-epoch, and a damaged newest checkpoint, resume to the uninterrupted result",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func interruptedRunsResumeExactly() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = smallAdultArguments(dataDirectory: data)

        let baseline = try runGlidepath(arguments + ["--store", "baseline.sqlite"], in: directory.url)
        #expect(baseline.status == 0, "\(baseline.standardError)")
        let expected = try decodeResult(baseline)
        #expect(expected.status == .completed && expected.epochs == 3)
        let expectedRecord = try deterministicRecord(store: directory.path("baseline.sqlite"), run: expected.runId)
        #expect(expectedRecord.count == 3 * 8 + 3)  // 8 updates per epoch (1,024 / 128) and 3 epoch rows

        // 1. SIGKILL in the middle of epoch 2: only epoch 1 (and its checkpoint) is in the store.
        let killed = try WatchedGlidepath(
            arguments + ["--store", "killed.sqlite", "--step-delay-ms", "250"],
            in: directory.url)
        #expect(killed.waitFor("epoch 2/3 step 3/8"))
        killed.signal(SIGKILL)
        let killedOutcome = killed.finish()
        #expect(killed.process.terminationReason == .uncaughtSignal && killedOutcome.status == SIGKILL)
        let killedStore = directory.path("killed.sqlite")
        let killedRun = try #require(try RunStore(path: killedStore, access: .readOnly).runs().first)
        #expect(killedRun.status == .running && killedRun.epochsCompleted == 1)
        #expect(try RunStore(path: killedStore, access: .readOnly).steps(of: killedRun.id).count == 8)
        let resumed = try runGlidepath(
            ["train", "--resume", killedRun.id.rawValue, "--store", "killed.sqlite", "--json"],
            in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming after epoch 1"))
        #expect(deterministicFields(try decodeResult(resumed)) == deterministicFields(expected))
        #expect(try deterministicRecord(store: killedStore, run: killedRun.id.rawValue) == expectedRecord)

        // 2. SIGINT in the middle of epoch 2: a mid-epoch checkpoint, status interrupted, exit 130.
        let interrupted = try WatchedGlidepath(
            arguments + ["--store", "interrupted.sqlite", "--step-delay-ms", "250"],
            in: directory.url)
        #expect(interrupted.waitFor("epoch 2/3 step 3/8"))
        interrupted.signal(SIGINT)
        let interruptedOutcome = interrupted.finish()
        #expect(interruptedOutcome.status == 130, "\(interruptedOutcome.standardError)")
        #expect(interruptedOutcome.standardError.contains("resume with glidepath train --resume"))
        let interruptedStore = directory.path("interrupted.sqlite")
        let interruptedRun = try #require(try RunStore(path: interruptedStore, access: .readOnly).runs().first)
        #expect(interruptedRun.status == .interrupted)
        let lastCheckpoint = try #require(
            try RunStore(path: interruptedStore, access: .readOnly)
                .checkpoints(of: interruptedRun.id).last)
        #expect(lastCheckpoint.reason == .interrupt && lastCheckpoint.epoch == 1 && lastCheckpoint.step > 8)
        let continued = try runGlidepath(
            [
                "train", "--resume", interruptedRun.id.rawValue, "--store", "interrupted.sqlite",
                "--json",
            ], in: directory.url)
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(deterministicFields(try decodeResult(continued)) == deterministicFields(expected))
        #expect(try deterministicRecord(store: interruptedStore, run: interruptedRun.id.rawValue) == expectedRecord)

        // 3. SIGKILL in epoch 3, then the newest (epoch 2) checkpoint damaged: resume skips it with a
        //    warning, replays epoch 2 from the epoch 1 checkpoint, and still ends identically.
        let late = try WatchedGlidepath(
            arguments + ["--store", "damaged.sqlite", "--step-delay-ms", "250"],
            in: directory.url)
        #expect(late.waitFor("epoch 3/3 step 3/8"))
        late.signal(SIGKILL)
        _ = late.finish()
        let damagedStore = directory.path("damaged.sqlite")
        let damagedRun = try #require(try RunStore(path: damagedStore, access: .readOnly).runs().first)
        let checkpoints = try RunStore(path: damagedStore, access: .readOnly).checkpoints(of: damagedRun.id)
        #expect(checkpoints.map(\.epoch) == [1, 2])
        let newest = try #require(checkpoints.last)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest.path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest.path))
        let recovered = try runGlidepath(
            [
                "train", "--resume", damagedRun.id.rawValue, "--store", "damaged.sqlite",
                "--json",
            ], in: directory.url)
        #expect(recovered.status == 0, "\(recovered.standardError)")
        #expect(recovered.standardError.contains("warning: skipped a damaged checkpoint"))
        #expect(recovered.standardError.contains("resuming after epoch 1"))
        #expect(deterministicFields(try decodeResult(recovered)) == deterministicFields(expected))
        #expect(try deterministicRecord(store: damagedStore, run: damagedRun.id.rawValue) == expectedRecord)
    }

    @Test(
        "a run still being trained by a live process is refused; once that process is gone it resumes",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func liveRunIsNotResumedTwice() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 2 s per update: the owner needs 48 s in all, far longer than the refused attempt takes.
        let owner = try WatchedGlidepath(
            smallAdultArguments(dataDirectory: data) + ["--step-delay-ms", "2000"],
            in: directory.url)
        #expect(owner.waitFor("epoch 1/3 step 2/8"))
        let storePath = directory.path(RunStore.defaultFileName)
        let run = try #require(try RunStore(path: storePath, access: .readOnly).runs().first)
        #expect(run.status == .running)

        let second = try runGlidepath(["train", "--resume", run.id.rawValue], in: directory.url)
        #expect(second.status == 1)
        #expect(owner.process.isRunning)
        #expect(
            second.standardError.contains(
                "cannot resume run \(run.id.rawValue): the run is being trained by "
                    + "pid \(owner.process.processIdentifier)"), "\(second.standardError)")
        // The refusal changed nothing: the owner goes on to complete its epoch.
        #expect(owner.waitFor("epoch 1/3  train loss"))
        owner.signal(SIGKILL)
        _ = owner.finish()
        // The kernel released the dead owner's lock: the run can now be taken over.
        let resumed = try runGlidepath(["train", "--resume", run.id.rawValue, "--json"], in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try decodeResult(resumed).status == .completed)
    }

    @Test(
        "a run whose every checkpoint is damaged is refused and left as it was",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func damagedCheckpointsAreRefused() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try WatchedGlidepath(
            smallAdultArguments(dataDirectory: data) + ["--step-delay-ms", "250"],
            in: directory.url)
        #expect(child.waitFor("epoch 2/3 step 2/8"))
        child.signal(SIGKILL)
        _ = child.finish()
        let storePath = directory.path(RunStore.defaultFileName)
        let run = try #require(try RunStore(path: storePath, access: .readOnly).runs().first)
        let checkpoint = try #require(try RunStore(path: storePath, access: .readOnly).checkpoints(of: run.id).first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint.path))
        bytes[40] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: checkpoint.path))
        let before = try deterministicRecord(store: storePath, run: run.id.rawValue)

        let refused = try runGlidepath(["train", "--resume", run.id.rawValue], in: directory.url)
        #expect(refused.status == 1)
        let lines = refused.standardError.split(separator: "\n")
        #expect(
            lines.count == 1
                && lines[0].contains("cannot resume run \(run.id.rawValue): none of its 1 checkpoints can be used"),
            "\(refused.standardError)")
        #expect(try deterministicRecord(store: storePath, run: run.id.rawValue) == before)
        #expect(try RunStore(path: storePath, access: .readOnly).run(run.id).status == .running)
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint.path)) == bytes)

        let finished = try runGlidepath(
            smallAdultArguments(dataDirectory: data, epochs: 1, scheduler: "cosine")
                + ["--store", "other.sqlite"], in: directory.url)
        let result = try decodeResult(finished)
        let again = try runGlidepath(["train", "--resume", result.runId, "--store", "other.sqlite"], in: directory.url)
        #expect(again.status == 1 && again.standardError.contains("it has already completed"))
    }
}
