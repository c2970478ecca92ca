import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Gradient access and Hessian-vector products on models with analytic Hessians.
@Suite("Gradient and curvature access")
struct CurvatureTests {
    /// Linear regression `ŷ = X·wᵀ + b` with MSE over N rows: L = (1/N)·Σ(ŷ − y)², a quadratic in θ = (w, b)
    /// with Hessian H = (2/N)·Aᵀ·A where A = [X, 1].
    struct Regression {
        let layer: Linear
        let x: Tensor
        let y: Tensor
        let rows = 16, features = 3

        init() throws {
            var generator = SeededGenerator(seed: 41)
            layer = try Linear(inputFeatures: 3, outputFeatures: 1, using: &generator)
            x = randomTensor([16, 3], seed: 42, low: -2, high: 2)
            y = randomTensor([16, 1], seed: 43)
        }

        func loss() -> Tensor { MeanSquaredErrorLoss()(layer(x), y) }

        /// H·v in Double from the formula.
        func analytic(_ v: [Float]) -> [Double] {
            let a = x.scalars.map(Double.init)
            var result = [Double](repeating: 0, count: features + 1)
            for row in 0..<rows {
                let augmented = Array(a[(row * features)..<((row + 1) * features)]) + [1]
                let dot = zip(augmented, v).reduce(0.0) { $0 + $1.0 * Double($1.1) }
                for k in 0...features { result[k] += 2 / Double(rows) * augmented[k] * dot }
            }
            return result
        }
    }

    @Test func hessianVectorProductMatchesQuadraticHessian() throws {
        let problem = try Regression()
        let before = problem.layer.parameters.map(\.scalars)
        for seed: UInt64 in [1, 2, 3] {
            let v = randomTensor([4], seed: seed).scalars
            let hv = try HessianVectorProduct.compute(
                parameters: problem.layer.parameters, direction: v, loss: problem.loss)
            // Error budget: Float32 gradients (relative rounding ≈ 1e-7·κ, a few dozen ops) divided by
            // 2r with r = 1e-3 → ≈ 1e-4·‖g‖·‖v‖; no truncation error for a quadratic.
            expectClose(hv, problem.analytic(v), absoluteTolerance: 1e-3, relativeTolerance: 1e-3, "seed \(seed)")
        }
        // Parameters are restored bit for bit.
        #expect(problem.layer.parameters.map(\.scalars) == before)
    }

