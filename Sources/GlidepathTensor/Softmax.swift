#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Softmax and log-softmax along an axis, computed stably (the row maximum is subtracted first).
extension Tensor {
    /// `softmax(x)_i = e^{x_i − max x} / Σ_j e^{x_j − max x}` along `axis`. Gradient
    /// `y ⊙ (g − Σ_j g_j y_j)`.
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let axis = Layout.axis(axis, rank: rank, operation: "softmax")
        let result = Kernels.softmax(self, axis: axis, logarithm: false)
        let output = result.detached()
        return Tensor.record("softmax", result: result, input: self) { gradient, sink in
            let product = gradient * output
            let total = product.sum(alongAxes: [axis], keepingDimensions: true)
            sink.accumulate(product - output * total, forInput: 0)
        }
    }

    /// `log softmax(x)_i = x_i − max x − log Σ_j e^{x_j − max x}` along `axis`. Gradient
    /// `g − e^y ⊙ Σ_j g_j`.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let axis = Layout.axis(axis, rank: rank, operation: "logSoftmax")
        let result = Kernels.softmax(self, axis: axis, logarithm: true)
        let output = result.detached()
        return Tensor.record("logSoftmax", result: result, input: self) { gradient, sink in
            let total = gradient.sum(alongAxes: [axis], keepingDimensions: true)
            sink.accumulate(gradient - output.exp() * total, forInput: 0)
        }
    }
}

extension Kernels {
    /// Softmax (or log-softmax) of `tensor` along `axis` into a new contiguous tensor. The input is read
    /// as `[outer, length, inner]`; the common last-axis case (`inner == 1`) runs along rows.
    static func softmax(_ tensor: Tensor, axis: Int, logarithm: Bool) -> Tensor {
        let shape = tensor.shape
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        let output = TensorStorage(uninitializedCount: tensor.count)
        Kernels.copy(tensor, into: output.pointer)
        let data = output.pointer
        if inner == 1 {
            for o in 0..<outer {
                softmaxRow(data + o * length, count: length, logarithm: logarithm)
            }
        } else {
            // Strided columns: gather each column through a small scratch row so the math stays one loop.
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: length)
            defer { scratch.deallocate() }
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = data + o * length * inner + i
                    for k in 0..<length { scratch[k] = base[k * inner] }
                    softmaxRow(scratch, count: length, logarithm: logarithm)
                    for k in 0..<length { base[k * inner] = scratch[k] }
                }
            }
        }
        return Tensor(storage: output, shape: shape)
    }

    /// In-place softmax or log-softmax of one contiguous row.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int, logarithm: Bool) {
        guard count > 0 else { return }
        var maximum = row[0]
        for index in 1..<count where row[index] > maximum || row[index].isNaN { maximum = row[index] }
        if logarithm {
            var total: Float = 0
            for index in 0..<count { total += FastMath.exp(row[index] - maximum) }
            let shift = maximum + logf(total)
            for index in 0..<count { row[index] -= shift }
        } else {
            for index in 0..<count { row[index] = FastMath.exp(row[index] - maximum) }
            let scale = 1 / sum(row, count: count)
            for index in 0..<count { row[index] *= scale }
        }
    }
}
