import Foundation
import Glidepath
import GlidepathData
import GlidepathLab
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The task models and the training loop's cadence rules. Expected rates are recomputed from the stored
/// observations with a second scheduler built by the same factory (`SchedulerConfiguration`), so the
/// tests check that the loop fed each scheduler the right signal at the right time — not the schedulers'
/// arithmetic, which their own suites test.
@Suite("Training loop")
struct TrainingLoopTests {
    // MARK: Models

    @Test("task models have the documented parameter counts and PyTorch state_dict names")
    func modelDefinitions() throws {
        var generator = SeededGenerator(seed: 1)
        // Counts from docs/tasks.md, each the sum written there (e.g. 320 + 18,496 + 803,072 + 2,570).
        let expected: [(ModelArchitecture, Int, [String])] = [
            (
                .convolutional(.grayscale28), 824_458,
                ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"]
            ),
            (
                .convolutional(.color32), 1_070_794,
                ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"]
            ),
            (.perceptron(.adult), 61_058, ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]),
            (
                .recurrent(.imdb), 2_236_034,
                [
                    "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                    "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse",
                    "lstm.bias_hh_l0_reverse", "classifier.weight", "classifier.bias",
                ]
            ),
        ]
        for (architecture, count, names) in expected {
            let model = try TaskModelFactory.makeModel(architecture, using: &generator)
            #expect(model.module.parameterCount == count)
            #expect(architecture.parameterCount == count)
            #expect(model.module.namedParameters.map(\.name) == names)
        }
    }

    @Test("models map batches to [N, classes] logits and refuse a batch of another kind")
    func forwardShapes() throws {
        var generator = SeededGenerator(seed: 2)
        let cnn = try TaskModelFactory.makeModel(.convolutional(.grayscale28), using: &generator)
        let images = TrainingBatch(
            inputs: .images(features: [Float](repeating: 0.5, count: 3 * 784), shape: [3, 1, 28, 28]),
            labels: [0, 1, 2])
        #expect(try cnn.logits(images).shape == [3, 10])
        let text = try TaskModelFactory.makeModel(.recurrent(.sst2), using: &generator)
        // Row 2 has no tokens: it counts as one padding token (docs/tasks.md).
        let tokens = TrainingBatch(
            inputs: .tokens(ids: [5, 9, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0], shape: [3, 4], lengths: [2, 1, 0]),
            labels: [1, 0, 1])
        #expect(try text.logits(tokens).shape == [3, 2])
        #expect(throws: TrainingError.self) { try cnn.logits(tokens) }
        let mlp = try TaskModelFactory.makeModel(.perceptron(.adult), using: &generator)
        let wrongWidth = TrainingBatch(
            inputs: .features(values: [Float](repeating: 0, count: 10), shape: [1, 10]), labels: [0])
        #expect(throws: TrainingError.self) { try mlp.logits(wrongWidth) }
    }

    @Test("evaluation metrics: hand-computed loss, accuracy, F1 and AUC on a fixed linear model")
    func evaluationByHand() throws {
        // A 1-feature "MLP" is not a task model; use the adult MLP with weights set so that logits are
        // known: zero everywhere except the last layer's bias (b₀, b₁) = (0, ln 3) → p(class 1) = 3/4 for
        // every row, loss = −ln p(y): −ln(3/4) for label 1 and −ln(1/4) for label 0.
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.perceptron(.adult), using: &generator)
        for (name, tensor) in model.module.namedParameters {
            tensor.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = 0 }
                if name == "4.bias" { buffer[1] = Float(log(3.0)) }
            }
        }
        let labels: [Int32] = [1, 1, 1, 0]
        let source = FixedTabularSource(rows: 4, width: 108, labels: labels)
        let result = try Evaluation.evaluate(model, on: source, classCount: 2)
        let expectedLoss = (3 * -log(0.75) - log(0.25)) / 4
        expectClose(result.loss, expectedLoss, relativeTolerance: 1e-6)  // Float logits: ln 3 rounded to Float
        #expect(result.accuracy == 0.75)  // every row predicted 1
        // Class 1: TP 3, FP 1, FN 0 → F1 6/7; class 0: TP 0 → F1 0; macro = 3/7.
        expectClose(result.macroF1, 3.0 / 7, relativeTolerance: 1e-12)
        #expect(result.auc == 0.5)  // all scores tie: AUC ½ (Mann–Whitney with ties worth ½)
    }

    // MARK: The loop on real data (adult-mlp, 1,024 training examples = 8 updates per epoch)

    private func train(
        _ scheduler: String, _ file: StateValue? = nil, epochs: Int = 3, seed: UInt64 = 5,
        in directory: TemporaryDirectory
    ) throws -> (TrainingSession, RunResultRecord) {
        let data = try TestEnvironment.requireDataDirectory()
        let request = try TrainingRequest(
            task: .adultMLP, scheduler: scheduler, schedulerFile: file, epochs: epochs, seed: seed,
            dataDirectory: data.path, trainingLimit: 1024, evaluationLimit: 500)
        let session = try TrainingSession.start(request, storePath: directory.path("runs-\(scheduler)-\(seed).sqlite"))
        let silent = ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
        guard case .finished(let result) = try session.train(progress: silent, monitor: nil) else {
            Issue.record("the run was interrupted")
            throw CancellationError()
        }
        return (session, result)
    }

    @Test(
        "per-epoch closed form, per-update closed form, DLRS and plateau each step at their cadence with their signal",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func cadenceRules() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let updates = 8
        func steps(_ session: TrainingSession) throws -> [StepRecord] { try session.store.steps(of: session.run) }
        func epochs(_ session: TrainingSession) throws -> [EpochRecord] { try session.store.epochs(of: session.run) }

        // Per epoch, no signal: StepLR(1, ½) — epoch e trains at 1e-3·½^(e−1).
        let (stepped, _) = try train("step", .object(["stepSize": .int(1), "gamma": .double(0.5)]), in: directory)
        for step in try steps(stepped) {
            #expect(step.learningRates == [1e-3 * pow(0.5, Double(step.epoch - 1))])
        }

        // Per update: cosine with tMax filled in as 3 epochs × 8 updates; update k uses η(k − 1) (PyTorch's
        // optimizer.step(); scheduler.step() order).
        let (cosine, _) = try train("cosine", .object(["cadence": .string("perUpdate")]), in: directory)
        guard case .object(let resolved) = cosine.configuration.schedulerConfiguration else {
            throw CancellationError()
        }
        #expect(resolved["tMax"] == .int(3 * updates))
        var reference = try SchedulerConfiguration(cosine.configuration.schedulerConfiguration).makeScheduler(
            baseRates: [1e-3])
        for step in try steps(cosine) {
            #expect(step.learningRates == reference.learningRates, "update \(step.step)")
            try reference.step(.empty)
        }

        // DLRS: stepped once per epoch with that epoch's batch losses, in order.
        let (dlrs, _) = try train("dlrs", in: directory)
        var dlrsReference = try SchedulerConfiguration(dlrs.configuration.schedulerConfiguration).makeScheduler(
            baseRates: [1e-3])
        let dlrsSteps = try steps(dlrs)
        for epoch in 1...3 {
            let ofEpoch = dlrsSteps.filter { $0.epoch == epoch }
            #expect(ofEpoch.count == updates)
            #expect(ofEpoch.allSatisfy { $0.learningRates == dlrsReference.learningRates }, "epoch \(epoch)")
            try dlrsReference.step(Observation(losses: ofEpoch.map(\.loss)))
        }
        // The rate moved: DLRS is not a constant schedule on this run.
        #expect(Set(dlrsSteps.map { $0.learningRates[0] }).count > 1)

        // Plateau in max mode with patience 0: every epoch whose validation loss does not rise is "bad",
        // so the rate follows the validation losses the loop fed it.
        let plateau = StateValue.object(["mode": .string("max"), "patience": .int(0), "factor": .double(0.5)])
        let (reduce, _) = try train("reduceOnPlateau", plateau, in: directory)
        var plateauReference = try SchedulerConfiguration(reduce.configuration.schedulerConfiguration)
            .makeScheduler(baseRates: [1e-3])
        let reduceSteps = try steps(reduce)
        for epoch in try epochs(reduce) {
            #expect(
                reduceSteps.filter { $0.epoch == epoch.epoch }.allSatisfy {
                    $0.learningRates == plateauReference.learningRates
                })
            try plateauReference.step(Observation(metric: epoch.validationLoss))
        }
        #expect(Set(reduceSteps.map { $0.learningRates[0] }).count > 1)
    }

    @Test(
        "MLR-SNet is stepped with each update's own loss before that update",
        .enabled(
            if: TestEnvironment.dataTestsEnabled && TestEnvironment.weightsTestsEnabled,
            "needs GLIDEPATH_DATA_DIR and GLIDEPATH_WEIGHTS_DIR"))
    func mlrsnetReadsTheCurrentLoss() throws {
        let weights = try TestEnvironment.requireWeightsDirectory().appendingPathComponent("mlrsnet")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let paths = ["1", "100", "200"].map {
            StateValue.string(weights.appendingPathComponent("mlr_snet_\($0).pth").path)
        }
        let (session, _) = try train("mlrsnet", .object(["weights": .array(paths)]), in: directory)
        guard case .object(let resolved) = session.configuration.schedulerConfiguration else {
            throw CancellationError()
        }
        // Filled from the run: 3 epochs × 8 updates, the reference's epoch boundaries N/3·B and 2N/3·B.
        #expect(resolved["totalSteps"] == .int(24) && resolved["numClasses"] == .int(2))
        #expect(resolved["switchAt"] == .array([.int(8), .int(16)]))
        var reference = try SchedulerConfiguration(session.configuration.schedulerConfiguration).makeScheduler(
            baseRates: [1e-3])
        for step in try session.store.steps(of: session.run) {
            try reference.step(Observation(losses: [step.loss]))
            #expect(step.learningRates == reference.learningRates, "update \(step.step)")
        }
    }

    @Test(
        "an MLR-SNet inside a warm-up or a sequence is stepped with each update's own loss before that update too",
        .enabled(
            if: TestEnvironment.dataTestsEnabled && TestEnvironment.weightsTestsEnabled,
            "needs GLIDEPATH_DATA_DIR and GLIDEPATH_WEIGHTS_DIR"))
    func nestedMLRSNetReadsTheCurrentLoss() throws {
        let weights = try TestEnvironment.requireWeightsDirectory().appendingPathComponent("mlrsnet")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let paths = ["1", "100", "200"].map {
            StateValue.string(weights.appendingPathComponent("mlr_snet_\($0).pth").path)
        }
        let net = StateValue.object(["name": .string("mlrsnet"), "weights": .array(paths)])
        let halfRate = StateValue.object([
            "name": .string("constant"), "factor": .double(0.5), "totalIters": .int(100),
            "cadence": .string("perUpdate"),
        ])
        let cases: [(String, StateValue)] = [
            ("warmup", .object(["steps": .int(4), "scheduler": net])),
            ("sequential", .object(["milestones": .array([.int(6)]), "schedulers": .array([halfRate, net])])),
        ]
        for (name, file) in cases {
            let (session, _) = try train(name, file, in: directory)
            // The nested MLR-SNet was resolved from the run: 3 epochs × 8 updates, less the 4 or 6 before it.
            guard case .object(let resolved) = session.configuration.schedulerConfiguration else {
                throw CancellationError()
            }
            let inner: StateValue? =
                name == "warmup"
                ? resolved["scheduler"]
                : {
                    if case .array(let children)? = resolved["schedulers"] { return children.last }
                    return nil
                }()
            guard case .object(let mlrsnet)? = inner else { Issue.record("\(resolved)"); continue }
            #expect(mlrsnet["totalSteps"] == .int(name == "warmup" ? 20 : 18) && mlrsnet["numClasses"] == .int(2))
            // A reference built from the record and stepped with each update's loss *before* reading the rate
            // reports exactly the rates every update used: the composite forwarded the current loss.
            var reference = try SchedulerConfiguration(session.configuration.schedulerConfiguration).makeScheduler(
                baseRates: [1e-3])
            #expect(reference.needs == .currentLoss)
            var rates: Set<Double> = []
            for step in try session.store.steps(of: session.run) {
                try reference.step(Observation(losses: [step.loss]))
                #expect(step.learningRates == reference.learningRates, "\(name) update \(step.step)")
                rates.insert(step.learningRates[0])
            }
            #expect(rates.count > 10, "\(name): the MLR-SNet part moved the rate with the losses")
        }
    }

    @Test(
        "same seed and configuration give a bit-identical run; another seed does not",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func determinism() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        defer { first.remove(); second.remove() }
        let (a, resultA) = try train("dlrs", epochs: 2, in: first)
        let (b, resultB) = try train("dlrs", epochs: 2, in: second)
        let (c, _) = try train("dlrs", epochs: 2, seed: 6, in: directory)
        let lossesA = try a.store.steps(of: a.run).map { $0.loss.bitPattern }
        #expect(lossesA == (try b.store.steps(of: b.run).map { $0.loss.bitPattern }))
        #expect(resultA.testLoss.bitPattern == resultB.testLoss.bitPattern)
        #expect(resultA.bestValLoss.bitPattern == resultB.bestValLoss.bitPattern)
        #expect(lossesA != (try c.store.steps(of: c.run).map { $0.loss.bitPattern }))
    }

    @Test(
        "the CNN learns on a real MNIST subset: training and validation loss fall",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func cnnLearnsOnMNIST() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 640 examples = 10 updates of 64 per epoch; ln 10 ≈ 2.303 is the loss of a uniform guess.
        let request = try TrainingRequest(
            task: .mnistCNN, scheduler: "constant", schedulerFile: .object(["factor": .int(1)]),
            epochs: 2, seed: 1, dataDirectory: data.path, threads: 2, trainingLimit: 640,
            evaluationLimit: 300)
        let session = try TrainingSession.start(request, storePath: directory.path("runs.sqlite"))
        defer { try? Engine.setThreadCount(1) }  // the run set 2 process-wide; leave the default behind
        let silent = ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
        _ = try session.train(progress: silent, monitor: nil)
        let epochs = try session.store.epochs(of: session.run)
        let steps = try session.store.steps(of: session.run)
        #expect(epochs.count == 2 && steps.count == 20)
        #expect(epochs[1].trainLoss < epochs[0].trainLoss)
        #expect(epochs[1].validationLoss < epochs[0].validationLoss)
        #expect(epochs[1].validationLoss < log(10.0))
        #expect(steps.allSatisfy { ($0.gradientNorm ?? 0) > 0 })
    }
}

/// Rows of zeros with given labels.
private struct FixedTabularSource: TrainingBatchSource {
    let rows: Int
    let width: Int
    let labels: [Int32]
    var count: Int { rows }
    func trainingBatch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TrainingBatch {
        TrainingBatch(
            inputs: .features(
                values: [Float](repeating: 0, count: indices.count * width), shape: [indices.count, width]),
            labels: indices.map { labels[$0] })
    }
}
