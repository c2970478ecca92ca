/// Two-dimensional convolution (cross-correlation, as in PyTorch) by im2col + GEMM.
///
/// Each image is unfolded into a `[C·kh·kw, Ho·Wo]` column matrix (`ConvolutionUnfolding.swift`) and
/// multiplied by the weight viewed as `[O, C·kh·kw]`. Images are split over the engine's threads with BLAS
/// held at one thread inside the split: `docs/engine.md` ("Design measurements") reports conv2 (N=64, 32→64,
/// 16×16) at 18.5 ms forward + backward this way against 40.4 ms with BLAS's own two threads. The weight
/// and bias gradients are summed over a fixed number of image chunks in a fixed order, so results do not
/// depend on the thread count.
extension Tensor {
    /// `out[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · x[n, c, i·s + a − p, j·s + b − p]`
    /// with zero padding (PyTorch `torch.nn.functional.conv2d`, groups = 1, dilation = 1).
    ///
    /// - Parameters:
    ///   - weight: `[O, C, kh, kw]`.
    ///   - bias: `[O]`, or nil.
    ///   - stride: `(vertical, horizontal)`, each ≥ 1.
    ///   - padding: `(vertical, horizontal)` zeros added on both sides, each ≥ 0.
    /// - Returns: `[N, O, Ho, Wo]` with `Ho = (H + 2p − kh) / s + 1` (floor), likewise `Wo`.
    /// `precondition`s a rank-4 input `[N, C, H, W]`, matching channels and a non-empty output.
    public func convolved2D(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
    ) -> Tensor {
        let geometry = ConvolutionGeometry(
            input: shape, weight: weight.shape, bias: bias?.shape, stride: stride, padding: padding,
            operation: "conv2d")
        let input = contiguous().detached(), kernel = weight.contiguous().detached()
        let output = TensorStorage(uninitializedCount: geometry.batch * geometry.outputChannels * geometry.positions)
        Kernels.forEachConvolvedImage(input, kernel, bias?.contiguous(), geometry) { n, _ in
            output.pointer + n * geometry.outputChannels * geometry.positions
        } then: { _, _ in
        }
        let result = Tensor(
            storage: output,
            shape: [geometry.batch, geometry.outputChannels, geometry.outputHeight, geometry.outputWidth])
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record("conv2d", result: result, inputs: inputs) { gradient, sink in
            let g = gradient.contiguousStorageView()
            let gradients = withExtendedLifetime(g.owner) {
                Kernels.convolutionBackward(
                    input, kernel, geometry, needInput: sink.needsGradient(forInput: 0),
                    needWeight: sink.needsGradient(forInput: 1),
                    needBias: inputs.count == 3 && sink.needsGradient(forInput: 2)
                ) { n, _ in UnsafePointer(g.pointer + n * geometry.outputChannels * geometry.positions) }
            }
            if let inputGradient = gradients.input { sink.accumulate(inputGradient, forInput: 0) }
            if let weightGradient = gradients.weight { sink.accumulate(weightGradient, forInput: 1) }
            if let biasGradient = gradients.bias { sink.accumulate(biasGradient, forInput: 2) }
        }
    }
}

/// Sizes of one convolution.
struct ConvolutionGeometry {
    let batch, channels, height, width: Int
    let outputChannels, kernelHeight, kernelWidth: Int
    let strideY, strideX, paddingY, paddingX: Int

    var outputHeight: Int { (height + 2 * paddingY - kernelHeight) / strideY + 1 }
    var outputWidth: Int { (width + 2 * paddingX - kernelWidth) / strideX + 1 }
    /// Rows of the column matrix: C·kh·kw.
    var patch: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: Ho·Wo.
    var positions: Int { outputHeight * outputWidth }
    var imageSize: Int { channels * height * width }
    /// Stride 1 and an output as large as the input (`kh − 1 = 2·pY`, `kw − 1 = 2·pX`), so that output
    /// position `oh·W + ow` and the input positions it reads differ by a constant per kernel tap.
    var isSameSizeStrideOne: Bool {
        strideY == 1 && strideX == 1 && outputHeight == height && outputWidth == width
    }
    /// One image's output `[O, Ho·Wo]`.
    var outputImageSize: Int { outputChannels * positions }

