import GlidepathTensor

/// `relu(x·Wᵀ + b)` as one graph node, used by ``Sequential`` for a ``Linear`` followed by
/// `Activation(.relu)` (the same function, fewer passes over memory).
///
/// Forward: the bias is written into the output rows, one GEMM accumulates onto it, and the ReLU is
/// applied in place. Backward: `g' = g ⊙ [y > 0]` (PyTorch's `threshold_backward`: the gradient at 0 is
/// 0), then `dX = g'·W`, `dW = g'ᵀ·X`, `db = Σ_rows g'`. This saves the separate ReLU node, its output
/// buffer, and its backward pass and mask buffer.
enum FusedLinearReLU {
    static func apply(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == inFeatures,
            "Linear+ReLU: input \(input.shape) does not match weight \(weight.shape)")
        let rows = input.count / inFeatures
        let outputShape = Array(input.shape.dropLast()) + [outFeatures]
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        let hasBias = bias != nil
        return Tensor.customOperation(
            name: "linearReLU", inputs: inputs, outputShape: outputShape,
            forward: { buffers, output in
                let x = buffers[0].base, w = buffers[1].base, y = output.base
                if hasBias {
                    let b = buffers[2].base
                    for row in 0..<rows { (y + row * outFeatures).update(from: b, count: outFeatures) }
                }
                Engine.backend.gemm(
                    transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                    alpha: 1, a: x, lda: inFeatures, b: w, ldb: inFeatures,
                    beta: hasBias ? 1 : 0, c: y, ldc: outFeatures)
                for i in 0..<(rows * outFeatures) { y[i] = Swift.max(y[i], 0) }
            },
            backward: { context in
                let x = context.inputs[0].base, w = context.inputs[1].base
                let y = context.outputs[0].base, g = context.outputGradients[0].base
                let masked = Tensor.scratch([rows, outFeatures])
                let gm = masked.mutableBase()
                for i in 0..<(rows * outFeatures) { gm[i] = y[i] > 0 ? g[i] : 0 }
                let backend = Engine.backend
                if let dx = context.inputGradients[0]?.base {
                    backend.gemm(
                        transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                        alpha: 1, a: gm, lda: outFeatures, b: w, ldb: inFeatures, beta: 1, c: dx, ldc: inFeatures)
                }
                if let dw = context.inputGradients[1]?.base {
                    backend.gemm(
                        transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                        alpha: 1, a: gm, lda: outFeatures, b: x, ldb: inFeatures, beta: 1, c: dw, ldc: inFeatures)
                }
                if hasBias, let db = context.inputGradients[2] {
                    for row in 0..<rows {
                        let gRow = gm + row * outFeatures
                        for j in 0..<outFeatures { db[j] += gRow[j] }
                    }
                }
                withExtendedLifetime(masked) {}
            })
    }
}
