import Foundation
import Glidepath
import GlidepathMLRSNet
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The one-step hypergradient of `MLRSNetMetaTrainer` against central finite differences of the
/// meta-loss M(θ) = L_meta(w − γ·a(θ; L, h)·(g + λw)).
@Suite("MLR-SNet meta-gradient")
struct MLRSNetMetaGradientTests {
    /// A small classifier, 6 → 16 → 3, and random batches: large enough that the virtual step moves the
    /// meta-loss visibly, small enough that every evaluation is cheap.
    static func makeProblem(seed: UInt64, convention: MLRSNetGateConvention)
        throws -> (trainer: MLRSNetMetaTrainer, batches: [LabelledBatch], meta: LabelledBatch)
    {
        var generator = SeededGenerator(seed: seed)
        let model = Sequential([
            try Linear(inputFeatures: 6, outputFeatures: 16, using: &generator), Activation(.relu),
            try Linear(inputFeatures: 16, outputFeatures: 3, using: &generator),
        ])
        func batch(_ count: Int) -> LabelledBatch {
            let inputs = Tensor.normal(shape: [count, 6], using: &generator)
            let labels = (0..<count).map { _ in Int32(generator.next() % 3) }
            return LabelledBatch(inputs: inputs, labels: labels)
        }
        let batches = (0..<4).map { _ in batch(32) }
        let meta = batch(48)
        let net = DifferentiableMLRSNet(
            weights: DifferentiableMLRSNet.initialWeights(using: &generator),
            convention: convention)
        // γ = 2: a large virtual step, so L_meta depends strongly on a (the check is then not drowned by
        // float32 rounding of L_meta). metaInterval 1000: the warm-up steps make no meta-updates.
        let trainer = try MLRSNetMetaTrainer(
            model: model, net: net, scale: 2,
            settings: MLRSNetMetaTrainingSettings(metaInterval: 1000, convention: convention))
        return (trainer, batches, meta)
    }

    @Test(
        "∂L_meta/∂θ matches central differences (both conventions, non-zero LSTM state)",
        arguments: MLRSNetGateConvention.allCases)
    func finiteDifferences(convention: MLRSNetGateConvention) throws {
        let (trainer, batches, meta) = try Self.makeProblem(seed: 21, convention: convention)
        // Three real steps: the model moves and the LSTM state becomes non-zero.
        for (position, batch) in batches.prefix(3).enumerated() {
            _ = try trainer.step(on: batch, position: position) { meta }
        }
        #expect(trainer.state.hidden.contains { $0 != 0 })
        let loss = try trainer.computeModelGradient(on: batches[3])
        let net = trainer.net
        net.clearGradients()
        let weightsBefore = trainer.model.parameters.map(\.scalars)
        let gradientsBefore = trainer.model.parameters.map { $0.grad?.scalars ?? [] }
        let stateBefore = trainer.state
        let (metaLoss, _) = try trainer.accumulateMetaGradient(trainingLoss: loss, metaBatch: meta)
        // The hypergradient leaves w, g and the state as they were.
        #expect(trainer.model.parameters.map(\.scalars) == weightsBefore)
        #expect(trainer.model.parameters.map { $0.grad?.scalars ?? [] } == gradientsBefore)
        #expect(trainer.state == stateBefore)
        #expect(try trainer.metaLoss(trainingLoss: loss, metaBatch: meta) == metaLoss)

        // Central differences, step h on one coordinate at a time, at the coordinate of each of the ten
        // parameter tensors where the analytic gradient is largest (so every probe carries signal; the
        // finite differences are computed independently of that choice). Error budget:
        // * rounding: M is a float32 value near 1; measured, two evaluations differ from exact by about
        //   1–2 ulp (2⁻²³ ≈ 1.2e-7), so the quotient carries up to 4·1.2e-7/(2h) = 2.4e-5 at h = 1e-2;
        // * truncation: h²/6·|M‴| relative to M′, about 1e-4 for these smooth compositions; a ReLU kink
        //   crossed by a ±h step costs more: 2% relative.
        // Hence |analytic − numeric| ≤ 3e-5 + 2e-2·|analytic|.
        let h: Float = 1e-2
        var informative = 0
        for parameter in MLRSNetWeights.Parameter.allCases {
            let tensor = net.tensor(parameter)
            let gradient = tensor.grad?.scalars ?? []
            let index = try #require(gradient.indices.max { abs(gradient[$0]) < abs(gradient[$1]) })
            let analytic = Double(gradient[index])
            let original = tensor.scalars[index]
            func evaluate(_ value: Float) throws -> Double {
                tensor.withUnsafeMutableBufferPointer { $0[index] = value }
                return Double(try trainer.metaLoss(trainingLoss: loss, metaBatch: meta))
            }
            let numeric = (try evaluate(original + h) - evaluate(original - h)) / Double(2 * h)
            tensor.withUnsafeMutableBufferPointer { $0[index] = original }
            expectClose(
                analytic, numeric, absoluteTolerance: 3e-5, relativeTolerance: 2e-2,
                "\(parameter.name)[\(index)], \(convention)")
            if abs(analytic) > 3e-4 { informative += 1 }
        }
        // The check must not pass on near-zeros: most probes must exceed ten times the absolute tolerance.
        #expect(informative >= 7, "only \(informative) of 10 probes with |∂L_meta/∂θ| > 3e-4")
    }

