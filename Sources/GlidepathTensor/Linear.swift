/// The affine map of a fully connected layer as one op: `y = x · Wᵀ + b` (PyTorch `F.linear`).
extension Tensor {
    /// `y[…, o] = Σ_i x[…, i] · weight[o, i] + bias[o]` for `x` of shape `[…, in]` and `weight` of
    /// shape `[out, in]` (PyTorch's layout).
    ///
    /// Fused: the bias is written into the output first and the GEMM accumulates onto it (one pass over
    /// the output instead of a GEMM plus a broadcast add), and the weight gradient is computed directly
    /// in `[out, in]` layout as `gᵀ · x`. Gradients: `gx = g · W`, `gW = gᵀ · x`, `gb = Σ_rows g`.
    /// `precondition`s matching sizes.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(
            x.rank >= 1 && weight.rank == 2 && x.shape[x.rank - 1] == weight.shape[1],
            "linear: input \(x.shape) does not match weight \(weight.shape) ([…, in] and [out, in])")
        let outputs = weight.shape[0], inputs = weight.shape[1]
        if let bias {
            precondition(bias.shape == [outputs], "linear: bias \(bias.shape) for weight \(weight.shape)")
        }
        let rows = x.count / Swift.max(inputs, 1)
        let flat = x.reshaped(to: [rows, inputs])
        let output = TensorStorage(uninitializedCount: rows * outputs)
        if let bias {
            let b = bias.contiguousStorageView()
            withExtendedLifetime(b.owner) {
                for row in 0..<rows { (output.pointer + row * outputs).update(from: b.pointer, count: outputs) }
            }
        }
        let operandX = Kernels.operand(flat), operandW = Kernels.operand(weight)
        withExtendedLifetime((operandX.owner, operandW.owner)) {
            // op(W) must be Wᵀ: a row-major W is passed transposed, a transposed view is passed as is.
            Engine.backend.gemm(
                transposeA: operandX.transposed, transposeB: !operandW.transposed,
                m: rows, n: outputs, k: inputs, alpha: 1,
                a: operandX.pointer, lda: operandX.leadingDimension,
                b: operandW.pointer, ldb: operandW.leadingDimension,
                beta: bias == nil ? 0 : 1, c: output.pointer, ldc: outputs)
        }
        let result = Tensor(storage: output, shape: Array(x.shape.dropLast()) + [outputs])
        var recordedInputs = [x, weight]
        if let bias { recordedInputs.append(bias) }
        let inputShape = x.shape
        return record("linear", result: result, inputs: recordedInputs) { gradient, sink in
            let g = gradient.reshaped(to: [rows, outputs])
            if sink.needsGradient(forInput: 0) {
                sink.accumulate(g.matmul(weight).reshaped(to: inputShape), forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                sink.accumulate(g.transposed().matmul(flat), forInput: 1)
            }
            if recordedInputs.count == 3 && sink.needsGradient(forInput: 2) {
                sink.accumulate(g.sum(alongAxis: 0), forInput: 2)
            }
        }
    }
}
