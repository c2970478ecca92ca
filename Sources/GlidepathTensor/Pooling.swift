/// Two-dimensional max, average and adaptive average pooling over `[N, C, H, W]` tensors, matching
/// PyTorch's `max_pool2d`, `avg_pool2d` (with `ceil_mode=False`) and `adaptive_avg_pool2d`. Planes
/// (one channel of one image) are split over the engine's threads; each plane is independent, so the
/// result does not depend on the thread count.
extension Tensor {
    /// The maximum over each `kernel` window (padding counts as −∞, so it is never selected). The
    /// gradient goes to the first maximal position of each window (row-major), accumulating where
    /// windows overlap. `stride` defaults to `kernel`. `precondition`s rank 4, padding ≤ kernel/2
    /// (PyTorch's rule) and a non-empty output.
    public func maxPooled2D(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let p = PoolingGeometry(
            shape, kernel: kernel, stride: stride ?? kernel, padding: padding, operation: "maxPool2d")
        let input = contiguous()
        let output = TensorStorage(uninitializedCount: p.planes * p.outputPlane)
        var indices = [Int32](repeating: 0, count: p.planes * p.outputPlane)
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let threads = Swift.min(Engine.threadCount, p.planes)
        withExtendedLifetime(input) {
            indices.withUnsafeMutableBufferPointer { indexBuffer in
                guard let index = indexBuffer.baseAddress else { return }
                Engine.parallelFor(threads) { part in
                    for plane in (part * p.planes / threads)..<((part + 1) * p.planes / threads) {
                        let source = x + plane * p.inputPlane
                        let out = output.pointer + plane * p.outputPlane
                        let outIndex = index + plane * p.outputPlane
                        if p.isPlainTwoByTwo {
                            maxPoolTwoByTwo(source, out, outIndex, p)
                        } else {
                            for oh in 0..<p.outputHeight {
                                let h0 = oh * p.strideY - p.paddingY
                                let hStart = Swift.max(h0, 0), hEnd = Swift.min(h0 + p.kernelHeight, p.height)
                                for ow in 0..<p.outputWidth {
                                    let w0 = ow * p.strideX - p.paddingX
                                    let wStart = Swift.max(w0, 0), wEnd = Swift.min(w0 + p.kernelWidth, p.width)
                                    var best = -Float.infinity
                                    var bestIndex = hStart * p.width + wStart
                                    for h in hStart..<hEnd {
                                        for w in wStart..<wEnd {
                                            let value = source[h * p.width + w]
                                            if value > best || value.isNaN {
                                                best = value
                                                bestIndex = h * p.width + w
                                            }
                                        }
                                    }
                                    out[oh * p.outputWidth + ow] = best
                                    outIndex[oh * p.outputWidth + ow] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
        let result = Tensor(storage: output, shape: p.outputShape)
        let inputShape = shape
        return Tensor.record("maxPool2d", result: result, input: self) { gradient, sink in
            let g = gradient.contiguousStorageView()
            let dx = TensorStorage(uninitializedCount: p.planes * p.inputPlane)
            withExtendedLifetime(g.owner) {
                indices.withUnsafeBufferPointer { index in
                    // Planes are disjoint, so splitting them over threads cannot change the result.
                    Engine.parallelFor(threads) { part in
                        for plane in (part * p.planes / threads)..<((part + 1) * p.planes / threads) {
                            let target = dx.pointer + plane * p.inputPlane
                            target.update(repeating: 0, count: p.inputPlane)
                            for position in 0..<p.outputPlane {
                                let flat = plane * p.outputPlane + position
                                target[Int(index[flat])] += g.pointer[flat]
                            }
                        }
                    }
                }
            }
            sink.accumulate(Tensor(storage: dx, shape: inputShape), forInput: 0)
        }
    }

    /// The mean over each `kernel` window. With `countIncludingPadding` (PyTorch's default) padded
    /// zeros count in the divisor, which is then always `kh·kw`; otherwise only in-image elements count.
    public func averagePooled2D(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludingPadding: Bool = true
    ) -> Tensor {
        let p = PoolingGeometry(
            shape, kernel: kernel, stride: stride ?? kernel, padding: padding, operation: "avgPool2d")
        var windows: [PoolingWindow] = []
        windows.reserveCapacity(p.outputPlane)
        for oh in 0..<p.outputHeight {
            let h0 = oh * p.strideY - p.paddingY
            for ow in 0..<p.outputWidth {
                let w0 = ow * p.strideX - p.paddingX
                let hStart = Swift.max(h0, 0), hEnd = Swift.min(h0 + p.kernelHeight, p.height)
                let wStart = Swift.max(w0, 0), wEnd = Swift.min(w0 + p.kernelWidth, p.width)
                let divisor =
                    countIncludingPadding
                    ? (Swift.min(h0 + p.kernelHeight, p.height + p.paddingY) - h0)
                        * (Swift.min(w0 + p.kernelWidth, p.width + p.paddingX) - w0)
                    : (hEnd - hStart) * (wEnd - wStart)
                windows.append(
                    PoolingWindow(hStart: hStart, hEnd: hEnd, wStart: wStart, wEnd: wEnd, scale: 1 / Float(divisor)))
            }
        }
        return averagePooled(windows: windows, geometry: p, name: "avgPool2d")
    }

    /// Average pooling to a fixed `outputSize` (PyTorch `adaptive_avg_pool2d`): output cell `i` of an
    /// axis of length `L` averages input `floor(i·L/out) ..< ceil((i+1)·L/out)`.
    public func adaptiveAveragePooled2D(outputSize: (Int, Int)) -> Tensor {
        precondition(
            rank == 4 && outputSize.0 > 0 && outputSize.1 > 0,
            "adaptiveAvgPool2d: input \(shape) must be [N, C, H, W] and output size \(outputSize) positive")
        let height = shape[2], width = shape[3]
        let p = PoolingGeometry(
            planes: shape[0] * shape[1], height: height, width: width,
            outputHeight: outputSize.0, outputWidth: outputSize.1, batchShape: [shape[0], shape[1]])
        var windows: [PoolingWindow] = []
        for i in 0..<outputSize.0 {
            let hStart = i * height / outputSize.0, hEnd = ((i + 1) * height + outputSize.0 - 1) / outputSize.0
            for j in 0..<outputSize.1 {
                let wStart = j * width / outputSize.1, wEnd = ((j + 1) * width + outputSize.1 - 1) / outputSize.1
                windows.append(
                    PoolingWindow(
                        hStart: hStart, hEnd: hEnd, wStart: wStart, wEnd: wEnd,
                        scale: 1 / Float((hEnd - hStart) * (wEnd - wStart))))
            }
        }
        return averagePooled(windows: windows, geometry: p, name: "adaptiveAvgPool2d")
    }

    private func averagePooled(windows: [PoolingWindow], geometry p: PoolingGeometry, name: StaticString) -> Tensor {
        let input = contiguous()
        let output = TensorStorage(uninitializedCount: p.planes * p.outputPlane)
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        let threads = Swift.min(Engine.threadCount, p.planes)
        withExtendedLifetime(input) {
            Engine.parallelFor(threads) { part in
                for plane in (part * p.planes / threads)..<((part + 1) * p.planes / threads) {
                    let source = x + plane * p.inputPlane
                    let out = output.pointer + plane * p.outputPlane
                    for (position, window) in windows.enumerated() {
                        var total: Float = 0
                        for h in window.hStart..<window.hEnd {
                            for w in window.wStart..<window.wEnd { total += source[h * p.width + w] }
                        }
                        out[position] = total * window.scale
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.record(name, result: Tensor(storage: output, shape: p.outputShape), input: self) {
            gradient, sink in
            let g = gradient.contiguousStorageView()
            let dx = TensorStorage(repeating: 0, count: p.planes * p.inputPlane)
            withExtendedLifetime(g.owner) {
                for plane in 0..<p.planes {
                    let target = dx.pointer + plane * p.inputPlane
                    let gPlane = g.pointer + plane * p.outputPlane
                    for (position, window) in windows.enumerated() {
                        let share = gPlane[position] * window.scale
                        for h in window.hStart..<window.hEnd {
                            for w in window.wStart..<window.wEnd { target[h * p.width + w] += share }
                        }
                    }
                }
            }
            sink.accumulate(Tensor(storage: dx, shape: inputShape), forInput: 0)
        }
    }
}

/// The maximum of the 2×2 window at output column `column` whose rows start at `top` and `bottom`, and its
/// position: the first maximal element in row-major order, where a later one wins if it is greater or NaN
/// (so a NaN propagates, as PyTorch's `max_pool2d`).
@inline(__always)
func twoByTwoMaximum(_ source: UnsafePointer<Float>, top: Int, bottom: Int, column: Int) -> (Float, Int) {
    let i0 = top + 2 * column, i1 = i0 + 1, i2 = bottom + 2 * column, i3 = i2 + 1
    var best = source[i0], index = i0
    let b = source[i1], c = source[i2], d = source[i3]
    if b > best || b.isNaN { best = b; index = i1 }
    if c > best || c.isNaN { best = c; index = i2 }
    if d > best || d.isNaN { best = d; index = i3 }
    return (best, index)
}

/// The common 2×2, stride 2, unpadded case without per-window bounds arithmetic. Same tie and NaN rule
/// as the general loop (PyTorch's: a later element wins if it is greater or NaN).
@inline(__always)
private func maxPoolTwoByTwo(
    _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ outIndex: UnsafeMutablePointer<Int32>,
    _ p: PoolingGeometry
) {
    for oh in 0..<p.outputHeight {
        let top = 2 * oh * p.width, bottom = top + p.width
        for ow in 0..<p.outputWidth {
            let (best, index) = twoByTwoMaximum(source, top: top, bottom: bottom, column: ow)
            out[oh * p.outputWidth + ow] = best
            outIndex[oh * p.outputWidth + ow] = Int32(truncatingIfNeeded: index)
        }
    }
}

/// One averaging window: input rows `hStart..<hEnd`, columns `wStart..<wEnd`, and the factor 1/divisor.
struct PoolingWindow {
    let hStart, hEnd, wStart, wEnd: Int
    let scale: Float
}

/// Sizes of one pooling op over `[N, C, H, W]`.
struct PoolingGeometry {
    let planes, height, width, outputHeight, outputWidth: Int
    let kernelHeight, kernelWidth, strideY, strideX, paddingY, paddingX: Int
    let batchShape: [Int]

    var inputPlane: Int { height * width }
    var isPlainTwoByTwo: Bool {
        kernelHeight == 2 && kernelWidth == 2 && strideY == 2 && strideX == 2 && paddingY == 0 && paddingX == 0
    }
    var outputPlane: Int { outputHeight * outputWidth }
    var outputShape: [Int] { batchShape + [outputHeight, outputWidth] }

    init(_ shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), operation: StaticString) {
        precondition(shape.count == 4, "\(operation): input \(shape) must be [N, C, H, W]")
        precondition(
            kernel.0 >= 1 && kernel.1 >= 1 && stride.0 >= 1 && stride.1 >= 1
                && padding.0 >= 0 && padding.1 >= 0 && 2 * padding.0 <= kernel.0 && 2 * padding.1 <= kernel.1,
            "\(operation): kernel \(kernel), stride \(stride), padding \(padding) invalid (padding ≤ kernel/2)")
        planes = shape[0] * shape[1]
        height = shape[2]
        width = shape[3]
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideY = stride.0; strideX = stride.1
        paddingY = padding.0; paddingX = padding.1
        outputHeight = (height + 2 * padding.0 - kernel.0) / stride.0 + 1
        outputWidth = (width + 2 * padding.1 - kernel.1) / stride.1 + 1
        batchShape = [shape[0], shape[1]]
        precondition(
            height + 2 * padding.0 >= kernel.0 && width + 2 * padding.1 >= kernel.1,
            "\(operation): input \(shape) is smaller than kernel \(kernel) with padding \(padding)")
    }

    init(planes: Int, height: Int, width: Int, outputHeight: Int, outputWidth: Int, batchShape: [Int]) {
        self.planes = planes
        self.height = height
        self.width = width
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        kernelHeight = 0; kernelWidth = 0; strideY = 1; strideX = 1; paddingY = 0; paddingX = 0
        self.batchShape = batchShape
    }
}
