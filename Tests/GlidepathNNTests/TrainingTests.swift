import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@Suite("Training behaviour")
struct TrainingTests {
    /// Two interleaved spirals (a classic non-linearly-separable task), 2-D points with Gaussian
    /// jitter from a seeded generator.
    static func spirals(count: Int, seed: UInt64) -> (Tensor, [Int32]) {
        var generator = SeededGenerator(seed: seed)
        var points: [Float] = [], labels: [Int32] = []
        for index in 0..<count {
            let label = Int32(index % 2)
            let t = Float(index / 2) / Float(count / 2) * 3 * .pi + 0.5
            let sign: Float = label == 0 ? 1 : -1
            let (n1, n2) = generator.nextNormalPair()
            points += [sign * t * cos(t) / 5 + 0.05 * n1, sign * t * sin(t) / 5 + 0.05 * n2]
            labels.append(label)
        }
        return (tensor([count, 2], points), labels)
    }

    static func trainSpirals(seed: UInt64, steps: Int) throws -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let model = Sequential([
            try Linear(inputFeatures: 2, outputFeatures: 32, using: &generator), Activation(.tanh),
            try Linear(inputFeatures: 32, outputFeatures: 32, using: &generator), Activation(.tanh),
            try Linear(inputFeatures: 32, outputFeatures: 2, using: &generator),
        ])
        let (x, labels) = spirals(count: 128, seed: seed + 1)
        let optimizer = try Adam(parameters: model.parameters, .init(learningRate: 0.02))
        let loss = try CrossEntropyLoss()
        var losses: [Float] = []
        for _ in 0..<steps {
            optimizer.clearGradients()
            let value = try loss(model(x), labels)
            value.backward()
            optimizer.step()
            losses.append(value.scalar)
        }
        return losses
    }

    @Test func sameSeedGivesBitIdenticalLosses() throws {
        let first = try Self.trainSpirals(seed: 3, steps: 5), second = try Self.trainSpirals(seed: 3, steps: 5)
        #expect(first == second)
        let other = try Self.trainSpirals(seed: 4, steps: 5)
        #expect(first != other)
    }

    /// The spirals are not linearly separable (a linear model stays near log 2 ≈ 0.693); a two-hidden-
    /// layer MLP with Adam must drive the loss well below that within 300 full-batch steps.
    @Test func mlpLearnsSpirals() throws {
        let losses = try Self.trainSpirals(seed: 5, steps: 300)
        let first = try #require(losses.first), last = try #require(losses.last)
        #expect(first > 0.6)
        #expect(last < 0.25, "loss \(first) → \(last)")
    }

    /// A sequence task only a recurrent model can solve: label 1 iff token 1 occurs before token 2 in
    /// a variable-length sequence (padding after the length is random, so masking must work).
    @Test func bidirectionalLSTMLearnsOrderTaskWithVariableLengths() throws {
        var generator = SeededGenerator(seed: 6)
        let batch = 32, steps = 8, vocabulary = 6
        var tokens: [Int32] = [], lengths: [Int] = [], labels: [Int32] = []
        for _ in 0..<batch {
            let length = 3 + Int(generator.next() % UInt64(steps - 2))
            var sequence = (0..<steps).map { _ in Int32(3 + generator.next() % UInt64(vocabulary - 3)) }
            let first = Int(generator.next() % UInt64(length)),
                second = (first + 1 + Int(generator.next() % UInt64(length - 1))) % length
            let oneFirst = generator.next() % 2 == 0
            sequence[min(first, second)] = oneFirst ? 1 : 2
            sequence[max(first, second)] = oneFirst ? 2 : 1
            tokens += sequence
            lengths.append(length)
            labels.append(oneFirst ? 1 : 0)
        }
        let embedding = try Embedding(vocabularySize: vocabulary, dimension: 8, paddingIndex: 0, using: &generator)
        let lstm = try LSTM(inputSize: 8, hiddenSize: 12, bidirectional: true, using: &generator)
        let head = try Linear(inputFeatures: 24, outputFeatures: 2, using: &generator)
        let optimizer = try Adam(
            parameters: embedding.parameters + lstm.parameters + head.parameters,
            .init(learningRate: 0.02))
        let loss = try CrossEntropyLoss()
        var values: [Float] = []
        for _ in 0..<80 {
            optimizer.clearGradients()
            let features = try lstm(try embedding(tokens, shape: [batch, steps]), lengths: lengths).lastLayerHidden
            let value = try loss(head(features), labels)
            value.backward()
            try GradientClipping.clipGradientNorm(optimizer.allParameters, maxNorm: 5)
            optimizer.step()
            values.append(value.scalar)
        }
        let first = try #require(values.first), last = try #require(values.last)
        #expect(last < 0.5 * first, "loss \(first) → \(last)")
    }

    /// A Glidepath scheduler drives the optimizer through `LearningRateReceiver` (here a minimal
    /// closed-form schedule written against the protocol).
    @Test func schedulerSetsGroupRatesAndMomentum() throws {
        struct Halving: LearningRateScheduler {
            struct State: Codable, Equatable, Sendable { var steps: Int }
            var stepCount = 0
            var learningRates: [Double] { [0.1 / Double(1 << stepCount), 0.2 / Double(1 << stepCount)] }
            var momenta: [Double]? { [0.85, 0.95] }
            var cadence: StepCadence { .perUpdate }
            mutating func step(_ observation: Observation) throws(SchedulerError) { stepCount += 1 }
            var state: State { State(steps: stepCount) }
            mutating func restore(_ state: State) throws(SchedulerError) { stepCount = state.steps }
        }
        let a = randomTensor([2], seed: 1).requiringGradient(), b = randomTensor([3], seed: 2).requiringGradient()
        var optimizer = try Adam(groups: [
            ParameterGroup(parameters: [a], hyperparameters: .init(learningRate: 1)),
            ParameterGroup(parameters: [b], hyperparameters: .init(learningRate: 1)),
        ])
        var scheduler = Halving()
        try scheduler.step()
        scheduler.apply(to: &optimizer)
        #expect(optimizer.learningRates == [0.05, 0.1])
        #expect(optimizer.groups.map(\.hyperparameters.beta1) == [0.85, 0.95])
        var sgd = try SGD(groups: [
            ParameterGroup(
                parameters: [randomTensor([1], seed: 3).requiringGradient()], hyperparameters: .init(learningRate: 1)),
            ParameterGroup(
                parameters: [randomTensor([1], seed: 4).requiringGradient()], hyperparameters: .init(learningRate: 1)),
        ])
        scheduler.apply(to: &sgd)
        #expect(sgd.groups.map(\.hyperparameters.momentum) == [0.85, 0.95])
    }

    /// `setTraining(false)` reaches every descendant: dropout becomes the identity and batch norm
    /// uses (and stops updating) its running statistics.
    @Test func trainingModeReachesEveryLayer() throws {
        let dropout = try Dropout(probability: 0.5, seed: 7)
        let norm = try BatchNorm.oneDimensional(features: 3)
        let model = Sequential([Sequential([dropout]), norm])
        let x = randomTensor([400, 3], seed: 8, low: 1, high: 2)
        let trained = dropout(x).scalars
        // Inverted dropout: survivors scaled by 1/(1 − p) = 2, about half zeroed (400·3 draws, 5σ ≈ 87).
        let zeros = trained.filter { $0 == 0 }.count
        #expect(abs(zeros - 600) < 87)
        #expect(zip(trained, x.scalars).allSatisfy { $0 == 0 || $0 == 2 * $1 })
        model.setTraining(false)
        #expect(!dropout.isTraining && !norm.isTraining)
        let statistics = norm.runningMean.scalars
        let evaluated = model(x)
        #expect(norm.runningMean.scalars == statistics)
        // Running statistics (0, 1) in evaluation: y = x/√(1 + ε).
        expectClose(evaluated.doubles, x.scalars.map { Double($0) / (1 + 1e-5).squareRoot() }, relativeTolerance: 1e-6)
    }

    @Test func invalidOptimizerConfigurationsThrow() throws {
        let p = randomTensor([2], seed: 1).requiringGradient()
        #expect(throws: NNError.self) { try SGD(parameters: [p], .init(learningRate: -1)) }
        #expect(throws: NNError.self) { try SGD(parameters: [p], .init(learningRate: 0.1, nesterov: true)) }
        #expect(throws: NNError.self) { try Adam(parameters: [p], .init(beta1: 1)) }
        #expect(throws: NNError.self) { try RMSprop(parameters: [p], .init(alpha: -0.1)) }
        #expect(throws: NNError.self) { try Adam(parameters: [p, p]) }
        #expect(throws: NNError.self) { try Adam(parameters: [randomTensor([2], seed: 2)]) }
        #expect(throws: NNError.self) { try GradientClipping.clipGradientNorm([p], maxNorm: 0) }
    }
}
