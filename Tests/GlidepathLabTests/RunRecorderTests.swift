import Foundation
import Glidepath
import Testing

@testable import GlidepathLab

@Suite("Run recorder")
struct RunRecorderTests {
    func epochRecord(_ epoch: Int) -> EpochRecord {
        EpochRecord(
            epoch: epoch, trainLoss: 1 / Double(epoch), validationLoss: 1 / Double(epoch), validationAccuracy: 0.5,
            validationF1: 0.5, validationAUC: nil, learningRates: [1e-3], trainSeconds: 1, evaluationSeconds: 0.25)
    }

    func state(epochs: Int, steps: Int, into: Int = 0) -> Checkpoint {
        Checkpoint(
            counters: TrainingCounters(completedEpochs: epochs, stepsIntoEpoch: into, completedSteps: steps),
            modelState: Data([UInt8(steps)]), optimizerState: Data(), schedulerState: .int(steps),
            randomState: Data(), loaderState: .null)
    }

    @Test("epochs commit steps, epoch and checkpoint together; old checkpoints are pruned; resume after an interrupt")
    func lifecycle() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock(start: fixedStart)
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: clock)
        let run = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        do {
            let recorder = try RunRecorder(store: store, run: run, retainedCheckpoints: 2, clock: clock)
            #expect(
                recorder.checkpointDirectory.path == directory.path("glidepath-checkpoints/runs.sqlite/\(run.rawValue)")
            )
            var step = 0
            for epoch in 1...3 {
                for _ in 1...2 {
                    step += 1
                    recorder.record(
                        StepRecord(step: step, epoch: epoch, loss: 1, learningRates: [1e-3], gradientNorm: nil))
                }
                // Until the epoch commits, nothing of it is in the store.
                #expect(try store.steps(of: run).count == 2 * (epoch - 1))
                try recorder.completeEpoch(epochRecord(epoch), checkpoint: state(epochs: epoch, steps: step))
            }
            #expect(try store.steps(of: run).map(\.step) == [1, 2, 3, 4, 5, 6])
            #expect(try store.epochs(of: run).map(\.epoch) == [1, 2, 3])
            // Retention 2: the epoch-1 checkpoint (step 2) lost its row and its file.
            #expect(try store.checkpoints(of: run).map(\.step) == [4, 6])
            let files = try FileManager.default.contentsOfDirectory(atPath: recorder.checkpointDirectory.path).sorted()
            #expect(files == [RunLease.fileName, "step-00000004-epoch.gpck", "step-00000006-epoch.gpck"].sorted())

            // Epoch 4: one step, then SIGTERM.
            recorder.record(StepRecord(step: 7, epoch: 4, loss: 1, learningRates: [1e-3], gradientNorm: nil))
            try recorder.interrupt(checkpoint: state(epochs: 3, steps: 7, into: 1))
            #expect(try store.run(run).status == .interrupted)
            // A step taken after the interrupt checkpoint but never committed (killed) is not in the store.
            recorder.record(StepRecord(step: 8, epoch: 4, loss: 1, learningRates: [1e-3], gradientNorm: nil))

            // While this recorder lives it holds the run's lease: a second one is refused, naming us.
            #expect {
                _ = try RunRecorder(store: store, run: run, clock: clock)
            } throws: { error in
                guard case let CheckpointError.runInUse(path, owner) = error else { return false }
                return path.hasSuffix("/\(run.rawValue)/\(RunLease.fileName)")
                    && owner == "this process (pid \(getpid()))"
            }
            withExtendedLifetime(recorder) {}
        }
        // The recorder is gone, and with it the lease: the run can be taken over.
        let resumed = try RunRecorder(store: store, run: run, clock: clock)
        let point = try #require(try resumed.resumePoint())
        #expect(point.record.reason == .interrupt && point.checkpoint == state(epochs: 3, steps: 7, into: 1))
        #expect(point.skipped.isEmpty)
        try store.rewind(run, to: point.record)
        #expect(try store.steps(of: run).last?.step == 7)
        #expect(try store.run(run).status == .running)

        // A damaged newest file is skipped (with its error) in favour of the previous checkpoint.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: point.record.path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: point.record.path))
        let fallback = try #require(try resumed.resumePoint())
        #expect(fallback.record.step == 6)
        #expect(fallback.skipped.count == 1 && fallback.skipped[0].record == point.record)

        try resumed.finish(status: .failed, result: nil)
        #expect(try store.run(run).status == .failed)
    }
}
