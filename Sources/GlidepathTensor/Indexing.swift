/// Selecting elements by integer index: `indexSelect` (whole slices) and `gathering` (one element per
/// index, PyTorch `torch.gather`). Gradients scatter-add into a dense zero tensor of the input's shape
/// (repeated indices accumulate). Indices are `Int32` (token ids, class labels) and must lie in range:
/// a `precondition` here; validate untrusted data first (see ``validateIndices(_:bound:context:)``).
extension Tensor {
    /// The slices at `indices` along `axis`: the result's shape is `shape` with that axis replaced by
    /// `indices.count` (PyTorch `index_select`).
    public func indexSelect(alongAxis axis: Int, indices: [Int32]) -> Tensor {
        let axis = Layout.axis(axis, rank: rank, operation: "indexSelect")
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        for index in indices {
            precondition(
                index >= 0 && Int(index) < length, "indexSelect: index \(index) outside axis \(axis) of shape \(shape)")
        }
        var outputShape = shape
        outputShape[axis] = indices.count
        let source = contiguousStorageView()
        let output = TensorStorage(uninitializedCount: outer * indices.count * inner)
        withExtendedLifetime(source.owner) {
            for o in 0..<outer {
                for (position, index) in indices.enumerated() {
                    (output.pointer + (o * indices.count + position) * inner)
                        .update(from: source.pointer + (o * length + Int(index)) * inner, count: inner)
                }
            }
        }
        let inputShape = shape
        return Tensor.record("indexSelect", result: Tensor(storage: output, shape: outputShape), input: self) {
            gradient, sink in
            let g = gradient.contiguousStorageView()
            let input = TensorStorage(repeating: 0, count: outer * length * inner)
            withExtendedLifetime(g.owner) {
                for o in 0..<outer {
                    for (position, index) in indices.enumerated() {
                        let target = input.pointer + (o * length + Int(index)) * inner
                        let row = g.pointer + (o * indices.count + position) * inner
                        for i in 0..<inner { target[i] += row[i] }
                    }
                }
            }
            sink.accumulate(Tensor(storage: input, shape: inputShape), forInput: 0)
        }
    }

    /// `out[…, j, …] = self[…, indices[…, j, …], …]` along `axis` (PyTorch `torch.gather`), where
    /// `indices` holds one index per output element in row-major order and `indexShape` equals `shape`
    /// except along `axis`.
    public func gathering(alongAxis axis: Int, indices: [Int32], indexShape: [Int]) -> Tensor {
        let axis = Layout.axis(axis, rank: rank, operation: "gather")
        var expected = shape
        expected[axis] = indexShape.count == rank ? indexShape[axis] : -1
        precondition(
            indexShape == expected && indices.count == Layout.count(indexShape),
            "gather: index shape \(indexShape) (\(indices.count) indices) does not fit \(shape) along axis \(axis)")
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        let selected = indexShape[axis]
        for index in indices {
            precondition(
                index >= 0 && Int(index) < length, "gather: index \(index) outside axis \(axis) of shape \(shape)")
        }
        let source = contiguousStorageView()
        let output = TensorStorage(uninitializedCount: indices.count)
        withExtendedLifetime(source.owner) {
            for o in 0..<outer {
                for j in 0..<selected {
                    for i in 0..<inner {
                        let position = (o * selected + j) * inner + i
                        output.pointer[position] = source.pointer[(o * length + Int(indices[position])) * inner + i]
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.record("gather", result: Tensor(storage: output, shape: indexShape), input: self) {
            gradient, sink in
            let g = gradient.contiguousStorageView()
            let input = TensorStorage(repeating: 0, count: outer * length * inner)
            withExtendedLifetime(g.owner) {
                for o in 0..<outer {
                    for j in 0..<selected {
                        for i in 0..<inner {
                            let position = (o * selected + j) * inner + i
                            input.pointer[(o * length + Int(indices[position])) * inner + i] += g.pointer[position]
                        }
                    }
                }
            }
            sink.accumulate(Tensor(storage: input, shape: inputShape), forInput: 0)
        }
    }

    /// Checks that every index lies in `0..<bound`, for indices that come from data or user input.
    /// - Throws: ``TensorError/indexOutOfRange(index:bound:context:)`` naming the first bad index.
    public static func validateIndices(_ indices: [Int32], bound: Int, context: String) throws(TensorError) {
        for index in indices where index < 0 || Int(index) >= bound {
            throw .indexOutOfRange(index: Int(index), bound: bound, context: context)
        }
    }
}
