/// `relu(maxPool₂ₓ₂(conv2d(x)))` as one graph node: the convolution block of the study's CNNs
/// (`docs/tasks.md`), fused so that the full-size convolution output never leaves the cache.
///
/// Forward, per image: im2col, bias, GEMM into a per-thread `[O, Ho·Wo]` buffer, then the 2×2 stride-2
/// max (PyTorch's rule: a later element wins if it is greater or NaN) and the ReLU while that buffer is
/// hot; only the pooled output and the argmax positions are stored. Backward, per image: the output
/// gradient `g ⊙ [y > 0]` is scattered to the argmax positions of a zeroed per-thread buffer, which feeds
/// the convolution's weight, input and bias gradients directly. Compared with three ops (conv, pool,
/// ReLU) this saves writing and re-reading the convolution output, the pool's full-size input gradient,
/// and the ReLU's passes (`docs/engine.md`, "CNN kernels").
///
/// The values and gradients are bit-identical to `x.convolved2D(…).maxPooled2D(kernel: (2, 2)).relu()`
/// (tested): the GEMMs see the same operands in the same order, and the scattered gradient is the same.
extension Tensor {
    /// `y = relu(maxPool2d(conv2d(x, weight, bias, stride, padding), kernel 2, stride 2))` with the
    /// arguments of ``convolved2D(weight:bias:stride:padding:)``; `[N, O, ⌊Ho/2⌋, ⌊Wo/2⌋]`.
    /// `precondition`s the shapes as `convolved2D` does, and a convolution output of at least 2×2.
    public func convolvedReLUMaxPooled2D(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
    ) -> Tensor {
        let geometry = ConvolutionGeometry(
            input: shape, weight: weight.shape, bias: bias?.shape, stride: stride, padding: padding,
            operation: "conv2dReLUMaxPool2d")
        let pooled = PooledPlane(height: geometry.outputHeight, width: geometry.outputWidth)
        precondition(
            pooled.height > 0 && pooled.width > 0,
            "conv2dReLUMaxPool2d: convolution output \(geometry.outputHeight)×\(geometry.outputWidth) of input \(shape) "
                + "is smaller than the 2×2 pool")
        precondition(
            geometry.positions < 1 << 24, "conv2dReLUMaxPool2d: \(geometry.positions) positions per plane (≥ 2²⁴)")
        let input = contiguous().detached(), kernel = weight.contiguous().detached()
        let planes = geometry.batch * geometry.outputChannels
        let output = TensorStorage(uninitializedCount: planes * pooled.count)
        // Argmax positions within each plane, stored as floats in a pooled buffer (exact: a plane has fewer
        // than 2²⁴ positions).
        let indices = TensorStorage(uninitializedCount: planes * pooled.count)
        Kernels.forEachConvolvedImage(input, kernel, bias?.contiguous(), geometry) { _, scratch in
            scratch
        } then: { n, convolved in
            for o in 0..<geometry.outputChannels {
                let plane = n * geometry.outputChannels + o
                pooled.maxReLU(
                    convolved + o * geometry.positions, output.pointer + plane * pooled.count,
                    indices.pointer + plane * pooled.count)
            }
        }
        let result = Tensor(
            storage: output, shape: [geometry.batch, geometry.outputChannels, pooled.height, pooled.width])
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record("conv2dReLUMaxPool2d", result: result, inputs: inputs) { gradient, sink in
            let g = gradient.contiguousStorageView()
            let gradients = withExtendedLifetime((g.owner, output, indices)) {
                Kernels.convolutionBackward(
                    input, kernel, geometry, needInput: sink.needsGradient(forInput: 0),
                    needWeight: sink.needsGradient(forInput: 1),
                    needBias: inputs.count == 3 && sink.needsGradient(forInput: 2)
                ) { n, scratch in
                    for o in 0..<geometry.outputChannels {
                        let offset = (n * geometry.outputChannels + o) * pooled.count
                        pooled.scatterReLUGradient(
                            g.pointer + offset, output.pointer + offset, indices.pointer + offset,
                            into: scratch + o * geometry.positions)
                    }
                    return UnsafePointer(scratch)
                }
            }
            if let inputGradient = gradients.input { sink.accumulate(inputGradient, forInput: 0) }
            if let weightGradient = gradients.weight { sink.accumulate(weightGradient, forInput: 1) }
            if let biasGradient = gradients.bias { sink.accumulate(biasGradient, forInput: 2) }
        }
    }
}

/// A 2×2, stride-2, unpadded max pool over one `height × width` plane (`⌊height/2⌋ × ⌊width/2⌋` outputs).
struct PooledPlane {
    let inputHeight, inputWidth: Int

    init(height: Int, width: Int) {
        inputHeight = height
        inputWidth = width
    }

    var height: Int { inputHeight / 2 }
    var width: Int { inputWidth / 2 }
    var count: Int { height * width }

