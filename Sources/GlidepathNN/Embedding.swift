import GlidepathTensor

/// A lookup table of `vocabularySize` vectors of `dimension` floats (PyTorch `nn.Embedding`,
/// `sparse=False`): the weight's gradient is dense, so optimizers update every row as PyTorch's do.
///
/// Parameter `weight` `[vocabularySize, dimension]`, initialised by ``Initialization`` — N(0, 1) by
/// default, as PyTorch — with the padding row zeroed; the padding row never receives a gradient.
public final class Embedding: Module {
    /// How the table's values are drawn.
    public enum Initialization: Sendable, Equatable, Codable {
        /// N(0, 1): PyTorch's `nn.Embedding` default (`reset_parameters` → `init.normal_`).
        case standardNormal
        /// U(−bound, bound): e.g. bound 0.1 as the `init_weights` of pytorch/examples
        /// `word_language_model` (`nn.init.uniform_(self.encoder.weight, -0.1, 0.1)`).
        case uniform(bound: Float)
    }

    public let weight: Tensor
    public let paddingIndex: Int?
    public var isTraining = true

    /// - Parameters:
    ///   - paddingIndex: a row in `-vocabularySize..<vocabularySize` (negative counts from the end, as
    ///     PyTorch), or nil.
    ///   - initialization: the distribution of the initial values, drawn row-major from `generator`.
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for sizes < 1, a padding index out
    ///   of range, or a uniform bound that is not finite and positive.
    public init<G: RandomNumberGenerator>(
        vocabularySize: Int, dimension: Int, paddingIndex: Int? = nil,
        initialization: Initialization = .standardNormal, using generator: inout G
    ) throws(NNError) {
        try NNError.require(vocabularySize >= 1, "vocabularySize", vocabularySize, "must be ≥ 1")
        try NNError.require(dimension >= 1, "dimension", dimension, "must be ≥ 1")
        if case .uniform(let bound) = initialization {
            try NNError.require(bound.isFinite && bound > 0, "initialization.bound", bound, "must be finite and > 0")
        }
        var padding: Int?
        if let paddingIndex {
            try NNError.require(
                paddingIndex >= -vocabularySize && paddingIndex < vocabularySize,
                "paddingIndex", paddingIndex, "must lie in -\(vocabularySize)..<\(vocabularySize)")
            padding = paddingIndex < 0 ? paddingIndex + vocabularySize : paddingIndex
        }
        self.paddingIndex = padding
        let table: Tensor
        switch initialization {
        case .standardNormal:
            table = Tensor.normal(shape: [vocabularySize, dimension], using: &generator)
        case .uniform(let bound):
            table = Tensor.uniform(
                shape: [vocabularySize, dimension], lowerBound: -bound, upperBound: bound,
                using: &generator)
        }
        if let padding {
            table.withUnsafeMutableBufferPointer { buffer in
                for i in 0..<dimension { buffer[padding * dimension + i] = 0 }
            }
        }
        weight = table.requiringGradient()
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// The rows for `indices` (row-major over `shape`), shaped `shape + [dimension]`.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` for an id outside the vocabulary or a
    ///   count that does not match `shape`.
    public func callAsFunction(_ indices: [Int32], shape: [Int]) throws(NNError) -> Tensor {
        do {
            return try Tensor.embedding(weight: weight, indices: indices, indexShape: shape, paddingIndex: paddingIndex)
        } catch {
            throw .invalidInput(name: "indices", value: "shape \(shape)", reason: error.description)
        }
    }
}
