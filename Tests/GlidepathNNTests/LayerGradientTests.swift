import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Finite-difference gradient checks of every layer with respect to its input and all parameters
/// (tolerances justified in `NNTestSupport.swift`). Inputs avoid kinks: max-pool windows hold
/// distinct values spaced ≥ 0.05 apart (> 2h), relu inputs are away from 0.
@Suite("Layer gradients")
struct LayerGradientTests {
    @Test func linear() throws {
        var generator = SeededGenerator(seed: 1)
        let layer = try Linear(inputFeatures: 5, outputFeatures: 3, using: &generator)
        let x = leaf(randomTensor([2, 4, 5], seed: 2))
        checkGradients(of: [x] + layer.parameters) { layer(x) }
    }

    @Test func linearWithoutBias() throws {
        var generator = SeededGenerator(seed: 3)
        let layer = try Linear(inputFeatures: 4, outputFeatures: 2, bias: false, using: &generator)
        let x = leaf(randomTensor([3, 4], seed: 4))
        checkGradients(of: [x] + layer.parameters) { layer(x) }
    }

    @Test func conv2dStridedPadded() throws {
        var generator = SeededGenerator(seed: 5)
        let layer = try Conv2d(
            inputChannels: 2, outputChannels: 3, kernelSize: (3, 2), stride: (2, 1),
            padding: (1, 1), using: &generator)
        let x = leaf(randomTensor([2, 2, 5, 4], seed: 6))
        checkGradients(of: [x] + layer.parameters) { layer(x) }
    }

    @Test func pooling() throws {
        // A permutation of 0.05·k, so window maxima are unique by 0.05 > 2h.
        var generator = SeededGenerator(seed: 7)
        var values: [Float] = (0..<96).map { (index: Int) -> Float in Float(index) * 0.05 - 2 }
        values.shuffle(using: &generator)
        let x = leaf(tensor([2, 2, 4, 6], values))
        let maxPool = try MaxPool2d(kernelSize: (2, 3), stride: (2, 2), padding: (1, 1))
        checkGradients(of: [x]) { maxPool(x) }
        let averagePool = try AvgPool2d(
            kernelSize: (3, 3), stride: (1, 2), padding: (1, 1), countIncludingPadding: false)
        checkGradients(of: [x]) { averagePool(x) }
    }

    @Test func batchNormTraining() throws {
        let norm1 = try BatchNorm.oneDimensional(features: 3)
        loadClosedForm(norm1, scale: 0.8)
        let x1 = leaf(randomTensor([4, 3, 2], seed: 8))
        checkGradients(of: [x1] + norm1.parameters) { norm1(x1) }
        let norm2 = try BatchNorm.twoDimensional(features: 2)
        loadClosedForm(norm2, scale: 0.8)
        let x2 = leaf(randomTensor([3, 2, 2, 3], seed: 9))
        checkGradients(of: [x2] + norm2.parameters) { norm2(x2) }
    }

    @Test func batchNormEvaluation() throws {
        let norm = try BatchNorm.twoDimensional(features: 2)
        loadClosedForm(norm, scale: 0.8)
        _ = norm(randomTensor([4, 2, 3, 3], seed: 10))  // moves the running statistics off (0, 1)
        norm.setTraining(false)
        let x = leaf(randomTensor([2, 2, 2, 2], seed: 11))
        checkGradients(of: [x] + norm.parameters) { norm(x) }
    }

    @Test func dropoutWithFixedMask() throws {
        let x = leaf(randomTensor([4, 5], seed: 12))
        // A fresh layer with the same seed per evaluation: the same mask every time.
        checkGradients(of: [x]) { (try? Dropout(probability: 0.4, seed: 99)).map { $0(x) } ?? x }
    }

