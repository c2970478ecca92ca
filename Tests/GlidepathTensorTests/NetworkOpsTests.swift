import Foundation
import GlidepathTensor
import GlidepathTestSupport
import Testing

extension TensorEngineTests {
    /// Finite-difference checks for the network ops (tolerances justified in GradientCheck.swift).
    @Suite("Network op gradient checks")
    struct NetworkOpGradientTests {
        @Test func convolution() {
            let x = randomTensor([2, 3, 5, 4], seed: 40), w = randomTensor([4, 3, 3, 2], seed: 41),
                b = randomTensor([4], seed: 42)
            checkGradients([x, w, b]) { $0[0].convolved2D(weight: $0[1], bias: $0[2]) }
            checkGradients([x, w, b]) { $0[0].convolved2D(weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 1)) }
            checkGradients([x, w]) { $0[0].convolved2D(weight: $0[1], stride: (1, 3), padding: (2, 0)) }
            // 9 images: more than the fixed 8 weight-gradient chunks, so chunks hold 1 or 2 images.
            checkGradients([randomTensor([9, 2, 3, 3], seed: 43), randomTensor([2, 2, 2, 2], seed: 44)]) {
                $0[0].convolved2D(weight: $0[1], padding: (1, 1))
            }
        }

        /// Inputs on a 0.05 grid, shuffled, so window maxima are unique and further than 2h apart.
        func spacedInput(_ shape: [Int], seed: UInt64) -> Tensor {
            let count = shape.reduce(1, *)
            var generator = SeededGenerator(seed: seed)
            var values = (0..<count).map { Float($0) * 0.05 - Float(count) * 0.025 }
            values.shuffle(using: &generator)
            return Tensor.make(shape: shape) { buffer in for i in buffer.indices { buffer[i] = values[i] } }
        }

        @Test func pooling() {
            let x = spacedInput([2, 2, 5, 6], seed: 45)
            checkGradients([x]) { $0[0].maxPooled2D(kernel: (2, 2)) }
            checkGradients([x]) { $0[0].maxPooled2D(kernel: (3, 2), stride: (1, 2), padding: (1, 1)) }
            checkGradients([x]) { $0[0].averagePooled2D(kernel: (2, 3), stride: (1, 1)) }
            checkGradients([x]) { $0[0].averagePooled2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
            checkGradients([x]) {
                $0[0].averagePooled2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludingPadding: false)
            }
            checkGradients([x]) { $0[0].adaptiveAveragePooled2D(outputSize: (3, 4)) }
            checkGradients([x]) { $0[0].adaptiveAveragePooled2D(outputSize: (1, 1)) }
        }

        @Test func batchNormalization() {
            let x = randomTensor([4, 3, 5], seed: 46, low: -2, high: 2)
            let gamma = randomTensor([3], seed: 47, low: 0.5, high: 1.5), beta = randomTensor([3], seed: 48)
            checkGradients([x, gamma, beta]) { $0[0].batchNormalized(weight: $0[1], bias: $0[2], training: true) }
            checkGradients([randomTensor([6, 3], seed: 49)]) { $0[0].batchNormalized(training: true) }
            checkGradients([x, gamma, beta]) {
                $0[0].batchNormalized(
                    weight: $0[1], bias: $0[2], runningMean: Tensor([0.1, -0.2, 0.3]),
                    runningVariance: Tensor([0.5, 1.5, 2]), training: false)
            }
            // 4-D input, as after a convolution.
            checkGradients([randomTensor([2, 3, 2, 2], seed: 50), gamma]) {
                $0[0].batchNormalized(weight: $0[1], training: true)
            }
        }

