/// Layout ops: reshape, transpose, permute, slice, expand. All are views that share storage, except
/// ``reshaped(to:)`` of a non-contiguous tensor, which copies (as PyTorch's `reshape` does).
extension Tensor {
    /// The same elements in row-major order with a new shape; one dimension may be -1 (inferred).
    /// A view when the tensor is contiguous, else a copy. `precondition`s a matching element count.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[inferred] = count / known
        }
        precondition(
            target.allSatisfy { $0 >= 0 } && Layout.count(target) == count,
            "reshape: cannot reshape \(shape) to \(newShape)")
        if target == shape { return self }
        let base = isContiguous ? self : contiguous()
        let view = Tensor(
            storage: base.node.storage, shape: target, strides: Layout.contiguousStrides(target),
            offset: base.offset)
        let inputShape = shape
        return Tensor.record("reshape", result: view, input: base) { gradient, sink in
            sink.accumulate(gradient.reshaped(to: inputShape), forInput: 0)
        }
    }

    /// A contiguous tensor with the same elements: `self` when already contiguous, else a copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let copy = Tensor(storage: Kernels.contiguousCopy(self), shape: shape)
        return Tensor.record("contiguous", result: copy, input: self) { gradient, sink in
            sink.accumulate(gradient, forInput: 0)
        }
    }

    /// A rank-1 view (or copy, see ``reshaped(to:)``) of all elements.
    public func flattened() -> Tensor { reshaped(to: [count]) }

    /// Collapses axes `startAxis...` into one (PyTorch `flatten(start_dim)`).
    public func flattened(fromAxis startAxis: Int) -> Tensor {
        let start = Layout.axis(startAxis, rank: rank, operation: "flatten")
        return reshaped(to: Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// A view with a size-1 axis inserted at `axis` (0...rank; negative counts from the end).
    public func unsqueezed(at axis: Int) -> Tensor {
        let position = Layout.axis(axis, rank: rank + 1, operation: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: position)
        var newStrides = strides
        newStrides.insert(position < rank ? strides[position] * shape[position] : 1, at: position)
        return view(shape: newShape, strides: newStrides, offset: offset, name: "unsqueeze")
    }

    /// A view without the size-1 axis `axis`. `precondition`s that the axis has size 1.
    public func squeezed(at axis: Int) -> Tensor {
        let position = Layout.axis(axis, rank: rank, operation: "squeeze")
        precondition(shape[position] == 1, "squeeze: axis \(axis) of shape \(shape) is not 1")
        var newShape = shape, newStrides = strides
        newShape.remove(at: position)
        newStrides.remove(at: position)
        return view(shape: newShape, strides: newStrides, offset: offset, name: "squeeze")
    }

    /// A view with axes `first` and `second` swapped.
    public func transposed(_ first: Int, _ second: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(
            Layout.axis(first, rank: rank, operation: "transpose"),
            Layout.axis(second, rank: rank, operation: "transpose"))
        return permuted(order)
    }

    /// The matrix transpose of a rank-2 tensor (a view).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: needs a matrix, got shape \(shape)")
        return permuted([1, 0])
    }

    /// A view whose axis `i` is axis `order[i]` of `self`. `precondition`s that `order` is a permutation.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(
            order.count == rank && Set(order) == Set(0..<rank),
            "permute: \(order) is not a permutation of the axes of \(shape)")
        let view = Tensor(
            storage: node.storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] },
            offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return Tensor.record("permute", result: view, input: self) { gradient, sink in
            sink.accumulate(gradient.permuted(inverse), forInput: 0)
        }
    }

    /// A view of the elements `range` (with `step`) along `axis`. `precondition`s a range inside the
    /// axis and a positive step.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let axis = Layout.axis(axis, rank: rank, operation: "slice")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis] && step > 0,
            "slice: range \(range) step \(step) outside axis \(axis) of shape \(shape)")
        var newShape = shape, newStrides = strides
        newShape[axis] = (range.count + step - 1) / step
        newStrides[axis] = strides[axis] * step
        let newOffset = offset + range.lowerBound * strides[axis]
        let result = Tensor(storage: node.storage, shape: newShape, strides: newStrides, offset: newOffset)
        // The gradient lands in the same region of a dense buffer of the input's shape.
        let dense = Layout.contiguousStrides(shape)
        var regionStrides = dense
        regionStrides[axis] = dense[axis] * step
        let regionOffset = range.lowerBound * dense[axis]
        return Tensor.record("slice", result: result, input: self) { gradient, sink in
            sink.accumulate(gradient, forInput: 0, region: (regionStrides, regionOffset))
        }
    }

    /// A view of element `index` along `axis`, with that axis removed.
    public func selecting(index: Int, alongAxis axis: Int) -> Tensor {
        sliced(alongAxis: axis, index..<(index + 1)).squeezed(at: axis)
    }

    /// A view broadcast to `target` (stride 0 on stretched axes; no copy). Gradient: summed back.
    /// `precondition`s broadcast compatibility.
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Layout.broadcastShape(shape, target) == target, "expand: cannot broadcast \(shape) to \(target)")
        let newStrides = Layout.broadcastStrides(shape: shape, strides: strides, to: target)
        let inputShape = shape
        let view = Tensor(storage: node.storage, shape: target, strides: newStrides, offset: offset)
        return Tensor.record("expand", result: view, input: self) { gradient, sink in
            sink.accumulate(gradient.summed(toShape: inputShape), forInput: 0)
        }
    }

    private func view(shape newShape: [Int], strides newStrides: [Int], offset newOffset: Int, name: StaticString)
        -> Tensor
    {
        let result = Tensor(storage: node.storage, shape: newShape, strides: newStrides, offset: newOffset)
        let inputShape = shape
        return Tensor.record(name, result: result, input: self) { gradient, sink in
            sink.accumulate(gradient.reshaped(to: inputShape), forInput: 0)
        }
    }
}
