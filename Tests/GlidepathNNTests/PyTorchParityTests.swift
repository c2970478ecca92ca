import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Layers, losses and optimizers against `Fixtures/pytorch_nn.json` (generator
/// `scripts/fixtures/pytorch_nn.py`, torch version recorded in the file). Weights are copied in by
/// name in the generator's closed form, so both sides compute the same function.
///
/// Tolerances: forward values and gradients agree to Float32 rounding accumulated over a few dozen
/// operations whose summation order differs (BLAS blocking, our FastMath exp/tanh within 2 ulp):
/// `absolute 2e-5 + relative 1e-4`. Optimizer trajectories differ only by rounding of individual
/// element operations (PyTorch's vectorised kernels fuse some multiply-adds), ≈ 1e-7 per step:
/// `absolute 2e-6 + relative 2e-6` after 5 steps.
@Suite("PyTorch parity")
struct PyTorchParityTests {
    let fixture: NNFixture
    init() throws { fixture = try NNFixture.load() }

    static let absolute = 2e-5, relative = 1e-4

    /// Runs `outputs`, projects them into L = Σ out ⊙ cos(0.11·j), backpropagates, and compares with
    /// the fixture case.
    func compare(_ name: String, module: some Module, input: Tensor?, outputs: () throws -> [Tensor]) throws {
        let expected = try fixture.layer(name)
        let results = try outputs()
        #expect(results.count == expected.outputs.count)
        var loss = Tensor(0)
        for (result, reference) in zip(results, expected.outputs) {
            #expect(result.shape == reference.shape, "\(name) output shape")
            expectClose(
                result.doubles, reference.values, absoluteTolerance: Self.absolute, relativeTolerance: Self.relative,
                "\(name) output")
            loss = loss + (result * projection(result.shape)).sum()
        }
        loss.backward()
        if let input, let inputGradient = expected.inputGradients.first ?? nil {
            expectClose(
                try #require(input.grad).doubles, inputGradient, absoluteTolerance: Self.absolute,
                relativeTolerance: Self.relative, "\(name) input gradient")
        }
        for (parameterName, parameter) in module.namedParameters {
            let reference = try #require(
                expected.parameterGradients[parameterName], "\(name): no gradient for \(parameterName)")
            expectClose(
                try #require(parameter.grad).doubles, reference, absoluteTolerance: Self.absolute,
                relativeTolerance: Self.relative, "\(name) gradient of \(parameterName)")
        }
        for (bufferName, buffer) in module.namedBuffers {
            let reference = try #require(expected.buffers[bufferName], "\(name): no buffer \(bufferName)")
            expectClose(
                buffer.doubles, reference, absoluteTolerance: Self.absolute, relativeTolerance: Self.relative,
                "\(name) buffer \(bufferName)")
        }
        #expect(
            (module.namedParameters + module.namedBuffers).map(\.name) == expected.stateDictKeys,
            "\(name) state_dict keys")
    }

    @Test func linear() throws {
        var generator = SeededGenerator(seed: 0)
        let layer = try Linear(inputFeatures: 5, outputFeatures: 3, using: &generator)
        loadClosedForm(layer, scale: 0.4)
        let x = closedForm([4, 5], phase: 0).requiringGradient()
        try compare("linear", module: layer, input: x) { [layer(x)] }
    }

    @Test func conv2d() throws {
        var generator = SeededGenerator(seed: 0)
        let layer = try Conv2d(
            inputChannels: 3, outputChannels: 4, kernelSize: (3, 2), stride: (2, 1), padding: (1, 1),
            using: &generator)
        loadClosedForm(layer, scale: 0.3)
        let x = closedForm([2, 3, 7, 6], phase: 0.5).requiringGradient()
        try compare("conv2d", module: layer, input: x) { [layer(x)] }
    }

    @Test func batchNorm() throws {
        let norm1 = try BatchNorm.oneDimensional(features: 4)
        loadClosedForm(norm1, scale: 0.8)
        let x1 = closedForm([3, 4, 5], phase: 0.2).requiringGradient()
        try compare("batchnorm1d", module: norm1, input: x1) { [norm1(x1)] }
        let norm2 = try BatchNorm.twoDimensional(features: 3)
        loadClosedForm(norm2, scale: 0.8)
        let x2 = closedForm([2, 3, 4, 4], phase: 0.7).requiringGradient()
        try compare("batchnorm2d", module: norm2, input: x2) { [norm2(x2)] }
    }

    @Test func embedding() throws {
        var generator = SeededGenerator(seed: 0)
        let layer = try Embedding(vocabularySize: 7, dimension: 3, paddingIndex: 2, using: &generator)
        loadClosedForm(layer, scale: 1)
        try compare("embedding", module: layer, input: nil) { [try layer([0, 2, 5, 6, 2, 0], shape: [2, 3])] }
    }

    @Test func lstmBidirectionalStackedWithLengths() throws {
        var generator = SeededGenerator(seed: 0)
        let lstm = try LSTM(
            inputSize: 4, hiddenSize: 3, layerCount: 2, bidirectional: true, batchFirst: true, using: &generator)
        loadClosedForm(lstm, scale: 0.5)
        let x = closedForm([3, 5, 4], phase: 0.1).requiringGradient()
        try compare("lstm_bidirectional_2layer_lengths", module: lstm, input: x) {
            let result = try lstm(x, lengths: [5, 3, 2])
            return [result.output, result.hidden, result.cell]
        }
    }

    @Test func lstmSequenceFirst() throws {
        var generator = SeededGenerator(seed: 0)
        let lstm = try LSTM(inputSize: 3, hiddenSize: 2, batchFirst: false, using: &generator)
        loadClosedForm(lstm, scale: 0.6)
        let x = closedForm([4, 2, 3], phase: 0.9).requiringGradient()
        try compare("lstm_sequence_first", module: lstm, input: x) {
            let result = try lstm(x)
            return [result.output, result.hidden, result.cell]
        }
    }

    // MARK: Losses

    func compareLoss(_ name: String, _ loss: (Tensor, [Double]) throws -> Tensor) throws {
        let expected = try fixture.loss(name)
        let logits = closedForm([5, 4], phase: 0.3, scale: 2).requiringGradient()
        let value = try loss(logits, expected.targets)
        value.backward()
        expectClose(
            Double(value.scalar), expected.value, absoluteTolerance: 1e-6, relativeTolerance: 1e-5, "\(name) value")
        expectClose(
            try #require(logits.grad).doubles, expected.gradient, absoluteTolerance: 1e-6, relativeTolerance: 1e-5,
            "\(name) gradient")
    }

    @Test func losses() throws {
        try compareLoss("cross_entropy") { try CrossEntropyLoss()($0, $1.map { Int32($0) }) }
        try compareLoss("cross_entropy_weighted_smoothed_ignored") {
            try CrossEntropyLoss(classWeights: [0.5, 2, 1, 1.5], labelSmoothing: 0.2, ignoreIndex: -100)(
                $0, $1.map { Int32($0) })
        }
        try compareLoss("cross_entropy_sum_smoothed") {
            try CrossEntropyLoss(labelSmoothing: 0.1, reduction: .sum)($0, $1.map { Int32($0) })
        }
        try compareLoss("bce_with_logits") { try BinaryCrossEntropyWithLogitsLoss()($0, $1.map { Float($0) }) }
        try compareLoss("bce_with_logits_pos_weight") {
            try BinaryCrossEntropyWithLogitsLoss(positiveWeights: [1, 2, 0.5, 3])($0, $1.map { Float($0) })
        }
        try compareLoss("mse") { logits, targets in
            MeanSquaredErrorLoss()(logits, tensor([5, 4], targets.map { Float($0) }))
        }
    }

    // MARK: Optimizers

    /// Five steps with gradients `values(37, 0.3·step + 1)` from parameters `values(37, 0.4, 0.7)`.
    func compareOptimizer(_ name: String, _ make: ([Tensor]) throws -> any Optimizer) throws {
        let expected = try fixture.optimizer(name)
        let parameter = closedForm([37], phase: 0.4, scale: 0.7).requiringGradient()
        let optimizer = try make([parameter])
        for step in 0..<5 {
            let gradient = closedForm([37], phase: 0.3 * Double(step) + 1).scalars
            parameter.withUnsafeMutableDataAndGradient { _, buffer in
                for i in buffer.indices { buffer[i] = gradient[i] }
            }
            optimizer.step()
            expectClose(
                parameter.doubles, expected.parameters[step], absoluteTolerance: 2e-6, relativeTolerance: 2e-6,
                "\(name) after step \(step + 1)")
        }
    }

    @Test func sgd() throws {
        try compareOptimizer("sgd") { try SGD(parameters: $0, .init(learningRate: 0.1)) }
        try compareOptimizer("sgd_momentum_dampening_decay") {
            try SGD(parameters: $0, .init(learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01))
        }
        try compareOptimizer("sgd_nesterov_decay") {
            try SGD(parameters: $0, .init(learningRate: 0.05, momentum: 0.8, weightDecay: 0.02, nesterov: true))
        }
    }

    @Test func adam() throws {
        try compareOptimizer("adam") { try Adam(parameters: $0, .init(learningRate: 0.01)) }
        try compareOptimizer("adam_decay_amsgrad") {
            try Adam(
                parameters: $0,
                .init(learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05, amsgrad: true))
        }
        try compareOptimizer("adamw") { try Adam(parameters: $0, .adamW(learningRate: 0.01, weightDecay: 0.1)) }
        try compareOptimizer("adamw_amsgrad_large_beta1_weight") {
            try Adam(parameters: $0, .adamW(learningRate: 0.01, beta1: 0.3, beta2: 0.9, amsgrad: true))
        }
    }

    @Test func rmsprop() throws {
        try compareOptimizer("rmsprop") { try RMSprop(parameters: $0, .init(learningRate: 0.01)) }
        try compareOptimizer("rmsprop_centered_momentum_decay") {
            try RMSprop(
                parameters: $0,
                .init(
                    learningRate: 0.01, alpha: 0.9, epsilon: 1e-6, weightDecay: 0.01,
                    momentum: 0.5, centered: true))
        }
    }

    @Test func clipGradientNorm() throws {
        let a = closedForm([6], phase: 0.1, scale: 3).requiringGradient()
        let b = closedForm([2, 3], phase: 0.6, scale: 2).requiringGradient()
        for (parameter, gradient) in [
            (a, closedForm([6], phase: 0.2, scale: 3)), (b, closedForm([2, 3], phase: 0.9, scale: 2)),
        ] {
            let values = gradient.scalars
            parameter.withUnsafeMutableDataAndGradient { _, buffer in for i in buffer.indices { buffer[i] = values[i] }
            }
        }
        let total = try GradientClipping.clipGradientNorm([a, b], maxNorm: 1.5)
        expectClose(total, fixture.clipping.totalNorm, relativeTolerance: 1e-6, "total norm")
        expectClose(
            try #require(a.grad).doubles, fixture.clipping.gradients[0], absoluteTolerance: 1e-7,
            relativeTolerance: 1e-6)
        expectClose(
            try #require(b.grad).doubles, fixture.clipping.gradients[1], absoluteTolerance: 1e-7,
            relativeTolerance: 1e-6)
    }
}
