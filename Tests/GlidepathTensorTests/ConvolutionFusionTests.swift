import Foundation
import GlidepathTensor
import GlidepathTestSupport
import Testing

extension TensorEngineTests {
    /// The CNN kernels of `docs/engine.md` ("CNN kernels"): the fused convolution → ReLU → 2×2 max pool op
    /// against the three ops it replaces (bit for bit) and against finite differences, and the same-size
    /// unfolding path (3×3 padding 1, 5×5 padding 2, …) against the convolution's defining sum.
    @Suite("Convolution kernels")
    struct ConvolutionKernelTests {
        /// The fused op's values and its input, weight and bias gradients, as bit patterns.
        func fused(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: (Int, Int), padding: (Int, Int), seed: UInt64)
            -> [[UInt32]]
        {
            let (xs, ws, bs) = (leaf(x), leaf(w), leaf(b))
            let y = xs.convolvedReLUMaxPooled2D(weight: ws, bias: bs, stride: stride, padding: padding)
            (y * randomTensor(y.shape, seed: seed)).sum().backward()
            return [y.scalars, xs.grad?.scalars ?? [], ws.grad?.scalars ?? [], bs.grad?.scalars ?? []]
                .map { $0.map(\.bitPattern) }
        }

        /// The same through `convolved2D`, `maxPooled2D` and `relu`.
        func composed(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: (Int, Int), padding: (Int, Int), seed: UInt64)
            -> [[UInt32]]
        {
            let (xs, ws, bs) = (leaf(x), leaf(w), leaf(b))
            let y = xs.convolved2D(weight: ws, bias: bs, stride: stride, padding: padding).maxPooled2D(kernel: (2, 2))
                .relu()
            (y * randomTensor(y.shape, seed: seed)).sum().backward()
            return [y.scalars, xs.grad?.scalars ?? [], ws.grad?.scalars ?? [], bs.grad?.scalars ?? []]
                .map { $0.map(\.bitPattern) }
        }

        func leaf(_ tensor: Tensor) -> Tensor { Tensor(copying: tensor).requiringGradient() }

        /// Bit-identical to the unfused ops for even and odd convolution outputs (an odd last row and
        /// column is not pooled and gets no gradient), padded and strided, with enough images for
        /// several weight-gradient chunks, with windows whose maximum is negative, and with pooled rows
        /// long enough for the vector path (its values: debug builds run the same lanes without AVX).
        @Test func fusedBlockEqualsTheThreeOpsBitForBit() {
            let cases: [(x: [Int], w: [Int], stride: (Int, Int), padding: (Int, Int))] = [
                ([9, 3, 8, 8], [4, 3, 3, 3], (1, 1), (1, 1)),
                ([3, 2, 7, 9], [5, 2, 3, 3], (1, 1), (1, 1)),
                ([2, 3, 9, 8], [3, 3, 2, 3], (2, 1), (0, 1)),
                // Pooled rows of 10 and 8: the eight-window vector path plus a scalar tail, and without one.
                ([2, 2, 6, 21], [3, 2, 3, 3], (1, 1), (1, 1)),
                ([2, 2, 5, 16], [2, 2, 3, 3], (1, 1), (1, 1)),
            ]
            for (index, shape) in cases.enumerated() {
                let seed = UInt64(70 + 4 * index)
                let x = randomTensor(shape.x, seed: seed), w = randomTensor(shape.w, seed: seed + 1)
                let b = randomTensor([shape.w[0]], seed: seed + 2, low: -0.5, high: 0.2)
                let ours = fused(x, w, b, stride: shape.stride, padding: shape.padding, seed: seed + 3)
                let reference = composed(x, w, b, stride: shape.stride, padding: shape.padding, seed: seed + 3)
                // Per output (values, dx, dW, db): the element count and how many bit patterns differ.
                let differences = zip(ours, reference).map { pair in
                    [pair.0.count, zip(pair.0, pair.1).filter { $0 != $1 }.count]
                }
                #expect(
                    differences == reference.map { [$0.count, 0] }, "case \(index): \(shape.x) ⋆ \(shape.w)")
                #expect(ours[0].contains(0), "case \(index): some windows are all negative")
            }
        }