    /// `out = relu(max of each window)` and the window's first maximal position (row-major within the
    /// plane, as a float; a later element wins if it is greater or NaN, as `maxPooled2D`). `relu` as
    /// ``Tensor/relu()``: `x > 0 ? x : 0` (so NaN gives 0). Eight windows at a time in vector registers
    /// (the even and odd halves of 16 consecutive inputs), the rest one by one, with the same comparisons.
    @inline(__always)
    func maxReLU(
        _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ outIndex: UnsafeMutablePointer<Float>
    ) {
        let raw = UnsafeRawPointer(source)
        for oh in 0..<height {
            let top = 2 * oh * inputWidth, bottom = top + inputWidth
            var ow = 0
            while ow + 8 <= width {
                let upper = raw.loadUnaligned(fromByteOffset: 4 * (top + 2 * ow), as: SIMD16<Float>.self)
                let lower = raw.loadUnaligned(fromByteOffset: 4 * (bottom + 2 * ow), as: SIMD16<Float>.self)
                let i0 = SIMD8<Float>(0, 2, 4, 6, 8, 10, 12, 14) + Float(top + 2 * ow)
                var best = upper.evenHalf, index = i0
                let b = upper.oddHalf, c = lower.evenHalf, d = lower.oddHalf
                let takeB = (b .> best) .| (b .!= b)
                best.replace(with: b, where: takeB); index.replace(with: i0 + 1, where: takeB)
                let takeC = (c .> best) .| (c .!= c)
                best.replace(with: c, where: takeC); index.replace(with: i0 + Float(inputWidth), where: takeC)
                let takeD = (d .> best) .| (d .!= d)
                best.replace(with: d, where: takeD); index.replace(with: i0 + Float(inputWidth + 1), where: takeD)
                best.replace(with: 0, where: .!(best .> 0))
                UnsafeMutableRawPointer(out + oh * width + ow).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(outIndex + oh * width + ow).storeBytes(of: index, as: SIMD8<Float>.self)
                ow += 8
            }
            while ow < width {
                let (best, index) = twoByTwoMaximum(source, top: top, bottom: bottom, column: ow)
                out[oh * width + ow] = best > 0 ? best : 0
                outIndex[oh * width + ow] = Float(index)
                ow += 1
            }
        }
    }

    /// The adjoint for one plane: writes every input position's gradient, `0 + g` at a window's argmax when
    /// the pooled output `y > 0` and 0 elsewhere (the same bits as the pool's zeroed scatter after the ReLU's
    /// mask), including the uncovered last row or column of an odd-sized plane. Eight windows at a time as
    /// in ``maxReLU(_:_:_:)``, the rest one by one.
    @inline(__always)
    func scatterReLUGradient(
        _ gradient: UnsafePointer<Float>, _ output: UnsafePointer<Float>, _ index: UnsafePointer<Float>,
        into target: UnsafeMutablePointer<Float>
    ) {
        let gradients = UnsafeRawPointer(gradient), outputs = UnsafeRawPointer(output)
        let indices = UnsafeRawPointer(index)
        let right = Float(1), below = Float(inputWidth), diagonal = Float(inputWidth + 1)
        for oh in 0..<height {
            let top = target + 2 * oh * inputWidth, bottom = top + inputWidth
            let first = Float(2 * oh * inputWidth)
            var ow = 0
            while ow + 8 <= width {
                let position = 4 * (oh * width + ow)
                let g = gradients.loadUnaligned(fromByteOffset: position, as: SIMD8<Float>.self)
                let y = outputs.loadUnaligned(fromByteOffset: position, as: SIMD8<Float>.self)
                let at =
                    indices.loadUnaligned(fromByteOffset: position, as: SIMD8<Float>.self)
                    - (SIMD8<Float>(0, 2, 4, 6, 8, 10, 12, 14) + (first + Float(2 * ow)))
                let masked = SIMD8<Float>(repeating: 0).replacing(with: 0 + g, where: y .> 0)
                let zero = SIMD8<Float>(repeating: 0)
                let a = zero.replacing(with: masked, where: at .== 0)
                let b = zero.replacing(with: masked, where: at .== right)
                let c = zero.replacing(with: masked, where: at .== below)
                let d = zero.replacing(with: masked, where: at .== diagonal)
                UnsafeMutableRawPointer(top + 2 * ow).storeBytes(of: Self.interleave(a, b), as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(bottom + 2 * ow).storeBytes(of: Self.interleave(c, d), as: SIMD16<Float>.self)
                ow += 8
            }
            while ow < width {
                let position = oh * width + ow
                let g: Float = output[position] > 0 ? 0 + gradient[position] : 0
                let at = index[position] - first - Float(2 * ow)  // 0, 1, W or W + 1 within the window
                top[2 * ow] = at == 0 ? g : 0
                top[2 * ow + 1] = at == right ? g : 0
                bottom[2 * ow] = at == below ? g : 0
                bottom[2 * ow + 1] = at == diagonal ? g : 0
                ow += 1
            }
            if inputWidth > 2 * width {
                top[inputWidth - 1] = 0
                bottom[inputWidth - 1] = 0
            }
        }
        if inputHeight > 2 * height {
            (target + (inputHeight - 1) * inputWidth).update(repeating: 0, count: inputWidth)
        }
    }

    /// `(a₀, b₀, a₁, b₁, …, a₇, b₇)`.
    @inline(__always)
    static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(
            a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }
}