        @Test func dropoutAndEmbedding() throws {
            checkGradients([randomTensor([4, 5], seed: 51)]) { inputs in
                var generator = SeededGenerator(seed: 52)  // the same mask on every evaluation
                return inputs[0].dropout(probability: 0.4, training: true, using: &generator)
            }
            // Without a padding index (the padding row's zero gradient is a convention, not the derivative;
            // embeddingErrorsAndPadding checks it).
            checkGradients([randomTensor([6, 3], seed: 53)]) { inputs in
                (try? Tensor.embedding(weight: inputs[0], indices: [1, 0, 5, 1, 3, 5], indexShape: [2, 3]))
                    ?? Tensor.zeros(shape: [0])
            }
        }
    }

    @Suite("Network op behaviour")
    struct NetworkOpBehaviourTests {
        @Test func convolutionAndPoolingShapes() {
            // PyTorch: floor((H + 2p − k)/s) + 1.
            let x = Tensor.zeros(shape: [2, 3, 32, 32])
            #expect(x.convolved2D(weight: Tensor.zeros(shape: [8, 3, 3, 3]), padding: (1, 1)).shape == [2, 8, 32, 32])
            #expect(x.convolved2D(weight: Tensor.zeros(shape: [8, 3, 5, 5]), stride: (2, 2)).shape == [2, 8, 14, 14])
            #expect(x.maxPooled2D(kernel: (2, 2)).shape == [2, 3, 16, 16])
            #expect(x.averagePooled2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1)).shape == [2, 3, 16, 16])
            #expect(x.adaptiveAveragePooled2D(outputSize: (5, 7)).shape == [2, 3, 5, 7])
        }

        @Test func runningStatisticsFollowPyTorchMomentum() throws {
            // Channel 0 holds [1, 3], channel 1 holds [2, 6]: batch means 2 and 4, biased variances 1
            // and 4, unbiased (M = 2) 2 and 8. running ← 0.9·running + 0.1·batch from (0, 1).
            let x = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 6])
            let mean = Tensor.zeros(shape: [2]), variance = Tensor.ones(shape: [2])
            let y = x.batchNormalized(runningMean: mean, runningVariance: variance, training: true, momentum: 0.1)
            expectClose(mean.scalars.map(Double.init), [0.2, 0.4], relativeTolerance: 1e-6)
            expectClose(variance.scalars.map(Double.init), [0.9 + 0.2, 0.9 + 0.8], relativeTolerance: 1e-6)
            // y = (x − μ)/√(σ² + 1e-5): ±1/√(1 + 1e-5) and ±2/√(4 + 1e-5).
            expectClose(
                y.scalars.map(Double.init),
                [
                    -1 / (1 + 1e-5).squareRoot(), -2 / (4 + 1e-5).squareRoot(), 1 / (1 + 1e-5).squareRoot(),
                    2 / (4 + 1e-5).squareRoot(),
                ],
                relativeTolerance: 1e-6)
        }

        @Test func dropoutStatistics() {
            var generator = SeededGenerator(seed: 60)
            let x = Tensor.ones(shape: [100_000])
            let y = x.dropout(probability: 0.25, training: true, using: &generator).scalars
            let zeros = y.filter { $0 == 0 }.count
            // Binomial(1e5, 0.25): sd ≈ 137; allow 5 sd. Survivors are scaled by 1/(1 − 0.25).
            #expect(abs(zeros - 25_000) < 5 * 137)
            #expect(y.allSatisfy { $0 == 0 || $0 == Float(1) / 0.75 })
            #expect(x.dropout(probability: 0.25, training: false, using: &generator).sharesStorage(with: x))
        }

        @Test func embeddingErrorsAndPadding() throws {
            let weight = Tensor.ones(shape: [4, 2]).requiringGradient()
            #expect(throws: TensorError.indexOutOfRange(index: 4, bound: 4, context: "embedding token id")) {
                try Tensor.embedding(weight: weight, indices: [0, 4], indexShape: [2])
            }
            #expect(throws: TensorError.scalarCountMismatch(shape: [3], expected: 3, actual: 2)) {
                try Tensor.embedding(weight: weight, indices: [0, 1], indexShape: [3])
            }
            #expect(throws: TensorError.indexOutOfRange(index: -5, bound: 4, context: "embedding padding index")) {
                try Tensor.embedding(weight: weight, indices: [0, 1], indexShape: [2], paddingIndex: -5)
            }
            // Padding index −1 is row 3: it gets no gradient although it is looked up twice; row 0 is
            // looked up once, row 1 twice, row 2 never.
            try Tensor.embedding(weight: weight, indices: [3, 1, 3, 1, 0], indexShape: [5], paddingIndex: -1).sum()
                .backward()
            #expect(weight.grad?.scalars == [1, 1, 2, 2, 0, 0, 0, 0])
        }

        @Test(.exclusiveEngineThreadCount) func resultsDoNotDependOnTheThreadCount() throws {
            // Fixed image chunks for the weight gradient, BLAS at one thread inside the split, and
            // disjoint element-wise chunks make 1 and 2 threads bit-identical.
            func run() -> [UInt32] {
                let x = randomTensor([10, 3, 9, 9], seed: 61).requiringGradient()
                let w = randomTensor([5, 3, 3, 3], seed: 62).requiringGradient()
                let y = x.convolved2D(weight: w, padding: (1, 1)).relu().maxPooled2D(kernel: (2, 2))
                    .averagePooled2D(kernel: (2, 2))
                (y * randomTensor(y.shape, seed: 63)).sum().backward()
                // Element-wise ops above the split threshold (2¹⁸ elements) run in chunks per thread.
                let big = randomTensor([300_000], seed: 64).requiringGradient()
                let z = (big.tanh() * big + big).relu()
                z.backward(seed: z)
                return
                    (y.scalars + (x.grad?.scalars ?? []) + (w.grad?.scalars ?? []) + z.scalars
                    + (big.grad?.scalars ?? []))
                    .map(\.bitPattern)
            }
            try Engine.setThreadCount(1)
            let single = run()
            try Engine.setThreadCount(2)
            defer { try? Engine.setThreadCount(1) }
            let double = run()
            #expect(single == double)
            #expect(run() == double)
            // Items run on the workers under the caller's gradient mode.
            var recorded = [Bool](repeating: true, count: 4)
            recorded.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress
                withoutGradients {
                    Engine.parallelFor(4) { item in base?[item] = GradientMode.isEnabled }
                }
            }
            #expect(recorded == [false, false, false, false])
        }
    }
}
