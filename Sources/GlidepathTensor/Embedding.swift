/// Embedding lookup: rows of a `[vocabulary, dimension]` weight selected by token ids, matching
/// PyTorch's `F.embedding` with `sparse=False`: the weight's gradient is dense (the whole
/// `[vocabulary, dimension]` matrix, zeros for unused rows), so optimizers update every row as PyTorch's
/// do. The row at `paddingIndex` receives no gradient.
extension Tensor {
    /// `out[i…, :] = weight[indices[i…], :]`, shaped `indexShape + [dimension]`.
    ///
    /// - Parameters:
    ///   - weight: `[vocabulary, dimension]`.
    ///   - indices: token ids, row-major over `indexShape`.
    ///   - paddingIndex: a row (negative counts from the end, as PyTorch) whose gradient stays zero.
    /// - Throws: ``TensorError/indexOutOfRange(index:bound:context:)`` for a token id or padding index
    ///   outside the vocabulary, ``TensorError/scalarCountMismatch(shape:expected:actual:)`` when
    ///   `indices.count` does not match `indexShape`. `precondition`s a rank-2 weight.
    public static func embedding(
        weight: Tensor, indices: [Int32], indexShape: [Int], paddingIndex: Int? = nil
    ) throws(TensorError) -> Tensor {
        precondition(weight.rank == 2, "embedding: weight \(weight.shape) must be [vocabulary, dimension]")
        let vocabulary = weight.shape[0], dimension = weight.shape[1]
        let expected = try validatedCount(indexShape)
        guard expected == indices.count else {
            throw .scalarCountMismatch(shape: indexShape, expected: expected, actual: indices.count)
        }
        try validateIndices(indices, bound: vocabulary, context: "embedding token id")
        var padding: Int?
        if let paddingIndex {
            let normalized = paddingIndex < 0 ? paddingIndex + vocabulary : paddingIndex
            guard normalized >= 0 && normalized < vocabulary else {
                throw .indexOutOfRange(index: paddingIndex, bound: vocabulary, context: "embedding padding index")
            }
            padding = normalized
        }
        let table = weight.contiguousStorageView()
        let output = TensorStorage(uninitializedCount: indices.count * dimension)
        withExtendedLifetime(table.owner) {
            for (position, index) in indices.enumerated() {
                (output.pointer + position * dimension).update(
                    from: table.pointer + Int(index) * dimension, count: dimension)
            }
        }
        let result = Tensor(storage: output, shape: indexShape + [dimension])
        return record("embedding", result: result, input: weight) { gradient, sink in
            let g = gradient.contiguousStorageView()
            let dense = TensorStorage(repeating: 0, count: vocabulary * dimension)
            withExtendedLifetime(g.owner) {
                for (position, index) in indices.enumerated() where Int(index) != padding {
                    let target = dense.pointer + Int(index) * dimension
                    let row = g.pointer + position * dimension
                    for i in 0..<dimension { target[i] += row[i] }
                }
            }
            sink.accumulate(Tensor(storage: dense, shape: [vocabulary, dimension]), forInput: 0)
        }
    }
}
