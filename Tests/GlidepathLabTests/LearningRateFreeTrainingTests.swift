import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// The learning-rate-free optimizers in the training loop (adult-mlp, 1,024 training examples = 8 updates
/// per epoch, 2 epochs): a run stopped mid-epoch and resumed records exactly what the uninterrupted run
/// records; step-size estimates are recorded per update; Schedule-Free evaluates and saves at x.
@Suite("Learning-rate-free optimizers in the training loop")
struct LearningRateFreeTrainingTests {
    func request(_ optimizer: OptimizerConfiguration, scheduler: String = "fixed", file: StateValue? = nil)
        throws -> TrainingRequest
    {
        try TrainingRequest(
            task: .adultMLP, scheduler: scheduler, schedulerFile: file, optimizer: optimizer, epochs: 2, seed: 4,
            dataDirectory: try TestEnvironment.requireDataDirectory().path, trainingLimit: 1024,
            evaluationLimit: 500)
    }

    /// Everything a run recorded that must not depend on being interrupted, bit for bit.
    func record(_ store: RunStore, _ run: RunIdentifier) throws -> [String] {
        let steps = try store.steps(of: run).map { step in
            "step \(step.step) \(step.loss.bitPattern) \(step.learningRates.map(\.bitPattern)) "
                + "\(step.stepSizes.map { $0.map(\.bitPattern) } ?? []) \(step.gradientNorm?.bitPattern ?? 0)"
        }
        let epochs = try store.epochs(of: run).map { epoch in
            "epoch \(epoch.epoch) \(epoch.trainLoss.bitPattern) \(epoch.validationLoss.bitPattern) "
                + "\(epoch.validationAccuracy) \(epoch.stepSizes.map { $0.map(\.bitPattern) } ?? [])"
        }
        return steps + epochs
    }

    func silent() -> ProgressReporter {
        ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
    }

    /// Runs `optimizer` uninterrupted, and again stopped after update 3 of epoch 2 (as SIGINT would) and
    /// resumed; the two must record the same steps, epochs and result. Returns the uninterrupted run.
    func expectExactResume(
        _ optimizer: OptimizerConfiguration, scheduler: String, file: StateValue?,
        in directory: TemporaryDirectory
    ) throws -> TrainingSession {
        let baseline = try TrainingSession.start(
            try request(optimizer, scheduler: scheduler, file: file),
            storePath: directory.path("baseline.sqlite"))
        guard case .finished(let expected) = try baseline.train(progress: silent(), monitor: nil) else {
            throw CancellationError()
        }
        let stopped: RunIdentifier
        do {
            // Scoped: the stopped session (and its lease on the run) is gone before the resume.
            let session = try TrainingSession.start(
                try request(optimizer, scheduler: scheduler, file: file),
                storePath: directory.path("stopped.sqlite"))
            let monitor = InterruptMonitor()
            let stopper = ProgressReporter(style: .lines(stepInterval: 1), clock: SystemClock()) { line in
                if line.hasPrefix("epoch 2/2 step 3/8") { monitor.request(.interrupt) }
            }
            guard case .interrupted = try session.train(progress: stopper, monitor: monitor) else {
                throw CancellationError()
            }
            #expect(try session.store.checkpoints(of: session.run).last?.reason == .interrupt)
            stopped = session.run
        }
        let (resumed, skipped) = try TrainingSession.resume(
            stopped.rawValue, storePath: directory.path("stopped.sqlite"))
        #expect(skipped.isEmpty)
        guard case .finished(let result) = try resumed.train(progress: silent(), monitor: nil) else {
            throw CancellationError()
        }
        #expect(try record(resumed.store, resumed.run) == (try record(baseline.store, baseline.run)))
        #expect(result.testLoss.bitPattern == expected.testLoss.bitPattern)
        #expect(result.bestValLoss.bitPattern == expected.bestValLoss.bitPattern)
        return baseline
    }

    /// Schedule-Free AdamW under a per-update cosine, weights-only scope (so the evaluation point goes
    /// through ``SharedRateOptimizer``): exact resume, and checkpoints hold x as the model state and y in
    /// the optimizer state — loading both and switching gives x again.
    @Test(
        "Schedule-Free: exact resume; checkpoints hold x as the model, y in the optimizer state",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func scheduleFree() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let optimizer = try OptimizerConfiguration(
            .object([
                "learningRate": .double(0.01), "warmupSteps": .int(4), "weightDecay": .double(0.001),
                "weightDecayScope": .string("weights-only"),
            ]), named: "scheduleFreeAdamW")
        let baseline = try expectExactResume(
            optimizer, scheduler: "cosine", file: .object(["cadence": .string("perUpdate")]),
            in: directory)
        let checkpoint = try #require(try baseline.store.checkpoints(of: baseline.run).last)
        let file = try CheckpointFile.read(from: checkpoint.path)
        let x = try TensorArchive.decode(file.modelState)
        let optimizerState = try TensorArchive.decode(file.optimizerState)
        #expect(optimizerState.entries.contains { $0.name.hasSuffix(".y") })
        var generator = SeededGenerator(seed: 1)
        let model = try TaskModelFactory.makeModel(TrainingTask.adultMLP.specification.model, using: &generator)
        let rebuilt = try baseline.configuration.optimizer.makeOptimizer(for: model)
        try model.module.loadState(x)
        try rebuilt.loadState(optimizerState)
        #expect(model.module.stateArchive() != x, "the parameters hold y after loading the optimizer")
        #expect(rebuilt.withEvaluationParameters { model.module.stateArchive() } == x)
    }

    /// Prodigy under `fixed` (no schedule): exact resume; d recorded after every update and at each
    /// epoch's end, never decreasing; the rate stays the multiplier 1.
    @Test(
        "Prodigy under fixed: exact resume; d recorded per update and per epoch",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func prodigy() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let optimizer = try OptimizerConfiguration(
            .object(["dCoef": .double(0.5), "weightDecay": .double(0.001)]),
            named: "prodigy")
        let baseline = try expectExactResume(optimizer, scheduler: "fixed", file: nil, in: directory)
        let steps = try baseline.store.steps(of: baseline.run)
        #expect(steps.count == 16)
        #expect(steps.allSatisfy { $0.learningRates == [1] }, "fixed: the reference's lr = 1 at every update")
        let d = steps.compactMap { $0.stepSizes?.first }
        #expect(d.count == 16)
        #expect(zip(d, d.dropFirst()).allSatisfy { $0 <= $1 }, "Prodigy's d never decreases")
        #expect(d.last ?? 0 > 1e-6, "d grew from d₀ = 1e-6: \(d)")
        #expect(try baseline.store.epochs(of: baseline.run).map { $0.stepSizes?.first } == [d[7], d[15]])
        #expect(baseline.configuration.optimizer.name == "prodigy")
        #expect(try RunConfiguration.decode(json: baseline.configuration.json()) == baseline.configuration)
    }
}
