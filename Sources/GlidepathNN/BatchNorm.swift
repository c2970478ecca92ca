import GlidepathTensor

/// Batch normalisation over the channel axis (Ioffe & Szegedy 2015, arXiv:1502.03167), PyTorch's
/// `nn.BatchNorm1d` (input `[N, C]` or `[N, C, L]`) and `nn.BatchNorm2d` (input `[N, C, H, W]`).
///
/// `y = (x − μ)/√(σ² + ε)·γ + β`. In training, batch statistics are used and the running statistics
/// updated as `running ← (1 − momentum)·running + momentum·batch` (unbiased variance), and
/// `num_batches_tracked` counts the updates; in evaluation the running statistics are used.
/// Parameters `weight` (γ, ones) and `bias` (β, zeros); buffers `running_mean` (zeros),
/// `running_var` (ones) and `num_batches_tracked` (a one-element count, stored as Float: exact up to
/// 2²⁴ updates; PyTorch stores an int64).
public final class BatchNorm: Layer {
    /// Which PyTorch class this layer mirrors: the accepted input ranks.
    public enum Kind: Sendable { case oneDimensional, twoDimensional }

    public let kind: Kind
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let batchesTracked: Tensor
    public let momentum: Float
    public let epsilon: Float
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for `features < 1`, momentum outside
    ///   [0, 1] or ε ≤ 0.
    public init(_ kind: Kind, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws(NNError) {
        try NNError.require(features >= 1, "features", features, "must be ≥ 1")
        try NNError.require(momentum >= 0 && momentum <= 1, "momentum", momentum, "must lie in [0, 1]")
        try NNError.require(epsilon > 0, "epsilon", epsilon, "must be > 0")
        self.kind = kind
        weight = Tensor.ones(shape: [features]).requiringGradient()
        bias = Tensor.zeros(shape: [features]).requiringGradient()
        runningMean = Tensor.zeros(shape: [features])
        runningVariance = Tensor.ones(shape: [features])
        batchesTracked = Tensor.zeros(shape: [])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// `nn.BatchNorm1d(features)`.
    public static func oneDimensional(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws(NNError)
        -> BatchNorm
    {
        try BatchNorm(.oneDimensional, features: features, momentum: momentum, epsilon: epsilon)
    }

    /// `nn.BatchNorm2d(features)`.
    public static func twoDimensional(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws(NNError)
        -> BatchNorm
    {
        try BatchNorm(.twoDimensional, features: features, momentum: momentum, epsilon: epsilon)
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public var localBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .oneDimensional:
            precondition(
                input.rank == 2 || input.rank == 3, "BatchNorm1d: input \(input.shape) must be [N, C] or [N, C, L]")
        case .twoDimensional:
            precondition(input.rank == 4, "BatchNorm2d: input \(input.shape) must be [N, C, H, W]")
        }
        if isTraining {
            batchesTracked.withUnsafeMutableBufferPointer { $0[0] += 1 }
        }
        return input.batchNormalized(
            weight: weight, bias: bias, runningMean: runningMean,
            runningVariance: runningVariance, training: isTraining,
            momentum: momentum, epsilon: epsilon)
    }
}
