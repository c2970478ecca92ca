import GlidepathTensor

/// A fully connected layer, `y = x·Wᵀ + b` over the last axis (PyTorch `nn.Linear`).
///
/// Parameters `weight` `[outputFeatures, inputFeatures]` and `bias` `[outputFeatures]`, initialised
/// U(±1/√inputFeatures) (see ``Initialization``). Runs as the engine's fused `Tensor.linear`: the bias
/// is written into the output rows and the GEMM accumulates onto it, and the backward pass is two
/// GEMMs and a column sum, so a layer costs one graph node instead of three.
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
        weight = Initialization.uniformFanIn(
            shape: [outputFeatures, inputFeatures], fanIn: inputFeatures, using: &generator)
        self.bias =
            bias ? Initialization.uniformFanIn(shape: [outputFeatures], fanIn: inputFeatures, using: &generator) : nil
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// `input` is `[…, inputFeatures]`; the result is `[…, outputFeatures]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == inputFeatures,
            "Linear(\(inputFeatures)→\(outputFeatures)): input \(input.shape) must end in \(inputFeatures)")
        return Tensor.linear(input, weight: weight, bias: bias)
    }

    /// `relu(self(input))` as one fused op (what ``Sequential`` uses for Linear → ReLU).
    public func withReLU(_ input: Tensor) -> Tensor {
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == inputFeatures,
            "Linear(\(inputFeatures)→\(outputFeatures)): input \(input.shape) must end in \(inputFeatures)")
        return FusedLinearReLU.apply(input, weight: weight, bias: bias)
    }
}