    @Test func embeddingWithPadding() throws {
        var generator = SeededGenerator(seed: 13)
        let embedding = try Embedding(vocabularySize: 6, dimension: 3, paddingIndex: 1, using: &generator)
        // Finite differences see the padding row's influence on the output, which PyTorch's (and our)
        // gradient deliberately omits; so the check uses tokens without the padding id ...
        let tokens: [Int32] = [0, 2, 4, 4, 5, 3]
        checkGradients(of: embedding.parameters) {
            (try? embedding(tokens, shape: [2, 3])) ?? Tensor.zeros(shape: [2, 3, 3])
        }
        // ... and with it, the padding row receives exactly zero (nn.Embedding padding_idx).
        embedding.clearGradients()
        let out = try embedding([0, 1, 4, 1], shape: [4])
        (out * projection(out.shape)).sum().backward()
        let gradient = try #require(embedding.weight.grad).scalars
        #expect(gradient[3..<6].allSatisfy { $0 == 0 })
        #expect(gradient[0..<3].allSatisfy { $0 != 0 })
    }

    /// Sequential fuses Linear → ReLU; the fused op must compute the same function and gradients as
    /// the two separate layers (each finite-difference checked above and in GlidepathTensorTests).
    @Test func fusedLinearReLUMatchesSeparateLayers() throws {
        var generator = SeededGenerator(seed: 16)
        let first = try Linear(inputFeatures: 6, outputFeatures: 8, using: &generator)
        let second = try Linear(inputFeatures: 8, outputFeatures: 3, using: &generator)
        let fused = Sequential([first, Activation(.relu), second])
        let x = leaf(randomTensor([5, 6], seed: 17))
        let y = fused(x)
        (y * projection(y.shape)).sum().backward()
        let fusedGradients = ([x] + fused.parameters).map { $0.grad?.scalars ?? [] }
        let xs = leaf(x)
        fused.clearGradients()
        let separate = second(first(xs).relu())
        (separate * projection(separate.shape)).sum().backward()
        let separateGradients = ([xs] + fused.parameters).map { $0.grad?.scalars ?? [] }
        #expect(y.scalars == separate.scalars)
        for (a, b) in zip(fusedGradients, separateGradients) {
            expectClose(a.map(Double.init), b.map(Double.init), absoluteTolerance: 1e-6, relativeTolerance: 1e-6)
        }
        // The fused op's own finite-difference check, with the first layer's bias shifted so that no
        // pre-activation lies within h of the kink at 0.
        first.bias?.withUnsafeMutableBufferPointer { bias in
            for i in bias.indices { bias[i] += bias[i] >= 0 ? 0.5 : -0.5 }
        }
        checkGradients(of: [x] + fused.parameters, absoluteTolerance: 5e-3) { fused(x) }
    }

    /// Sequential runs ReLU → MaxPool2d as MaxPool2d → ReLU; values and gradients must equal the
    /// layers applied one by one, including windows whose maximum is negative (zero gradient).
    @Test func reluThenMaxPoolRewriteIsExact() throws {
        let model = Sequential([Activation(.relu), try MaxPool2d(kernelSize: (2, 2))])
        let x = leaf(randomTensor([2, 3, 4, 6], seed: 18, low: -1.5, high: 1))
        let y = model(x)
        (y * projection(y.shape)).sum().backward()
        let xs = leaf(x)
        let reference = xs.relu().maxPooled2D(kernel: (2, 2))
        (reference * projection(reference.shape)).sum().backward()
        #expect(y.scalars == reference.scalars)
        #expect(try #require(x.grad).scalars == (try #require(xs.grad)).scalars)
        #expect(reference.scalars.contains(0), "some windows are all negative")
    }

    /// Sequential runs Conv2d → ReLU → MaxPool2d(2×2) as one fused op (`convolvedReLUMaxPooled2D`); values
    /// and every gradient must equal the layers applied one by one, bit for bit. A 3×3 pool is not fused.
    @Test func convolutionBlockRewriteIsExact() throws {
        var generator = SeededGenerator(seed: 19)
        let convolution = try Conv2d(
            inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), padding: (1, 1), using: &generator)
        let model = Sequential([convolution, Activation(.relu), try MaxPool2d(kernelSize: (2, 2))])
        let x = leaf(randomTensor([3, 2, 6, 7], seed: 20))
        let y = model(x)
        (y * projection(y.shape)).sum().backward()
        let gradients = try model.parameters.map { try #require($0.grad).scalars }
        for parameter in model.parameters { parameter.clearGradient() }
        let xs = leaf(x)
        let reference = convolution(xs).relu().maxPooled2D(kernel: (2, 2))
        (reference * projection(reference.shape)).sum().backward()
        #expect(y.shape == [3, 3, 3, 3])
        #expect(y.scalars == reference.scalars)
        #expect(try #require(x.grad).scalars == (try #require(xs.grad)).scalars)
        #expect(try model.parameters.map { try #require($0.grad).scalars } == gradients)
        #expect(reference.scalars.contains(0), "some windows are all negative")
        let unfused = Sequential([convolution, Activation(.relu), try MaxPool2d(kernelSize: (3, 3))])
        #expect(unfused(x).scalars == convolution(x).maxPooled2D(kernel: (3, 3)).relu().scalars)
    }

