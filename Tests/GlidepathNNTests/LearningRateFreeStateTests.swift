import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Saving and restoring the learning-rate-free optimizers, Schedule-Free's two points, validation of
/// hyperparameters, and scheduler rates.
@Suite("Learning-rate-free optimizers: state, modes, validation")
struct LearningRateFreeStateTests {
    static let kinds = [
        "schedule-free-adamw", "schedule-free-sgd", "prodigy", "prodigy-sliced", "dog", "ldog",
        "dadapt-adam", "dadapt-sgd",
    ]

    /// Two groups: the weights with weight decay, the biases without.
    static func makeOptimizer(_ kind: String, _ network: Sequential) throws -> any Optimizer {
        let named = network.namedParameters
        let weights = named.filter { $0.name.hasSuffix("weight") }.map(\.tensor)
        let biases = named.filter { !$0.name.hasSuffix("weight") }.map(\.tensor)
        func two<H>(_ decayed: H, _ plain: H) -> [ParameterGroup<H>] {
            [
                ParameterGroup(parameters: weights, hyperparameters: decayed),
                ParameterGroup(parameters: biases, hyperparameters: plain),
            ]
        }
        switch kind {
        case "schedule-free-adamw":
            return try ScheduleFreeAdamW(
                groups: two(
                    .init(learningRate: 0.05, weightDecay: 0.01, warmupSteps: 3),
                    .init(learningRate: 0.05, warmupSteps: 3)))
        case "schedule-free-sgd":
            return try ScheduleFreeSGD(
                groups: two(
                    .init(learningRate: 0.2, weightDecay: 0.01, warmupSteps: 2),
                    .init(learningRate: 0.2)))
        case "prodigy":
            return try Prodigy(groups: two(.init(weightDecay: 0.01), .init()), shared: .init(biasCorrection: true))
        case "prodigy-sliced":
            return try Prodigy(
                groups: two(.init(weightDecay: 0.01), .init()),
                shared: .init(beta1: 0, decoupledWeightDecay: false, sliceStride: 2))
        case "dog":
            return try DoG(
                groups: two(
                    .init(relativeInitialDistance: 1e-3, weightDecay: 0.01), .init(relativeInitialDistance: 1e-3)))
        case "ldog":
            return try DoG(
                groups: two(.init(relativeInitialDistance: 1e-3), .init(relativeInitialDistance: 1e-3)),
                shared: .init(variant: .layerWise))
        case "dadapt-adam":
            return try DAdaptAdam(
                groups: two(.init(weightDecay: 0.01), .init(layerScale: 0.5)), shared: .init(d0: 1e-4))
        default:
            return try DAdaptSGD(groups: two(.init(weightDecay: 0.01), .init()), shared: .init(momentum: 0.9, d0: 1e-4))
        }
    }

