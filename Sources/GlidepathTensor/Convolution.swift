/// Two-dimensional convolution (cross-correlation, as in PyTorch) by im2col + GEMM.
///
/// Each image is unfolded into a `[C·kh·kw, Ho·Wo]` column matrix and multiplied by the weight viewed as
/// `[O, C·kh·kw]`. Images are split over the engine's threads with BLAS held at one thread inside the
/// split: `docs/engine.md` ("Design measurements") reports conv2 (N=64, 32→64, 16×16) at 18.5 ms forward + backward
/// this way against 40.4 ms with BLAS's own two threads. The weight gradient is summed over a fixed number of
/// image chunks in a fixed order, so results do not depend on the thread count.
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
        precondition(
            rank == 4 && weight.rank == 4 && shape[1] == weight.shape[1],
            "conv2d: input \(shape) and weight \(weight.shape) do not match ([N, C, H, W] and [O, C, kh, kw])")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "conv2d: bias \(bias.shape) for weight \(weight.shape)")
        }
        precondition(
            stride.0 >= 1 && stride.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
            "conv2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        let geometry = ConvolutionGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
            outputChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            strideY: stride.0, strideX: stride.1, paddingY: padding.0, paddingX: padding.1)
        precondition(
            geometry.outputHeight > 0 && geometry.outputWidth > 0,
            "conv2d: input \(shape) is smaller than kernel \(weight.shape) with padding \(padding)")
        let input = contiguous().detached(), kernel = weight.contiguous().detached()
        let output = Kernels.convolutionForward(input, kernel, bias?.contiguous(), geometry)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record("conv2d", result: output, inputs: inputs) { gradient, sink in
            let g = gradient.contiguous()
            let (inputGradient, weightGradient) = Kernels.convolutionBackward(
                input, kernel, g, geometry,
                needInput: sink.needsGradient(forInput: 0), needWeight: sink.needsGradient(forInput: 1))
            if let inputGradient { sink.accumulate(inputGradient, forInput: 0) }
            if let weightGradient { sink.accumulate(weightGradient, forInput: 1) }
            if inputs.count == 3 && sink.needsGradient(forInput: 2) {
                sink.accumulate(g.sum(alongAxes: [0, 2, 3]), forInput: 2)
            }
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
}

extension Kernels {
    /// The number of image chunks the weight gradient is summed over: fixed (not the thread count) so
    /// the summation order, and therefore the result, is the same for any thread count.
    static let convolutionChunks = 8

