import GlidepathTensor

/// The loss on a fixed probe set, as the landscape probes see it: the parameters θ (flat in a fixed
/// order), their layers, and the mean loss of each probe batch.
///
/// The probes measure the Hessian of the *mean* loss over the batches (all batches of equal size, so
/// equal weight). `loss(b)` must be deterministic — dropout off, batch-norm statistics frozen, no
/// augmentation — because a finite-difference HVP evaluates it twice at nearby points.
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
    public var loss: (Int) throws(NNError) -> Tensor

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for no batches, a batch size < 1, or layers
    ///   that do not tile the parameters.
    public init(parameters: [(name: String, tensor: Tensor)], batchCount: Int, batchSize: Int,
                loss: @escaping (Int) throws(NNError) -> Tensor) throws(NNError) {
        try NNError.require(batchCount >= 1, "batchCount", batchCount, "must be >= 1")
        try NNError.require(batchSize >= 1, "batchSize", batchSize, "must be >= 1")
        self.parameters = parameters.map(\.tensor)
        var offset = 0
        layers = parameters.map { item in
            defer { offset += item.tensor.count }
            return Layer(name: item.name, range: offset ..< offset + item.tensor.count)
        }
        self.batchCount = batchCount
        self.batchSize = batchSize
        self.loss = loss
    }

    /// The number of scalar parameters P.
    public var parameterCount: Int { layers.last?.range.upperBound ?? 0 }
}
