/// Dropout (Srivastava et al. 2014, JMLR 15:1929): in training, each element is zeroed with
/// `probability` and the survivors are scaled by `1/(1 − probability)`, so the expectation is
/// unchanged; in evaluation the input passes through. Matches PyTorch's `F.dropout` in distribution
/// (the mask comes from the injected generator, not PyTorch's).
extension Tensor {
    /// - Parameters:
    ///   - probability: in [0, 1]; 1 zeroes everything (as PyTorch).
    ///   - training: when false, returns `self`.
    ///   - generator: the source of the mask.
    /// `precondition`s the probability range (validate configuration with a typed error before).
    public func dropout<G: RandomNumberGenerator>(probability: Float, training: Bool, using generator: inout G)
        -> Tensor
    {
        precondition(probability >= 0 && probability <= 1, "dropout: probability \(probability) outside [0, 1]")
        guard training, probability > 0 else { return self }
        if probability == 1 { return self * 0 }
        let keep = 1 - probability, scale = 1 / keep
        let mask = Tensor.make(shape: shape) { buffer in
            for index in buffer.indices { buffer[index] = generator.nextUnitFloat() < keep ? scale : 0 }
        }
        return self * mask
    }
}
