/// Sum, mean and maximum over axes.
///
/// Summation order is fixed by the layout (row-major over the input), so results are deterministic.
extension Tensor {
    /// The sum over `axes` (negative axes count from the end). With `keepingDimensions` the reduced
    /// axes stay as size 1 (PyTorch `keepdim=True`). Gradient: the incoming gradient broadcast back.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = Set(axes.map { Layout.axis($0, rank: rank, operation: "sum") })
        var keptShape = shape
        for axis in normalized { keptShape[axis] = 1 }
        let result = Kernels.sum(self, keptShape: keptShape)
        let output =
            keepingDimensions
            ? result : result.reshaped(to: shape.indices.filter { !normalized.contains($0) }.map { shape[$0] })
        let inputShape = shape
        return Tensor.record("sum", result: output, input: self) { gradient, sink in
            sink.accumulate(gradient.reshaped(to: keptShape).expanded(to: inputShape), forInput: 0)
        }
    }

    /// The sum over one axis.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimension)
    }

    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// The mean over `axes` (see ``sum(alongAxes:keepingDimensions:)``).
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        var reduced = 1
        for axis in Set(axes.map({ Layout.axis($0, rank: rank, operation: "mean") })) { reduced *= shape[axis] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) * (1 / Float(reduced))
    }

    /// The mean over one axis.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimension)
    }

    /// The mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// The maximum over `axis` and, per result element, the index along `axis` where it occurs (the
    /// first one on ties). The gradient goes to that index only (PyTorch's `max(dim)`; `amax` would
    /// share it among ties). NaN wins over every number, as in PyTorch.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> (values: Tensor, indices: [Int32]) {
        let axis = Layout.axis(axis, rank: rank, operation: "max")
        let source = contiguousStorageView()
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        precondition(length > 0, "max: axis \(axis) of shape \(shape) is empty")
        var keptShape = shape
        keptShape[axis] = 1
        let values = TensorStorage(uninitializedCount: outer * inner)
        var indices = [Int32](repeating: 0, count: outer * inner)
        withExtendedLifetime(source.owner) {
            indices.withUnsafeMutableBufferPointer { index in
                for o in 0..<outer {
                    let base = source.pointer + o * length * inner
                    let out = values.pointer + o * inner
                    for i in 0..<inner { out[i] = base[i] }
                    for k in 1..<length {
                        let row = base + k * inner
                        for i in 0..<inner where row[i] > out[i] || (row[i].isNaN && !out[i].isNaN) {
                            out[i] = row[i]
                            index[o * inner + i] = Int32(k)
                        }
                    }
                }
            }
        }
        let result = Tensor(storage: values, shape: keptShape)
        let output =
            keepingDimension
            ? result : result.reshaped(to: shape.enumerated().filter { $0.offset != axis }.map(\.element))
        let inputShape = shape
        let recorded = Tensor.record("max", result: output, input: self) { gradient, sink in
            let g = gradient.contiguousStorageView()
            let input = TensorStorage(repeating: 0, count: outer * length * inner)
            withExtendedLifetime(g.owner) {
                for o in 0..<outer {
                    for i in 0..<inner {
                        let k = Int(indices[o * inner + i])
                        input.pointer[(o * length + k) * inner + i] = g.pointer[o * inner + i]
                    }
                }
            }
            sink.accumulate(Tensor(storage: input, shape: inputShape), forInput: 0)
        }
        return (recorded, indices)
    }

    /// The largest element, as a rank-0 tensor (gradient to its first occurrence).
    public func max() -> Tensor {
        reshaped(to: [count]).max(alongAxis: 0).values
    }
}

extension Kernels {
    /// Sums `tensor` into a new contiguous tensor of `keptShape` (the input shape with reduced axes set
    /// to 1).
    static func sum(_ tensor: Tensor, keptShape: [Int]) -> Tensor {
        let output = TensorStorage(repeating: 0, count: Layout.count(keptShape))
        let outputStrides = Layout.broadcastStrides(
            shape: keptShape, strides: Layout.contiguousStrides(keptShape), to: tensor.shape)
        let input = UnsafePointer(tensor.node.storage.pointer)
        let out = output.pointer
        if tensor.count > 0 {
            Layout.forEachRun(
                shape: tensor.shape, strides: [outputStrides, tensor.strides],
                baseOffsets: [0, tensor.offset]
            ) { offsets, length, inner in
                let o = out + offsets[0]
                let a = input + offsets[1]
                let so = inner[0], sa = inner[1]
                if so == 0 {
                    o[0] += sa == 1 ? Kernels.sum(a, count: length) : Kernels.sum(a, count: length, stride: sa)
                } else if so == 1 && sa == 1 {
                    for index in 0..<length { o[index] += a[index] }
                } else {
                    for index in 0..<length { o[index * so] += a[index * sa] }
                }
            }
        }
        return Tensor(storage: output, shape: keptShape)
    }

    /// The sum of a contiguous run, in eight interleaved partial sums (so the loop can use vector
    /// registers) combined in a fixed order: deterministic, and more accurate than one running sum.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var index = 0
        while index + 8 <= count {
            s0 += a[index]; s1 += a[index + 1]; s2 += a[index + 2]; s3 += a[index + 3]
            s4 += a[index + 4]; s5 += a[index + 5]; s6 += a[index + 6]; s7 += a[index + 7]
            index += 8
        }
        var tail: Float = 0
        while index < count { tail += a[index]; index += 1 }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)) + tail
    }

    /// `Σ (a[i] − shift)²`, in eight partial sums like ``sum(_:count:)``.
    @inline(__always)
    static func sumOfSquaredDeviations(_ a: UnsafePointer<Float>, count: Int, from shift: Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var index = 0
        while index + 8 <= count {
            let d0 = a[index] - shift, d1 = a[index + 1] - shift, d2 = a[index + 2] - shift, d3 = a[index + 3] - shift
            let d4 = a[index + 4] - shift, d5 = a[index + 5] - shift, d6 = a[index + 6] - shift,
                d7 = a[index + 7] - shift
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
            s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
            index += 8
        }
        var tail: Float = 0
        while index < count { let d = a[index] - shift; tail += d * d; index += 1 }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)) + tail
    }

    /// `Σ g[i] · (x[i] − shift)`, in eight partial sums like ``sum(_:count:)``.
    @inline(__always)
    static func dotWithDeviations(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, from shift: Float)
        -> Float
    {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var index = 0
        while index + 8 <= count {
            s0 += g[index] * (x[index] - shift); s1 += g[index + 1] * (x[index + 1] - shift)
            s2 += g[index + 2] * (x[index + 2] - shift); s3 += g[index + 3] * (x[index + 3] - shift)
            s4 += g[index + 4] * (x[index + 4] - shift); s5 += g[index + 5] * (x[index + 5] - shift)
            s6 += g[index + 6] * (x[index + 6] - shift); s7 += g[index + 7] * (x[index + 7] - shift)
            index += 8
        }
        var tail: Float = 0
        while index < count { tail += g[index] * (x[index] - shift); index += 1 }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)) + tail
    }

    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, count: Int, stride: Int) -> Float {
        var total: Float = 0
        for index in 0..<count { total += a[index * stride] }
        return total
    }
}
