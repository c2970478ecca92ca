import GlidepathTensor

/// A fully connected layer, `y = x·Wᵀ + b` over the last axis (PyTorch `nn.Linear`).
///
/// Parameters `weight` `[outputFeatures, inputFeatures]` and `bias` `[outputFeatures]`, initialised
/// U(±1/√inputFeatures) (see ``Initialization``). The forward pass is one fused op: the bias is
/// written into the output rows and the GEMM accumulates onto it (BLAS `beta = 1`), and the backward
/// pass is two GEMMs and a column sum, so a layer costs one graph node instead of three.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let inputFeatures: Int
    public let outputFeatures: Int
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` unless both sizes are ≥ 1.
    public init<G: RandomNumberGenerator>(
        inputFeatures: Int, outputFeatures: Int, bias: Bool = true, using generator: inout G
    ) throws(NNError) {
        try NNError.require(inputFeatures >= 1, "inputFeatures", inputFeatures, "must be ≥ 1")
        try NNError.require(outputFeatures >= 1, "outputFeatures", outputFeatures, "must be ≥ 1")
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        weight = Initialization.uniformFanIn(shape: [outputFeatures, inputFeatures], fanIn: inputFeatures, using: &generator)
        self.bias = bias ? Initialization.uniformFanIn(shape: [outputFeatures], fanIn: inputFeatures, using: &generator) : nil
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// `input` is `[…, inputFeatures]`; the result is `[…, outputFeatures]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1 && input.shape[input.rank - 1] == inputFeatures,
                     "Linear(\(inputFeatures)→\(outputFeatures)): input \(input.shape) must end in \(inputFeatures)")
        return FusedLinear.apply(input, weight: weight, bias: bias)
    }
}

/// `x·Wᵀ + b` as one custom op (forward GEMM onto the broadcast bias; backward two GEMMs).
enum FusedLinear {
    static func apply(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let rows = input.count / inFeatures
        let outputShape = Array(input.shape.dropLast()) + [outFeatures]
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        let hasBias = bias != nil
        return Tensor.customOperation(name: "linear", inputs: inputs, outputShape: outputShape, forward: { buffers, output in
            guard let x = buffers[0].baseAddress, let w = buffers[1].baseAddress, let y = output.baseAddress else { return }
            if hasBias, let b = buffers[2].baseAddress {
                for row in 0..<rows { (y + row * outFeatures).update(from: b, count: outFeatures) }
            }
            Engine.backend.gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                                alpha: 1, a: x, lda: inFeatures, b: w, ldb: inFeatures,
                                beta: hasBias ? 1 : 0, c: y, ldc: outFeatures)
        }, backward: { context in
            guard let x = context.inputs[0].baseAddress, let w = context.inputs[1].baseAddress,
                  let g = context.outputGradients[0].baseAddress else { return }
            let backend = Engine.backend
            if let dx = context.inputGradients[0]?.baseAddress {
                // dX [rows, in] += G [rows, out] · W [out, in]
                backend.gemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                             alpha: 1, a: g, lda: outFeatures, b: w, ldb: inFeatures, beta: 1, c: dx, ldc: inFeatures)
            }
            if let dw = context.inputGradients[1]?.baseAddress {
                // dW [out, in] += Gᵀ [out, rows] · X [rows, in]
                backend.gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                             alpha: 1, a: g, lda: outFeatures, b: x, ldb: inFeatures, beta: 1, c: dw, ldc: inFeatures)
            }
            if hasBias, let db = context.inputGradients[2] {
                for row in 0..<rows {
                    let gRow = g + row * outFeatures
                    for j in 0..<outFeatures { db[j] += gRow[j] }
                }
            }
        })
    }
}