    @Test func stepIsAnAbsoluteLengthAndTheProductIsLinearInTheDirection() throws {
        // The default rule perturbs by r = 1e-3 along v̂ whatever ‖v‖ and ‖θ‖ (docs/landscape.md,
        // "Choosing the step"), so H·(c·v) = c·H·v to rounding; the textbook rule scales with 1 + ‖θ‖.
        #expect(HessianVectorProduct.step(parameterNorm: 13, directionNorm: 4) == 1e-3 / 4)
        let textbook = HessianVectorProduct.Configuration(step: .relativeToParameters(4.9e-3))
        expectClose(
            HessianVectorProduct.step(parameterNorm: 13, directionNorm: 1, configuration: textbook), 4.9e-3 * 14,
            relativeTolerance: 1e-12)
        let problem = try Regression()
        let v = randomTensor([4], seed: 7).scalars
        let hv = try HessianVectorProduct.compute(
            parameters: problem.layer.parameters, direction: v, loss: problem.loss)
        let scaled = try HessianVectorProduct.compute(
            parameters: problem.layer.parameters, direction: v.map { $0 * 8 },
            loss: problem.loss)
        expectClose(scaled, hv.map { $0 * 8 }, absoluteTolerance: 1e-3, relativeTolerance: 1e-3)
        #expect(throws: NNError.self) {
            try HessianVectorProduct.compute(
                parameters: problem.layer.parameters, direction: v,
                configuration: .init(step: .absolute(0)), loss: problem.loss)
        }
    }

    /// Logistic regression (non-quadratic): H = (1/N)·Σ p(1−p)·aaᵀ with a = [x, 1]; checks that the
    /// step keeps the truncation error small where the third derivative is non-zero.
    @Test func hessianVectorProductOnLogisticRegression() throws {
        var generator = SeededGenerator(seed: 44)
        let layer = try Linear(inputFeatures: 2, outputFeatures: 1, using: &generator)
        let x = randomTensor([12, 2], seed: 45, low: -2, high: 2)
        let targets = (0..<12).map { Float($0 % 2) }
        let loss = try BinaryCrossEntropyWithLogitsLoss()
        let v = randomTensor([3], seed: 46).scalars
        let hv = try HessianVectorProduct.compute(parameters: layer.parameters, direction: v) {
            (try? loss(layer(x), targets)) ?? Tensor(0)
        }
        let w = layer.weight.scalars.map(Double.init), b = Double(layer.bias?.scalar ?? 0)
        let xs = x.scalars.map(Double.init)
        var expected = [Double](repeating: 0, count: 3)
        for row in 0..<12 {
            let a = [xs[2 * row], xs[2 * row + 1], 1.0]
            let p = 1 / (1 + exp(-(w[0] * a[0] + w[1] * a[1] + b)))
            let dot = zip(a, v).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            for k in 0..<3 { expected[k] += p * (1 - p) * a[k] * dot / 12 }
        }
        expectClose(hv, expected, absoluteTolerance: 1e-3, relativeTolerance: 2e-3)
    }

    @Test func gradientsAreRestoredAndBadDirectionsRejected() throws {
        let problem = try Regression()
        problem.loss().backward()
        let gradients = problem.layer.parameters.map { $0.grad?.scalars }
        _ = try HessianVectorProduct.compute(
            parameters: problem.layer.parameters, direction: [1, 0, 0, 0], loss: problem.loss)
        #expect(problem.layer.parameters.map { $0.grad?.scalars } == gradients)
        #expect(throws: NNError.self) {
            try HessianVectorProduct.compute(
                parameters: problem.layer.parameters, direction: [1, 0], loss: problem.loss)
        }
        #expect(throws: NNError.self) {
            try HessianVectorProduct.compute(
                parameters: problem.layer.parameters, direction: [0, 0, 0, 0], loss: problem.loss)
        }
    }

    @Test func flatGradientAndGroupNorms() throws {
        let a = tensor([2], [1, 2]).requiringGradient(), b = tensor([1], [3]).requiringGradient()
        ((a * tensor([2], [3, 4])).sum() + (b * 2).sum()).backward()
        // dL/da = (3, 4), dL/db = 2.
        #expect(GradientAccess.flatGradient(of: [a, b]) == [3, 4, 2])
        #expect(GradientAccess.gradientNorm(of: [a]) == 5)
        let optimizer = try SGD(groups: [
            ParameterGroup(parameters: [a], hyperparameters: .init(learningRate: 0.1)),
            ParameterGroup(parameters: [b], hyperparameters: .init(learningRate: 0.1)),
        ])
        let statistics = GradientAccess.statistics(of: optimizer)
        #expect(statistics.groupNorms == [5, 2])
        expectClose(statistics.norm, 29.0.squareRoot(), relativeTolerance: 1e-15)
        #expect(GradientAccess.flatGradients(of: optimizer) == [[3, 4], [2]])
    }
}