    @Test("the hypergradient is −γ·⟨∇L_meta(w′), d⟩·∂a/∂θ: proportional to ∂a/∂θ")
    func proportionalToOutputGradient() throws {
        let (trainer, batches, meta) = try Self.makeProblem(seed: 5, convention: .metaTest)
        let loss = try trainer.computeModelGradient(on: batches[0])
        trainer.net.clearGradients()
        _ = try trainer.accumulateMetaGradient(trainingLoss: loss, metaBatch: meta)
        let hyper = trainer.net.parameters.flatMap { $0.grad?.scalars ?? [] }.map(Double.init)
        trainer.net.clearGradients()
        trainer.net(loss, state: trainer.state).output.backward()
        let outputGradient = trainer.net.parameters.flatMap { $0.grad?.scalars ?? [] }.map(Double.init)
        // The ratio is the same scalar for every coordinate (float32 rounding of the seed product only).
        let pivot = try #require(outputGradient.indices.max { abs(outputGradient[$0]) < abs(outputGradient[$1]) })
        let ratio = hyper[pivot] / outputGradient[pivot]
        #expect(ratio != 0)
        for index in hyper.indices {
            expectClose(
                hyper[index], ratio * outputGradient[index], absoluteTolerance: 1e-9,
                relativeTolerance: 1e-5)
        }
    }

    @Test("a meta-update moves only θ; same seed, same run bit for bit")
    func metaUpdateAndDeterminism() throws {
        func run() throws -> (MLRSNetWeights, [Float], [Double]) {
            let (trainer, batches, meta) = try Self.makeProblem(seed: 9, convention: .metaTest)
            let updating = try MLRSNetMetaTrainer(
                model: trainer.model, net: trainer.net, scale: 2,
                settings: MLRSNetMetaTrainingSettings(metaInterval: 2))
            var rates: [Double] = []
            for (position, batch) in batches.enumerated() {
                let record = try updating.step(on: batch, position: position) { meta }
                #expect((record.metaLoss != nil) == ((position + 1) % 2 == 0))
                rates.append(record.learningRate)
            }
            return (updating.net.weights, updating.model.parameters.flatMap(\.scalars), rates)
        }
        let first = try run(), second = try run()
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.2 == second.2)
        #expect(first.2.allSatisfy { $0 > 0 && $0 < 2 })  // η = γ·a with a ∈ (0, 1), γ = 2
    }

    @Test("invalid settings are refused, naming the field")
    func invalidSettings() throws {
        var generator = SeededGenerator(seed: 1)
        let model = Sequential([try Linear(inputFeatures: 2, outputFeatures: 2, using: &generator)])
        let net = DifferentiableMLRSNet(weights: DifferentiableMLRSNet.initialWeights(using: &generator))
        #expect(throws: NNError.self) { try MLRSNetMetaTrainer(model: model, net: net, scale: 0, settings: .init()) }
        #expect(throws: NNError.self) { try MLRSNetMetaTrainer(model: model, net: net, scale: .nan, settings: .init()) }
        #expect(throws: NNError.self) {
            try MLRSNetMetaTrainer(model: model, net: net, scale: 1, settings: .init(metaInterval: 0))
        }
        #expect(throws: NNError.self) {
            try MLRSNetMetaTrainer(model: model, net: net, scale: 1, settings: .init(convention: .metaTrain))
        }
    }
}