    @Test func sequentialWithFlatten() throws {
        var generator = SeededGenerator(seed: 14)
        let model = Sequential([
            try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: (2, 2), using: &generator),
            Activation(.tanh), Flatten(),
            try Linear(inputFeatures: 2 * 2 * 2, outputFeatures: 2, using: &generator), Activation(.sigmoid),
        ])
        let x = leaf(randomTensor([2, 1, 3, 3], seed: 15))
        checkGradients(of: [x] + model.parameters) { model(x) }
    }
}

/// The fused LSTM against finite differences: all outputs (sequence, h_n, c_n) combined, gradients
/// with respect to the input and every weight and bias, bidirectional and stacked, with variable
/// lengths (masking), batch-first and sequence-first.
@Suite("LSTM gradients")
struct LSTMGradientTests {
    func combined(_ output: LSTM.Output) -> Tensor {
        Tensor.concatenate(
            [
                output.output.flattened(), output.hidden.flattened(), output.cell.flattened(),
                output.lastLayerHidden.flattened(),
            ], alongAxis: 0)
    }

    @Test func bidirectionalStackedVariableLengths() throws {
        var generator = SeededGenerator(seed: 21)
        let lstm = try LSTM(
            inputSize: 3, hiddenSize: 2, layerCount: 2, bidirectional: true, batchFirst: true, using: &generator)
        // U(±1/√2) weights are small; scale them up so the gates are not all near 0.5.
        loadClosedForm(lstm, scale: 0.9)
        let x = leaf(randomTensor([3, 4, 3], seed: 22))
        checkGradients(of: [x] + lstm.parameters) {
            (try? lstm(x, lengths: [4, 2, 1])).map(combined) ?? x
        }
    }

    /// Equal lengths (every packed step a full block), with and without padding beyond them.
    @Test func bidirectionalUniformLengths() throws {
        var generator = SeededGenerator(seed: 30)
        let lstm = try LSTM(inputSize: 2, hiddenSize: 3, bidirectional: true, using: &generator)
        loadClosedForm(lstm, scale: 0.8)
        let x = leaf(randomTensor([2, 4, 2], seed: 31))
        checkGradients(of: [x] + lstm.parameters) { (try? lstm(x)).map(combined) ?? x }
        checkGradients(of: [x] + lstm.parameters) { (try? lstm(x, lengths: [3, 3])).map(combined) ?? x }
    }

    /// Unsorted lengths with ties, all shorter than T: the packed layout ranks the sequences by length
    /// (ties by index) and the gradients reach the right positions of the padded input.
    @Test func bidirectionalStackedUnsortedTiedLengths() throws {
        var generator = SeededGenerator(seed: 32)
        let lstm = try LSTM(
            inputSize: 2, hiddenSize: 2, layerCount: 2, bidirectional: true, batchFirst: true, using: &generator)
        loadClosedForm(lstm, scale: 0.9)
        let x = leaf(randomTensor([4, 6, 2], seed: 33))
        checkGradients(of: [x] + lstm.parameters) {
            (try? lstm(x, lengths: [2, 5, 2, 3])).map(combined) ?? x
        }
    }

    @Test func sequenceFirstSingleDirection() throws {
        var generator = SeededGenerator(seed: 23)
        let lstm = try LSTM(inputSize: 2, hiddenSize: 3, batchFirst: false, using: &generator)
        loadClosedForm(lstm, scale: 0.7)
        let x = leaf(randomTensor([5, 2, 2], seed: 24))
        checkGradients(of: [x] + lstm.parameters) { (try? lstm(x)).map(combined) ?? x }
    }