    func network(seed: UInt64) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        return Sequential([
            try Linear(inputFeatures: 3, outputFeatures: 4, using: &generator), Activation(.relu),
            try Linear(inputFeatures: 4, outputFeatures: 2, using: &generator),
        ])
    }

    func train(_ network: Sequential, _ optimizer: any Optimizer, steps: Int) throws {
        let x = randomTensor([6, 3], seed: 7)
        let labels: [Int32] = [0, 1, 1, 0, 1, 0]
        let loss = try CrossEntropyLoss()
        for _ in 0..<steps {
            optimizer.clearGradients()
            try loss(network(x), labels).backward()
            optimizer.step()
        }
    }

    /// Training 8 updates equals training 4, saving the model (at the evaluation point, as the lab
    /// does) and the optimizer, loading both into fresh objects and training 4 more — bit for bit.
    @Test(.exclusiveEngineThreadCount, arguments: kinds)
    func resumeIsBitIdentical(kind: String) throws {
        let reference = try network(seed: 8)
        let referenceOptimizer = try Self.makeOptimizer(kind, reference)
        try train(reference, referenceOptimizer, steps: 8)

        let first = try network(seed: 8)
        let firstOptimizer = try Self.makeOptimizer(kind, first)
        try train(first, firstOptimizer, steps: 4)
        let optimizerState = try TensorArchive.decode(firstOptimizer.stateArchive().encoded())
        let modelState = firstOptimizer.withEvaluationParameters { first.stateArchive() }
        try train(first, firstOptimizer, steps: 4)
        #expect(first.stateArchive() == reference.stateArchive(), "saving must not perturb the run")

        let resumed = try network(seed: 99)
        try resumed.loadState(modelState)
        let resumedOptimizer = try Self.makeOptimizer(kind, resumed)
        try resumedOptimizer.loadState(optimizerState)
        try train(resumed, resumedOptimizer, steps: 4)
        #expect(resumed.stateArchive() == reference.stateArchive())
        #expect(resumedOptimizer.stateArchive() == referenceOptimizer.stateArchive())
        if let estimating = resumedOptimizer as? any StepSizeEstimating,
            let original = referenceOptimizer as? any StepSizeEstimating
        {
            #expect(estimating.stepSizeEstimates == original.stepSizeEstimates)
            #expect(!estimating.stepSizeEstimates.isEmpty)
        }
    }

    @Test(arguments: kinds)
    func loadErrorsLeaveTheOptimizerUnchanged(kind: String) throws {
        let model = try network(seed: 3)
        let optimizer = try Self.makeOptimizer(kind, model)
        try train(model, optimizer, steps: 2)
        let before = optimizer.stateArchive()
        let parameters = model.stateArchive()
        var wrongKind = before
        wrongKind.kind = "optimizer.adam"
        #expect(throws: StateFileError.wrongKind(expected: before.kind, found: "optimizer.adam")) {
            try optimizer.loadState(wrongKind)
        }
        var badStatistics = before
        badStatistics.metadata["statistics"] = "{\"step\": -1}"
        #expect(throws: StateFileError.self) { try optimizer.loadState(badStatistics) }
        var extra = before
        extra.entries.append(.init(name: "group0.param0.surplus", shape: [1], values: [0]))
        #expect(throws: StateFileError.unexpectedTensor(name: "group0.param0.surplus")) {
            try optimizer.loadState(extra)
        }
        var generator = SeededGenerator(seed: 1)
        let other = try Self.makeOptimizer(
            kind, Sequential([try Linear(inputFeatures: 3, outputFeatures: 1, using: &generator)]))
        #expect(throws: StateFileError.self) { try optimizer.loadState(other.stateArchive()) }
        #expect(optimizer.stateArchive() == before)
        #expect(model.stateArchive() == parameters)
    }

    // MARK: Schedule-Free's two points

    @Test(arguments: ["schedule-free-adamw", "schedule-free-sgd"])
    func evaluationPointAndExactReturn(kind: String) throws {
        let model = try network(seed: 5)
        let optimizer = try Self.makeOptimizer(kind, model)
        #expect(optimizer.mode == .training)
        try train(model, optimizer, steps: 5)
        let y = model.stateArchive()
        let x = optimizer.withEvaluationParameters { model.stateArchive() }
        #expect(model.stateArchive() == y, "withEvaluationParameters puts y back bit for bit")
        #expect(x != y)
        optimizer.setMode(.evaluation)
        #expect(optimizer.mode == .evaluation)
        #expect(model.stateArchive() == x, "setMode(.evaluation) reaches the same x")
        #expect(!optimizer.stateArchive().entries.contains { $0.name.hasSuffix(".y") }, "x is the model state")
        optimizer.setMode(.training)
        let yAgain = model.stateArchive().entries.map(\.values)
        for (a, b) in zip(yAgain.joined(), y.entries.map(\.values).joined()) {
            #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "train() after eval() returns to y up to rounding")
        }
        #expect(optimizer.stateArchive().entries.contains { $0.name.hasSuffix(".y") }, "training mode saves y")
    }

    /// An optimizer saved in evaluation mode resumes like an uninterrupted run that also went through
    /// eval() and train() (the reference's recommended checkpoint protocol).
    @Test(arguments: ["schedule-free-adamw", "schedule-free-sgd"])
    func checkpointInEvaluationModeResumes(kind: String) throws {
        let reference = try network(seed: 8)
        let referenceOptimizer = try Self.makeOptimizer(kind, reference)
        try train(reference, referenceOptimizer, steps: 3)
        referenceOptimizer.setMode(.evaluation)
        let modelState = reference.stateArchive(), optimizerState = referenceOptimizer.stateArchive()
        referenceOptimizer.setMode(.training)
        try train(reference, referenceOptimizer, steps: 3)

        let resumed = try network(seed: 1)
        try resumed.loadState(modelState)
        let resumedOptimizer = try Self.makeOptimizer(kind, resumed)
        try resumedOptimizer.loadState(optimizerState)
        #expect(resumedOptimizer.mode == .evaluation)
        resumedOptimizer.setMode(.training)
        try train(resumed, resumedOptimizer, steps: 3)
        #expect(resumed.stateArchive() == reference.stateArchive())
    }

    @Test func trainingPointMustBePresentWhenSavedInTrainingMode() throws {
        let model = try network(seed: 5)
        let optimizer = try Self.makeOptimizer("schedule-free-sgd", model)
        try train(model, optimizer, steps: 2)
        var archive = optimizer.stateArchive()
        archive.entries.removeAll { $0.name == "group0.param0.y" }
        #expect(throws: StateFileError.missingTensor(name: "group0.param0.y")) { try optimizer.loadState(archive) }
    }

    // MARK: Validation

    @Test func invalidHyperparametersAreRefusedWithTheFieldNamed() throws {
        let p = [Tensor.zeros(shape: [2]).requiringGradient()]
        func message(_ make: () throws -> Void) -> String {
            do { try make() } catch let error as NNError { return error.description } catch {
                return "unexpected \(error)"
            }
            return "accepted"
        }
        #expect(message { _ = try Prodigy(parameters: p, .init(), shared: .init(beta3: 1.5)) }.contains("beta3=1.5"))
        #expect(
            message { _ = try Prodigy(parameters: p, .init(), shared: .init(growthRate: 0.5)) }.contains(
                "growthRate=0.5"))
        #expect(message { _ = try Prodigy(parameters: p, .init(epsilon: 0)) }.contains("groups[0].epsilon=0"))
        #expect(
            message { _ = try Prodigy(parameters: p, .init(), shared: .init(sliceStride: 0)) }.contains("sliceStride=0")
        )
        #expect(
            message { _ = try DoG(parameters: p, .init(relativeInitialDistance: 0)) }.contains(
                "relativeInitialDistance"))
        #expect(
            message { _ = try DoG(parameters: p, .init(relativeInitialDistance: 0, initialStepSize: 1e-3)) }
                == "accepted")
        #expect(message { _ = try DoG(parameters: p, .init(epsilon: 0)) }.contains("groups[0].epsilon"))
        #expect(message { _ = try ScheduleFreeAdamW(parameters: p, .init(beta1: 1)) }.contains("groups[0].beta1=1.0"))
        #expect(message { _ = try ScheduleFreeSGD(parameters: p, .init(warmupSteps: -1)) }.contains("warmupSteps=-1"))
        #expect(
            message { _ = try DAdaptSGD(parameters: p, .init(), shared: .init(momentum: 1)) }.contains("momentum=1.0"))
        #expect(message { _ = try DAdaptAdam(parameters: p, .init(layerScale: -1)) }.contains("layerScale=-1.0"))
        let q = [Tensor.zeros(shape: [3]).requiringGradient()]
        let unequal = message {
            _ = try DAdaptAdam(groups: [
                ParameterGroup(parameters: p, hyperparameters: .init(learningRate: 1)),
                ParameterGroup(parameters: q, hyperparameters: .init(learningRate: 0.5)),
            ])
        }
        #expect(unequal.contains("groups[].learningRate") && unequal.contains("equal or 0"))
        let frozen = message {
            _ = try DAdaptAdam(groups: [
                ParameterGroup(parameters: p, hyperparameters: .init(learningRate: 1)),
                ParameterGroup(parameters: q, hyperparameters: .init(learningRate: 0)),
            ])
        }
        #expect(frozen == "accepted")
    }

    // MARK: Scheduler rates

    @Test func schedulersDriveTheMultiplierAndSharedMomentum() throws {
        let p = [Tensor.zeros(shape: [2]).requiringGradient()]
        let prodigy = try Prodigy(parameters: p, .init())
        let scheduler = try ClosedFormScheduler(OneCycleSchedule(maxLR: 1, totalSteps: 10), baseRates: [1])
        var receiver = prodigy
        scheduler.apply(to: &receiver)
        #expect(prodigy.learningRates == scheduler.learningRates)
        #expect(
            prodigy.shared.beta1 == scheduler.momenta?[0], "a one-cycle schedule moves Prodigy's β₁ as it moves Adam's")
        let dog = try DoG(parameters: p, .init())
        dog.receive(learningRates: [0.5], momenta: [0.1])
        #expect(dog.learningRates == [0.5])
        let sf = try ScheduleFreeSGD(parameters: p, .init())
        sf.receive(learningRates: [0.3], momenta: [0.8])
        #expect(sf.groups[0].hyperparameters.momentum == 0.8)
    }

    /// Prodigy and D-Adaptation make no move while there is no gradient information (‖s‖ = 0), as their
    /// references do. (Prodigy's decay is decoupled here; D-Adaptation SGD's ‖g₀‖ excludes decay. With
    /// coupled decay a zero gradient is not zero information: λx is the gradient.)
    @Test(arguments: ["prodigy", "dadapt-sgd"])
    func noGradientInformationNoMove(kind: String) throws {
        let model = try network(seed: 2)
        let optimizer = try Self.makeOptimizer(kind, model)
        let before = model.stateArchive()
        for parameter in model.parameters {
            parameter.withUnsafeMutableDataAndGradient { _, gradient in for i in gradient.indices { gradient[i] = 0 } }
        }
        optimizer.step()
        #expect(model.stateArchive() == before, "\(kind) moved without gradient information")
        optimizer.clearGradients()
        optimizer.step()
        #expect(model.stateArchive() == before, "\(kind) moved without gradients")
        #expect((optimizer as? any StepSizeEstimating)?.stepSizeEstimates == [1e-4, 1e-4] || kind == "prodigy")
    }
}