        /// Finite differences through the fused op; inputs on a spaced grid keep the convolution outputs
        /// (and so the window maxima and the ReLU kink) apart, and the check only passes with the
        /// right routing of the gradient.
        @Test func fusedBlockGradientCheck() {
            let x = randomTensor([3, 2, 6, 5], seed: 90), w = randomTensor([3, 2, 3, 3], seed: 91)
            let b = randomTensor([3], seed: 92)
            checkGradients([x, w, b]) {
                $0[0].convolvedReLUMaxPooled2D(weight: $0[1], bias: $0[2], padding: (1, 1))
            }
        }

        /// The same-size, stride-1 unfolding (one bulk copy per column-matrix row) against the defining sum
        /// `out[n, o, i, j] = b[o] + Σ w[o, c, a, e] · x[n, c, i + a − p, j + e − p]`, evaluated in Double, and its
        /// adjoint (col2im) by finite differences: square and non-square kernels with their "same" padding.
        @Test func sameSizeUnfoldingMatchesTheDefinition() {
            let cases: [(w: [Int], padding: (Int, Int))] = [
                ([4, 3, 3, 3], (1, 1)), ([2, 3, 5, 5], (2, 2)),
                ([3, 3, 3, 1], (1, 0)), ([2, 3, 1, 5], (0, 2)),
            ]
            for (index, shape) in cases.enumerated() {
                let x = randomTensor([2, 3, 6, 7], seed: 100 + UInt64(index))
                let w = randomTensor(shape.w, seed: 110 + UInt64(index))
                let b = randomTensor([shape.w[0]], seed: 120 + UInt64(index))
                let y = x.convolved2D(weight: w, bias: b, padding: shape.padding)
                #expect(y.shape == [2, shape.w[0], 6, 7])
                let xs = x.scalars, ws = w.scalars, bs = b.scalars, ys = y.scalars
                let (kh, kw) = (shape.w[2], shape.w[3])
                var worst = 0.0
                for n in 0..<2 {
                    for o in 0..<shape.w[0] {
                        for i in 0..<6 {
                            for j in 0..<7 {
                                var total = Double(bs[o])
                                for c in 0..<3 {
                                    for a in 0..<kh {
                                        for e in 0..<kw {
                                            let row = i + a - shape.padding.0, column = j + e - shape.padding.1
                                            guard (0..<6).contains(row), (0..<7).contains(column) else { continue }
                                            let weight = Double(ws[((o * 3 + c) * kh + a) * kw + e])
                                            total += weight * Double(xs[((n * 3 + c) * 6 + row) * 7 + column])
                                        }
                                    }
                                }
                                let value = Double(ys[((n * shape.w[0] + o) * 6 + i) * 7 + j])
                                worst = max(worst, abs(value - total))
                            }
                        }
                    }
                }
                // At most 3·5·5 = 75 products of magnitude ≤ 1 in Float: rounding stays far below 1e-4.
                #expect(worst < 1e-4, "case \(index): kernel \(shape.w) padding \(shape.padding), error \(worst)")
                checkGradients([x, w]) { $0[0].convolved2D(weight: $0[1], padding: shape.padding) }
            }
        }

        @Test(.exclusiveEngineThreadCount) func fusedBlockDoesNotDependOnTheThreadCount() throws {
            let x = randomTensor([10, 3, 8, 8], seed: 130), w = randomTensor([6, 3, 3, 3], seed: 131)
            let b = randomTensor([6], seed: 132)
            try Engine.setThreadCount(1)
            let single = fused(x, w, b, stride: (1, 1), padding: (1, 1), seed: 133)
            try Engine.setThreadCount(2)
            defer { try? Engine.setThreadCount(1) }
            #expect(fused(x, w, b, stride: (1, 1), padding: (1, 1), seed: 133) == single)
        }
    }
}