    @Test(.exclusiveEngineThreadCount) func multiThreadedDirectionsMatchSingleThreaded() throws {
        // Two engine threads run the directions concurrently; the arithmetic per direction is the
        // same, so outputs and gradients must be bit-identical to one thread.
        func run(threads: Int) throws -> [Float] {
            try Engine.setThreadCount(threads)
            defer { try? Engine.setThreadCount(1) }
            var generator = SeededGenerator(seed: 25)
            let lstm = try LSTM(inputSize: 4, hiddenSize: 5, bidirectional: true, using: &generator)
            let x = leaf(randomTensor([3, 6, 4], seed: 26))
            let out = combined(try lstm(x, lengths: [6, 3, 5]))
            (out * projection(out.shape)).sum().backward()
            return out.scalars + (try #require(x.grad)).scalars + lstm.parameters.flatMap { $0.grad?.scalars ?? [] }
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one == two)
    }

    @Test func rejectsBadLengthsAndShapes() throws {
        var generator = SeededGenerator(seed: 27)
        let lstm = try LSTM(inputSize: 2, hiddenSize: 2, using: &generator)
        let x = randomTensor([2, 3, 2], seed: 28)
        #expect(throws: NNError.self) { try lstm(x, lengths: [3, 4]) }
        #expect(throws: NNError.self) { try lstm(x, lengths: [0, 1]) }
        #expect(throws: NNError.self) { try lstm(x, lengths: [1]) }
        #expect(throws: NNError.self) { try lstm(randomTensor([2, 3, 5], seed: 29)) }
    }
}

@Suite("Loss gradients")
struct LossGradientTests {
    @Test func crossEntropyAllOptions() throws {
        let logits = leaf(randomTensor([5, 4], seed: 31, low: -2, high: 2))
        let plain = try CrossEntropyLoss()
        checkGradients(of: [logits]) { (try? plain(logits, [1, 0, 3, 2, 1])) ?? logits }
        let full = try CrossEntropyLoss(classWeights: [0.5, 2, 1, 1.5], labelSmoothing: 0.2, ignoreIndex: -100)
        checkGradients(of: [logits]) { (try? full(logits, [1, -100, 3, 2, 1])) ?? logits }
        let summed = try CrossEntropyLoss(labelSmoothing: 0.1, reduction: .sum)
        checkGradients(of: [logits]) { (try? summed(logits, [1, 0, 3, 2, 1])) ?? logits }
    }

    @Test func binaryCrossEntropyWithLogits() throws {
        let logits = leaf(randomTensor([3, 4], seed: 32, low: -3, high: 3))
        let targets = randomTensor([3, 4], seed: 33, low: 0, high: 1).scalars
        let plain = try BinaryCrossEntropyWithLogitsLoss()
        checkGradients(of: [logits]) { (try? plain(logits, targets)) ?? logits }
        let weighted = try BinaryCrossEntropyWithLogitsLoss(positiveWeights: [1, 2, 0.5, 3], reduction: .sum)
        checkGradients(of: [logits]) { (try? weighted(logits, targets)) ?? logits }
    }

    @Test func meanSquaredError() throws {
        let prediction = leaf(randomTensor([3, 4], seed: 34)), target = leaf(randomTensor([3, 4], seed: 35))
        checkGradients(of: [prediction, target]) { MeanSquaredErrorLoss()(prediction, target) }
    }

    @Test func lossesRejectBadInput() throws {
        let logits = randomTensor([2, 3], seed: 36)
        let loss = try CrossEntropyLoss()
        #expect(throws: NNError.self) { try loss(logits, [0, 3]) }
        #expect(throws: NNError.self) { try loss(logits, [0]) }
        #expect(throws: NNError.self) { try CrossEntropyLoss(labelSmoothing: 1.5) }
        #expect(throws: NNError.self) { try CrossEntropyLoss(classWeights: [1, 2])(logits, [0, 1]) }
        #expect(throws: NNError.self) { try BinaryCrossEntropyWithLogitsLoss()(logits, [0, 1, 2, 0, 0, 0]) }
    }
}
