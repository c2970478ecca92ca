import GlidepathTensor

/// Parameter initialisers equal in distribution to PyTorch's defaults (the draws themselves differ:
/// Glidepath's generator is xoshiro256**, PyTorch's is MT19937).
///
/// * `Linear` and `Conv2d` weights: `kaiming_uniform_(w, a=√5)`, i.e. U(−b, b) with
///   `b = gain·√(3/fan_in)`, `gain = √(2/(1+a²)) = √(1/3)`, so `b = 1/√fan_in`; biases U(±1/√fan_in)
///   (PyTorch `nn.Linear.reset_parameters`, `nn.modules.conv._ConvNd.reset_parameters`).
/// * LSTM: every weight and bias U(±1/√hidden) (`nn.RNNBase.reset_parameters`).
/// * Embedding: N(0, 1) with the padding row zeroed (`nn.Embedding.reset_parameters`).
/// * BatchNorm: weight 1, bias 0, running mean 0, running variance 1.
public enum Initialization {
    /// U(−1/√fanIn, 1/√fanIn) of `shape`, as a leaf that requires a gradient. This is both
    /// `kaiming_uniform_(a=√5)` for weights and PyTorch's bias rule.
    public static func uniformFanIn<G: RandomNumberGenerator>(
        shape: [Int], fanIn: Int, using generator: inout G
    ) -> Tensor {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.uniform(shape: shape, lowerBound: -bound, upperBound: bound, using: &generator)
            .requiringGradient()
    }

    /// U(−bound, bound) of `shape`, as a leaf that requires a gradient.
    public static func uniform<G: RandomNumberGenerator>(
        shape: [Int], bound: Float, using generator: inout G
    ) -> Tensor {
        Tensor.uniform(shape: shape, lowerBound: -bound, upperBound: bound, using: &generator).requiringGradient()
    }

    /// Overwrites `tensor`'s storage with `values` (row-major). `precondition`s the count.
    static func write(_ values: [Float], into tensor: Tensor) {
        tensor.withUnsafeMutableBufferPointer { buffer in
            precondition(buffer.count == values.count, "write: \(values.count) values for \(tensor.shape)")
            for index in buffer.indices { buffer[index] = values[index] }
        }
    }
}
