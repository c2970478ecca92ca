import GlidepathTensor
import GlidepathTestSupport
import Testing

extension TensorEngineTests {
    @Suite("Views share storage")
    struct ViewTests {
        @Test func viewsDoNotCopy() throws {
            let x = try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
            let transposed = x.transposed()
            #expect(transposed.sharesStorage(with: x))
            #expect(transposed.strides == [1, 3])
            #expect(!transposed.isContiguous)
            // Row-major reading of the transpose of [[0,1,2],[3,4,5]].
            #expect(transposed.scalars == [0, 3, 1, 4, 2, 5])
            #expect(x.reshaped(to: [3, 2]).sharesStorage(with: x))
            #expect(x.reshaped(to: [6]).unsqueezed(at: 0).sharesStorage(with: x))
            let slice = x.sliced(alongAxis: 1, 1..<3)
            #expect(slice.sharesStorage(with: x))
            #expect(slice.offset == 1 && slice.scalars == [1, 2, 4, 5])
            let stepped = x.sliced(alongAxis: 1, 0..<3, step: 2)
            #expect(stepped.scalars == [0, 2, 3, 5])
            #expect(x.permuted([1, 0]).sharesStorage(with: x))
            #expect(x.expanded(to: [4, 2, 3]).sharesStorage(with: x))
            #expect(x.expanded(to: [4, 2, 3]).strides == [0, 3, 1])
        }

        @Test func reshapeOfANonContiguousViewCopies() throws {
            let x = try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
            let flat = x.transposed().reshaped(to: [6])
            #expect(!flat.sharesStorage(with: x))
            #expect(flat.scalars == [0, 3, 1, 4, 2, 5])
        }

        @Test func inPlaceWritesAreSeenByViews() throws {
            let x = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
            let view = x.transposed()
            x.withUnsafeMutableBufferPointer { $0[1] = 20 }
            #expect(view.scalars == [1, 3, 20, 4])
        }
    }

    @Suite("Broadcasting")
    struct BroadcastingTests {
        @Test func shapes() throws {
            let a = Tensor.ones(shape: [3, 1]), b = Tensor.ones(shape: [4])
            #expect((a + b).shape == [3, 4])
            #expect((Tensor.ones(shape: [2, 3, 4]) * Tensor.ones(shape: [3, 1])).shape == [2, 3, 4])
            #expect((Tensor.ones(shape: [5]) - Tensor(2)).shape == [5])
            #expect((Tensor.ones(shape: [1, 4]) / Tensor.ones(shape: [2, 1, 1])).shape == [2, 1, 4])
        }

        @Test func values() throws {
            // [[0],[10],[20]] + [1,2,3,4] = rows 10·i + (j + 1).
            let column = try Tensor(shape: [3, 1], scalars: [0, 10, 20])
            let row = Tensor([1, 2, 3, 4])
            let expected: [Float] = (0..<3).flatMap { i in (0..<4).map { j in Float(10 * i + j + 1) } }
            #expect((column + row).scalars == expected)
            // Broadcasting over a transposed (strided) operand.
            let matrix = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).transposed()  // [[1,4],[2,5],[3,6]]
            #expect((matrix * Tensor([10, 100])).scalars == [10, 400, 20, 500, 30, 600])
        }

