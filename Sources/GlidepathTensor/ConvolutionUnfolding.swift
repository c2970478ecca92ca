/// im2col and its adjoint col2im: the unfolding that turns a convolution into a GEMM.
///
/// An image `[C, H, W]` becomes the column matrix `[C·kh·kw, Ho·Wo]` whose row `(c, a, b)` holds
/// `x[c, i·s + a − p, j·s + b − p]` for every output position `(i, j)` (zero in the padding), so that
/// `out = W[O, C·kh·kw] · columns` (Chellapilla, Puri & Simard 2006, "High Performance Convolutional
/// Neural Networks for Document Processing"; Caffe's `im2col_cpu`).
extension Kernels {
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

    /// The flat window of one column-matrix row `(c, ki, kj)` of a same-size, stride-1 convolution
    /// (`Wo == W`): output position `d = oh·W + ow` reads input position `d + delta` of channel `c`, so the
    /// valid rows `ohStart..<ohEnd` are one contiguous run `d ∈ low..<high` (clipped to the plane), apart
    /// from the `start`/`end` edge columns, which read the neighbouring row and must be zero.
    @inline(__always)
    static func sameSizeWindow(_ ki: Int, _ kj: Int, _ g: ConvolutionGeometry) -> (
        ohStart: Int, ohEnd: Int, delta: Int, low: Int, high: Int
    ) {
        let ohStart = Swift.max(0, g.paddingY - ki), ohEnd = Swift.min(g.outputHeight, g.height + g.paddingY - ki)
        let delta = (ki - g.paddingY) * g.width + (kj - g.paddingX)
        let plane = g.height * g.width
        let low = Swift.max(ohStart * g.width, -delta), high = Swift.min(ohEnd * g.width, plane - delta)
        return (ohStart, ohEnd, delta, low, Swift.max(low, high))
    }

    /// ``im2col(_:_:_:)`` for a same-size, stride-1 convolution (the study's 3×3, padding 1 blocks): one bulk
    /// copy per row of the column matrix instead of one short copy per output row, whose call overhead
    /// dominated (`docs/engine.md`, "CNN kernels").
    static func sameSizeUnfold(
        _ image: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry
    ) {
        let width = g.width, positions = g.positions
        for c in 0..<g.channels {
            let channel = image + c * g.height * width
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * positions
                    let window = sameSizeWindow(ki, kj, g)
                    let (start, end) = validColumns(kj, g)
                    row.update(repeating: 0, count: window.low)
                    (row + window.low).update(
                        from: channel + (window.low + window.delta), count: window.high - window.low)
                    (row + window.high).update(repeating: 0, count: positions - window.high)
                    zeroPaddingColumns(row, rows: window.ohStart..<window.ohEnd, valid: start..<end, width: width)
                }
            }
        }
    }

    /// Zeroes, in each output row `oh` of `rows` of one column-matrix row, the output columns outside `valid`
    /// (their kernel tap falls in the horizontal padding): what both same-size kernels need after or before
    /// their one bulk run.
    @inline(__always)
    static func zeroPaddingColumns(
        _ row: UnsafeMutablePointer<Float>, rows: Range<Int>, valid: Range<Int>, width: Int
    ) {
        for oh in rows {
            let line = row + oh * width
            for ow in 0..<valid.lowerBound { line[ow] = 0 }
            for ow in valid.upperBound..<width { line[ow] = 0 }
        }
    }

    /// ``col2im(_:_:_:)`` for a same-size, stride-1 convolution: the edge entries of each row of `columns`
    /// (which belong to the padding) are zeroed, then the row is added to the plane in one run.
    static func sameSizeFold(
        _ columns: UnsafeMutablePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry
    ) {
        let width = g.width, positions = g.positions
        for c in 0..<g.channels {
            let channel = image + c * g.height * width
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * positions
                    let window = sameSizeWindow(ki, kj, g)
                    let (start, end) = validColumns(kj, g)
                    zeroPaddingColumns(row, rows: window.ohStart..<window.ohEnd, valid: start..<end, width: width)
                    let target = channel + (window.low + window.delta), values = row + window.low
                    for index in 0..<(window.high - window.low) { target[index] += values[index] }
                }
            }
        }
    }

    /// Unfolds one image `[C, H, W]` into `columns` `[C·kh·kw, Ho·Wo]` (zeros where the window is in
    /// the padding).
    static func im2col(_ image: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry)
    {
        if g.isSameSizeStrideOne {
            sameSizeUnfold(image, columns, g)
            return
        }
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
    /// `columns` is scratch: the same-size path zeroes its padding entries before folding.
    static func col2im(
        _ columns: UnsafeMutablePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry
    ) {
        image.update(repeating: 0, count: g.imageSize)
        if g.isSameSizeStrideOne {
            sameSizeFold(columns, image, g)
            return
        }
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