    static func convolutionForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: ConvolutionGeometry)
        -> Tensor
    {
        let output = TensorStorage(uninitializedCount: g.batch * g.outputChannels * g.positions)
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let w = UnsafePointer(weight.node.storage.pointer + weight.offset)
        let b = bias.map { UnsafePointer($0.node.storage.pointer + $0.offset) }
        let backend = Engine.backend
        let threads = Swift.min(Engine.threadCount, g.batch)
        withExtendedLifetime((input, weight, bias)) {
            Engine.withSingleThreadedBackend {
                Engine.parallelFor(threads) { part in
                    let columns = TensorStorage(uninitializedCount: g.patch * g.positions)
                    for n in (part * g.batch / threads)..<((part + 1) * g.batch / threads) {
                        let image = x + n * g.imageSize
                        im2col(image, columns.pointer, g)
                        let out = output.pointer + n * g.outputChannels * g.positions
                        // With a bias, write it first and let the GEMM accumulate onto it (beta 1): one
                        // pass over the output instead of BLAS's zeroing pass plus a bias pass.
                        if let b {
                            for o in 0..<g.outputChannels {
                                (out + o * g.positions).update(repeating: b[o], count: g.positions)
                            }
                        }
                        backend.gemm(
                            transposeA: false, transposeB: false, m: g.outputChannels, n: g.positions, k: g.patch,
                            alpha: 1, a: w, lda: g.patch, b: columns.pointer, ldb: g.positions,
                            beta: b == nil ? 0 : 1, c: out, ldc: g.positions)
                    }
                }
            }
        }
        return Tensor(storage: output, shape: [g.batch, g.outputChannels, g.outputHeight, g.outputWidth])
    }

    static func convolutionBackward(
        _ input: Tensor, _ weight: Tensor, _ gradient: Tensor, _ g: ConvolutionGeometry,
        needInput: Bool, needWeight: Bool
    ) -> (Tensor?, Tensor?) {
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let w = UnsafePointer(weight.node.storage.pointer + weight.offset)
        let gy = UnsafePointer(gradient.node.storage.pointer + gradient.offset)
        let inputGradient = needInput ? TensorStorage(uninitializedCount: g.batch * g.imageSize) : nil
        let chunks = Swift.min(convolutionChunks, g.batch)
        let weightSize = g.outputChannels * g.patch
        let partials = needWeight ? TensorStorage(uninitializedCount: chunks * weightSize) : nil
        let backend = Engine.backend
        withExtendedLifetime((input, weight, gradient)) {
            Engine.withSingleThreadedBackend {
                Engine.parallelFor(chunks) { chunk in
                    let columns = TensorStorage(uninitializedCount: g.patch * g.positions)
                    let first = chunk * g.batch / chunks, end = (chunk + 1) * g.batch / chunks
                    for n in first..<end {
                        let gOut = gy + n * g.outputChannels * g.positions
                        if let partials {
                            im2col(x + n * g.imageSize, columns.pointer, g)
                            // dW_chunk (+)= gOut [O, P] · colsᵀ [P, K]
                            backend.gemm(
                                transposeA: false, transposeB: true, m: g.outputChannels, n: g.patch, k: g.positions,
                                alpha: 1, a: gOut, lda: g.positions, b: columns.pointer, ldb: g.positions,
                                beta: n == first ? 0 : 1, c: partials.pointer + chunk * weightSize, ldc: g.patch)
                        }
                        if let inputGradient {
                            // dcols [K, P] = Wᵀ [K, O] · gOut [O, P], then folded back onto the image.
                            backend.gemm(
                                transposeA: true, transposeB: false, m: g.patch, n: g.positions, k: g.outputChannels,
                                alpha: 1, a: w, lda: g.patch, b: gOut, ldb: g.positions,
                                beta: 0, c: columns.pointer, ldc: g.positions)
                            col2im(columns.pointer, inputGradient.pointer + n * g.imageSize, g)
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
        return (
            inputGradient.map { Tensor(storage: $0, shape: [g.batch, g.channels, g.height, g.width]) }, weightGradient
        )
    }

    /// The valid output columns `owStart..<owEnd` for kernel column `kj` (those reading inside the row).
    @inline(__always)
    static func validColumns(_ kj: Int, _ g: ConvolutionGeometry) -> (Int, Int) {
        // iw = ow·s − p + kj ∈ [0, W)  ⇔  ow ≥ (p − kj)/s  and  ow ≤ (W − 1 + p − kj)/s
        let lowNumerator = g.paddingX - kj
        let start = lowNumerator <= 0 ? 0 : (lowNumerator + g.strideX - 1) / g.strideX
        let highNumerator = g.width - 1 + g.paddingX - kj
        let end = highNumerator < 0 ? 0 : Swift.min(g.outputWidth, highNumerator / g.strideX + 1)
        return (Swift.min(start, end), end)
    }

    /// Unfolds one image `[C, H, W]` into `columns` `[C·kh·kw, Ho·Wo]` (zeros where the window is in
    /// the padding).
    static func im2col(_ image: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry)
    {
        let ho = g.outputHeight, wo = g.outputWidth
        for c in 0..<g.channels {
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * g.positions
                    let (start, end) = validColumns(kj, g)
                    for oh in 0..<ho {
                        let destination = row + oh * wo
                        let ih = oh * g.strideY - g.paddingY + ki
                        if ih < 0 || ih >= g.height {
                            destination.update(repeating: 0, count: wo)
                            continue
                        }
                        // Input column of output column ow: ow·s + shift, ≥ 0 for ow in start..<end (the
                        // pointer is only ever formed inside the image).
                        let source = image + (c * g.height + ih) * g.width
                        let shift = kj - g.paddingX
                        for ow in 0..<start { destination[ow] = 0 }
                        if g.strideX == 1 {
                            if end > start {
                                (destination + start).update(from: source + (start + shift), count: end - start)
                            }
                        } else {
                            for ow in start..<end { destination[ow] = source[ow * g.strideX + shift] }
                        }
                        for ow in end..<wo { destination[ow] = 0 }
                    }
                }
            }
        }
    }

    /// The adjoint of ``im2col(_:_:_:)``: overwrites `image` `[C, H, W]` with the sum of the column
    /// entries that read each pixel.
    static func col2im(_ columns: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry)
    {
        image.update(repeating: 0, count: g.imageSize)
        let ho = g.outputHeight, wo = g.outputWidth
        for c in 0..<g.channels {
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * g.positions
                    let (start, end) = validColumns(kj, g)
                    for oh in 0..<ho {
                        let ih = oh * g.strideY - g.paddingY + ki
                        if ih < 0 || ih >= g.height { continue }
                        let source = row + oh * wo
                        let destination = image + (c * g.height + ih) * g.width
                        let shift = kj - g.paddingX
                        if g.strideX == 1 {
                            if end > start {
                                let target = destination + (start + shift), values = source + start
                                for index in 0..<(end - start) { target[index] += values[index] }
                            }
                        } else {
                            for ow in start..<end { destination[ow * g.strideX + shift] += source[ow] }
                        }
                    }
                }
            }
        }
    }
}