        @Test func gradientOfABroadcastOperandIsSummed() throws {
            let bias = Tensor([1, 2]).requiringGradient()
            let x = Tensor.ones(shape: [3, 2])
            (x + bias).sum().backward()
            // d/d bias_j Σ_ij (x_ij + bias_j) = 3 rows.
            #expect(bias.grad?.scalars == [3, 3])
        }
    }

    @Suite("Autograd mechanics")
    struct AutogradTests {
        @Test func noGradientScope() throws {
            let w = Tensor([1, 2]).requiringGradient()
            #expect(GradientMode.isEnabled)
            let (inside, nestedEnabled) = withoutGradients {
                let nested = withoutGradients { GradientMode.isEnabled }
                return ((w * 2).sum(), nested)
            }
            #expect(!inside.requiresGrad)
            #expect(!nestedEnabled)
            #expect(GradientMode.isEnabled)
            #expect((w * 2).sum().requiresGrad)
        }

        @Test func gradientsAccumulateAcrossBackwardCalls() {
            let w = Tensor([1, 2, 3]).requiringGradient()
            (w * w).sum().backward()
            (w * 3).sum().backward()
            // 2w + 3
            #expect(w.grad?.scalars == [5, 7, 9])
            w.zeroGradient()
            #expect(w.grad?.scalars == [0, 0, 0])
            w.clearGradient()
            #expect(w.grad == nil)
        }

        @Test func sharedSubexpressionsSumTheirGradients() {
            // y = x·x + x, used through three paths; dy/dx = 2x + 1.
            let x = Tensor([0.5, -1.5]).requiringGradient()
            let square = x * x
            (square + x + square * 0).sum().backward()
            #expect(x.grad?.scalars == [2, -2])
        }

        @Test func longChainsDoNotOverflowTheStack() {
            // 20 000 recorded ops: the topological sort is iterative.
            let x = Tensor([1]).requiringGradient()
            var y = x
            for _ in 0..<20_000 { y = y * 1 }
            y.sum().backward()
            #expect(x.grad?.scalars == [1])
        }

        @Test func retainingTheGraphAllowsASecondBackward() {
            let x = Tensor([1, 2]).requiringGradient()
            let y = (x * x).sum()
            #expect(!y.isLeaf)
            y.backward(retainingGraph: true)
            y.backward()
            // Twice 2x.
            #expect(x.grad?.scalars == [4, 8])
            #expect(!y.isLeaf)
        }

        @Test func leavesNeverShareGradientBuffers() {
            // a + b hands the same gradient tensor to both leaves; each must own its gradient.
            let a = Tensor([1, 2]).requiringGradient(), b = Tensor([3, 4]).requiringGradient()
            (a + b).sum().backward()
            a.zeroGradient()
            #expect(b.grad?.scalars == [1, 1])
            #expect(a.grad?.scalars == [0, 0])
            // A seed the caller keeps is copied, not adopted.
            let c = Tensor([5, 6]).requiringGradient()
            let seed = Tensor([1, 2])
            c.backward(seed: seed)
            c.zeroGradient()
            #expect(seed.scalars == [1, 2])
        }

        @Test func explicitSeed() {
            let x = Tensor([1, 2]).requiringGradient()
            (x * 3).backward(seed: Tensor([1, 10]))
            #expect(x.grad?.scalars == [3, 30])
        }

        @Test func optimizerAccessors() {
            let w = Tensor([1, 2]).requiringGradient()
            (w * 4).sum().backward()
            // One SGD step, lr 0.5: w − 0.5·4.
            w.withUnsafeMutableDataAndGradient { data, gradient in
                for i in data.indices { data[i] -= 0.5 * gradient[i] }
            }
            #expect(w.scalars == [-1, 0])
            #expect(w.isLeaf && w.requiresGrad)
        }
    }

    @Suite("Errors")
    struct ErrorTests {
        @Test func typedErrorsForBadInput() {
            #expect(throws: TensorError.scalarCountMismatch(shape: [2, 2], expected: 4, actual: 3)) {
                try Tensor(shape: [2, 2], scalars: [1, 2, 3])
            }
            #expect(throws: TensorError.invalidShape(shape: [2, -1], reason: "dimensions must be ≥ 0")) {
                try Tensor(repeating: 0, shape: [2, -1])
            }
            #expect(throws: TensorError.invalidArgument(name: "threadCount", value: "0", reason: "must be in 1...256"))
            {
                try Engine.setThreadCount(0)
            }
            #expect(throws: TensorError.indexOutOfRange(index: 7, bound: 5, context: "labels")) {
                try Tensor.validateIndices([1, 7, 9], bound: 5, context: "labels")
            }
        }
    }
}

extension TensorEngineTests {
    /// Programmer misuse stops the process with a message naming the op (exit tests run it in a child).
    @Suite("Preconditions")
    struct PreconditionTests {
        @Test func secondBackwardThroughAReleasedGraphStops() async {
            await #expect(processExitsWith: .failure) {
                let x = Tensor([1, 2]).requiringGradient()
                let y = (x * x).sum()
                y.backward()
                y.backward()
            }
        }

        @Test func mismatchedShapesStop() async {
            await #expect(processExitsWith: .failure) {
                _ = Tensor.ones(shape: [2, 3]).matmul(Tensor.ones(shape: [2, 3]))
            }
            await #expect(processExitsWith: .failure) {
                _ = Tensor.ones(shape: [2, 3]) + Tensor.ones(shape: [4])
            }
        }
    }
}
