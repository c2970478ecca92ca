import GlidepathTensor

/// The loss on a fixed probe set, as the landscape probes see it: the parameters θ (flat in a fixed
/// order), their layers, and the mean loss of each probe batch.
///
/// The probes measure the Hessian of the *mean* loss over the batches (all batches of equal size, so
/// equal weight). `loss(b, mode)` must be deterministic — dropout off, batch-norm statistics frozen, no
/// augmentation — because a finite-difference HVP evaluates it twice at nearby points. A piecewise-linear
/// model records its activation pattern when `mode` is `.record` (at θ) and replays it for `.replay`
/// (at θ ± r·v̂), see ``ActivationPatterns``; a smooth model ignores `mode`.
public struct ProbeObjective {
    /// A named slice of the flat parameter vector (one parameter tensor, e.g. `"0.weight"`).
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var range: Range<Int>

        public init(name: String, range: Range<Int>) {
            self.name = name
            self.range = range
        }
    }

    public var parameters: [Tensor]
    public var layers: [Layer]
    /// The number of probe batches (≥ 1; ≥ 2 for the noise scale).
    public var batchCount: Int
    /// Examples per probe batch (the same for every batch).
    public var batchSize: Int
    /// The mean loss of probe batch `b`, recording the graph.
    public var loss: (Int, ActivationPatternMode) throws(NNError) -> Tensor

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for no batches, a batch size < 1, or layers
    ///   that do not tile the parameters.
    public init(
        parameters: [(name: String, tensor: Tensor)], batchCount: Int, batchSize: Int,
        loss: @escaping (Int, ActivationPatternMode) throws(NNError) -> Tensor
    ) throws(NNError) {
        try NNError.require(batchCount >= 1, "batchCount", batchCount, "must be >= 1")
        try NNError.require(batchSize >= 1, "batchSize", batchSize, "must be >= 1")
        self.parameters = parameters.map(\.tensor)
        var offset = 0
        layers = parameters.map { item in
            defer { offset += item.tensor.count }
            return Layer(name: item.name, range: offset..<offset + item.tensor.count)
        }
        self.batchCount = batchCount
        self.batchSize = batchSize
        self.loss = loss
    }

    /// The loss of batch `b` with the pattern recorded at θ (what every HVP evaluates).
    public func replayedLoss(_ batch: Int) throws(NNError) -> Tensor { try loss(batch, .replay) }

    /// Evaluates every batch at the current θ in recording mode (without gradients), so that HVPs can
    /// replay the pattern. ``LandscapeProbe/measure(_:settings:state:preconditioner:updateDirection:now:)``
    /// records during its gradient evaluations; call this before using ``replayedLoss(_:)`` directly.
    public func recordPatterns() throws(NNError) {
        for batch in 0..<batchCount {
            _ = try withoutGradients { () throws(NNError) -> Tensor in try loss(batch, .record) }
        }
    }

    /// The number of scalar parameters P.
    public var parameterCount: Int { layers.last?.range.upperBound ?? 0 }
}