    init(
        batch: Int, channels: Int, height: Int, width: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideY: Int, strideX: Int, paddingY: Int, paddingX: Int
    ) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.outputChannels = outputChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideY = strideY; self.strideX = strideX; self.paddingY = paddingY; self.paddingX = paddingX
    }

    /// The geometry of `operation` on an input of shape `input` with `weight` (and `bias`), checking the
    /// shapes with `precondition`s that name the op and both shapes.
    init(
        input: [Int], weight: [Int], bias: [Int]?, stride: (Int, Int), padding: (Int, Int), operation: StaticString
    ) {
        precondition(
            input.count == 4 && weight.count == 4 && input[1] == weight[1],
            "\(operation): input \(input) and weight \(weight) do not match ([N, C, H, W] and [O, C, kh, kw])")
        if let bias { precondition(bias == [weight[0]], "\(operation): bias \(bias) for weight \(weight)") }
        precondition(
            stride.0 >= 1 && stride.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
            "\(operation): stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        self.init(
            batch: input[0], channels: input[1], height: input[2], width: input[3], outputChannels: weight[0],
            kernelHeight: weight[2], kernelWidth: weight[3], strideY: stride.0, strideX: stride.1,
            paddingY: padding.0, paddingX: padding.1)
        precondition(
            outputHeight > 0 && outputWidth > 0,
            "\(operation): input \(input) is smaller than kernel \(weight) with padding \(padding)")
    }
}

/// The per-thread buffers of a convolution kernel: one image's column matrix and one image's output (or output
/// gradient) `[O, Ho·Wo]`.
struct ConvolutionScratch {
    let columns: TensorStorage
    let image: TensorStorage

    init(_ g: ConvolutionGeometry) {
        columns = TensorStorage(uninitializedCount: g.patch * g.positions)
        image = TensorStorage(uninitializedCount: g.outputImageSize)
    }
}

extension Kernels {
    /// The number of image chunks the weight gradient is summed over: fixed (not the thread count) so
    /// the summation order, and therefore the result, is the same for any thread count.
    static let convolutionChunks = 8