/// Initial parameters equal PyTorch's defaults in distribution (the draws differ: our generator is
/// xoshiro256**). Checked with moments: for U(−b, b), mean 0 and variance b²/3; for N(0, 1), mean 0 and
/// variance 1. With n draws the sample mean has standard deviation σ/√n and the sample variance about
/// σ²·√(2/n) (normal) or σ²·√(0.8/n) (uniform); the tolerances are 5 of those standard deviations.
@Suite("Initialization")
struct InitializationTests {
    func moments(_ values: [Float]) -> (mean: Double, variance: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance)
    }

    func expectUniform(_ values: [Float], bound: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(values.allSatisfy { abs(Double($0)) <= bound }, sourceLocation: sourceLocation)
        let (mean, variance) = moments(values)
        let n = Double(values.count), sigma2 = bound * bound / 3
        expectClose(
            mean, 0, absoluteTolerance: 5 * sigma2.squareRoot() / n.squareRoot(), sourceLocation: sourceLocation)
        expectClose(
            variance, sigma2, absoluteTolerance: 5 * sigma2 * (0.8 / n).squareRoot(), sourceLocation: sourceLocation)
    }

    @Test func linearConvLSTMEmbedding() throws {
        var generator = SeededGenerator(seed: 51)
        let linear = try Linear(inputFeatures: 200, outputFeatures: 100, using: &generator)
        expectUniform(linear.weight.scalars, bound: 1 / 200.0.squareRoot())
        expectUniform(
            try #require(linear.bias).scalars
                + (try Linear(inputFeatures: 200, outputFeatures: 4000, using: &generator)).bias!.scalars,
            bound: 1 / 200.0.squareRoot())
        let conv = try Conv2d(inputChannels: 8, outputChannels: 64, kernelSize: (3, 3), using: &generator)
        expectUniform(conv.weight.scalars, bound: 1 / 72.0.squareRoot())
        let lstm = try LSTM(inputSize: 10, hiddenSize: 16, bidirectional: true, using: &generator)
        expectUniform(lstm.parameters.flatMap(\.scalars), bound: 1 / 4.0)
        let embedding = try Embedding(vocabularySize: 1000, dimension: 20, paddingIndex: -1, using: &generator)
        let rows = embedding.weight.scalars
        #expect(embedding.paddingIndex == 999)
        #expect(rows[(999 * 20)...].allSatisfy { $0 == 0 })
        let (mean, variance) = moments(Array(rows[..<(999 * 20)]))
        let n = Double(999 * 20)
        expectClose(mean, 0, absoluteTolerance: 5 / n.squareRoot())
        expectClose(variance, 1, absoluteTolerance: 5 * (2 / n).squareRoot())
        let norm = try BatchNorm.twoDimensional(features: 3)
        #expect(norm.weight.scalars == [1, 1, 1] && norm.bias.scalars == [0, 0, 0])
        #expect(norm.runningMean.scalars == [0, 0, 0] && norm.runningVariance.scalars == [1, 1, 1])
    }

    @Test func namesMatchPyTorchStateDictKeys() throws {
        // PyTorch: nn.LSTM(3, 2, num_layers=2, bidirectional=True).state_dict().keys()
        var generator = SeededGenerator(seed: 52)
        let lstm = try LSTM(inputSize: 3, hiddenSize: 2, layerCount: 2, bidirectional: true, using: &generator)
        #expect(
            lstm.namedParameters.map(\.name) == [
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
            ])
        #expect(lstm.parameters[8].shape == [8, 4])  // layer 1 reads 2·hidden
        let model = Sequential([
            try Linear(inputFeatures: 2, outputFeatures: 2, using: &generator), Activation(.relu),
            try BatchNorm.oneDimensional(features: 2),
        ])
        #expect(
            (model.namedParameters + model.namedBuffers).map(\.name) == [
                "0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
            ])
    }

    @Test func invalidLayerArgumentsThrow() throws {
        var generator = SeededGenerator(seed: 53)
        #expect(throws: NNError.self) { try Linear(inputFeatures: 0, outputFeatures: 1, using: &generator) }
        #expect(throws: NNError.self) {
            try Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: (0, 1), using: &generator)
        }
        #expect(throws: NNError.self) { try MaxPool2d(kernelSize: (2, 2), padding: (2, 0)) }
        #expect(throws: NNError.self) { try BatchNorm.twoDimensional(features: 2, momentum: 2) }
        #expect(throws: NNError.self) { try Dropout(probability: 1.5, seed: 0) }
        #expect(throws: NNError.self) {
            try Embedding(vocabularySize: 4, dimension: 2, paddingIndex: 4, using: &generator)
        }
        #expect(throws: NNError.self) { try LSTM(inputSize: 1, hiddenSize: 0, using: &generator) }
        let embedding = try Embedding(vocabularySize: 4, dimension: 2, using: &generator)
        #expect(throws: NNError.self) { try embedding([0, 4], shape: [2]) }
    }
}