    /// The forward pass, image by image: `destination(n, scratch)` names where image `n`'s output `[O, Ho·Wo]`
    /// goes (the result tensor, or `scratch` for a fused epilogue), the bias is written there, one GEMM
    /// accumulates `W · im2col(x[n])` onto it, and `epilogue(n, output)` runs while the output is still in cache.
    static func forEachConvolvedImage(
        _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvolutionGeometry,
        into destination: (Int, UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>,
        then epilogue: (Int, UnsafePointer<Float>) -> Void
    ) {
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let w = UnsafePointer(weight.node.storage.pointer + weight.offset)
        let b = bias.map { UnsafePointer($0.node.storage.pointer + $0.offset) }
        let backend = Engine.backend
        let threads = Swift.min(Engine.threadCount, g.batch)
        withExtendedLifetime((input, weight, bias)) {
            Engine.withSingleThreadedBackend {
                Engine.parallelFor(threads) { part in
                    let scratch = ConvolutionScratch(g)
                    for n in (part * g.batch / threads)..<((part + 1) * g.batch / threads) {
                        im2col(x + n * g.imageSize, scratch.columns.pointer, g)
                        let out = destination(n, scratch.image.pointer)
                        // With a bias, write it first and let the GEMM accumulate onto it (beta 1): one
                        // pass over the output instead of BLAS's zeroing pass plus a bias pass.
                        if let b {
                            for o in 0..<g.outputChannels {
                                (out + o * g.positions).update(repeating: b[o], count: g.positions)
                            }
                        }
                        backend.gemm(
                            transposeA: false, transposeB: false, m: g.outputChannels, n: g.positions, k: g.patch,
                            alpha: 1, a: w, lda: g.patch, b: scratch.columns.pointer, ldb: g.positions,
                            beta: b == nil ? 0 : 1, c: out, ldc: g.positions)
                        epilogue(n, out)
                    }
                }
            }
        }
    }

    /// The backward pass, image by image, from `outputGradient(n, scratch)`: image `n`'s output gradient
    /// `[O, Ho·Wo]` (a view of the incoming gradient, or `scratch` filled by a fused op).
    ///
    /// `dW = Σ_n gOut[n] · im2col(x[n])ᵀ`, `dx[n] = col2im(Wᵀ · gOut[n])` and `db[o] = Σ_n Σ_p gOut[n, o, p]`;
    /// `dW` is summed per fixed chunk of images and the chunks in order, `db` image by image in order with
    /// each plane summed by ``sum(_:count:)`` (the order `gOut.sum(alongAxes: [0, 2, 3])` used), so the
    /// results do not depend on the thread count.
    static func convolutionBackward(
        _ input: Tensor, _ weight: Tensor, _ g: ConvolutionGeometry, needInput: Bool, needWeight: Bool,
        needBias: Bool, outputGradient: (Int, UnsafeMutablePointer<Float>) -> UnsafePointer<Float>
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let w = UnsafePointer(weight.node.storage.pointer + weight.offset)
        let inputGradient = needInput ? TensorStorage(uninitializedCount: g.batch * g.imageSize) : nil
        let chunks = Swift.min(convolutionChunks, g.batch)
        let weightSize = g.outputChannels * g.patch
        let partials = needWeight ? TensorStorage(uninitializedCount: chunks * weightSize) : nil
        let planeSums = needBias ? TensorStorage(uninitializedCount: g.batch * g.outputChannels) : nil
        let backend = Engine.backend
        withExtendedLifetime((input, weight)) {
            Engine.withSingleThreadedBackend {
                Engine.parallelFor(chunks) { chunk in
                    let scratch = ConvolutionScratch(g)
                    let first = chunk * g.batch / chunks, end = (chunk + 1) * g.batch / chunks
                    for n in first..<end {
                        let gOut = outputGradient(n, scratch.image.pointer)
                        if let planeSums {
                            for o in 0..<g.outputChannels {
                                planeSums.pointer[n * g.outputChannels + o] = sum(
                                    gOut + o * g.positions, count: g.positions)
                            }
                        }
                        if let partials {
                            im2col(x + n * g.imageSize, scratch.columns.pointer, g)
                            // dW_chunk (+)= gOut [O, P] · colsᵀ [P, K]
                            backend.gemm(
                                transposeA: false, transposeB: true, m: g.outputChannels, n: g.patch, k: g.positions,
                                alpha: 1, a: gOut, lda: g.positions, b: scratch.columns.pointer, ldb: g.positions,
                                beta: n == first ? 0 : 1, c: partials.pointer + chunk * weightSize, ldc: g.patch)
                        }
                        if let inputGradient {
                            // dcols [K, P] = Wᵀ [K, O] · gOut [O, P], then folded back onto the image.
                            backend.gemm(
                                transposeA: true, transposeB: false, m: g.patch, n: g.positions, k: g.outputChannels,
                                alpha: 1, a: w, lda: g.patch, b: gOut, ldb: g.positions,
                                beta: 0, c: scratch.columns.pointer, ldc: g.positions)
                            col2im(scratch.columns.pointer, inputGradient.pointer + n * g.imageSize, g)
                        }
                    }
                }
            }
        }
        var weightGradient: Tensor?
        if let partials {
            let total = TensorStorage(uninitializedCount: weightSize)
            total.pointer.update(from: partials.pointer, count: weightSize)
            for chunk in 1..<Swift.max(chunks, 1) {
                let part = partials.pointer + chunk * weightSize
                for i in 0..<weightSize { total.pointer[i] += part[i] }
            }
            weightGradient = Tensor(
                storage: total, shape: [g.outputChannels, g.channels, g.kernelHeight, g.kernelWidth])
        }
        var biasGradient: Tensor?
        if let planeSums {
            let total = TensorStorage(repeating: 0, count: g.outputChannels)
            for n in 0..<g.batch {
                for o in 0..<g.outputChannels { total.pointer[o] += planeSums.pointer[n * g.outputChannels + o] }
            }
            biasGradient = Tensor(storage: total, shape: [g.outputChannels])
        }
        return (
            inputGradient.map { Tensor(storage: $0, shape: [g.batch, g.channels, g.height, g.width]) },
            weightGradient, biasGradient
        )
    }
}
