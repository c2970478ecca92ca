/// Concatenation and stacking.
extension Tensor {
    /// The tensors joined along an existing `axis`. All must have equal shapes except along `axis`.
    /// Gradient: the matching slice of the incoming gradient for each input (views, no copies).
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let axis = Layout.axis(axis, rank: first.rank, operation: "concatenate")
        var outputShape = first.shape
        outputShape[axis] = 0
        for tensor in tensors {
            var expected = first.shape
            expected[axis] = tensor.rank == first.rank ? tensor.shape[axis] : -1
            precondition(
                tensor.shape == expected,
                "concatenate: shape \(tensor.shape) does not match \(first.shape) outside axis \(axis)")
            outputShape[axis] += tensor.shape[axis]
        }
        let output = TensorStorage(uninitializedCount: Layout.count(outputShape))
        let outputStrides = Layout.contiguousStrides(outputShape)
        var start = 0
        var ranges: [Range<Int>] = []
        for tensor in tensors {
            let region = Tensor(
                storage: output, shape: tensor.shape, strides: outputStrides,
                offset: start * outputStrides[axis])
            if tensor.count > 0 { Kernels.copyInto(region, tensor) }
            ranges.append(start..<(start + tensor.shape[axis]))
            start += tensor.shape[axis]
        }
        let result = Tensor(storage: output, shape: outputShape)
        return record("concatenate", result: result, inputs: tensors) { gradient, sink in
            for (index, range) in ranges.enumerated() where sink.needsGradient(forInput: index) {
                sink.accumulate(gradient.sliced(alongAxis: axis, range), forInput: index)
            }
        }
    }

    /// The tensors (all of one shape) joined along a new axis at `axis` (0...rank).
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        let position = Layout.axis(axis, rank: tensors[0].rank + 1, operation: "stack")
        for tensor in tensors {
            precondition(
                tensor.shape == tensors[0].shape, "stack: shapes \(tensors[0].shape) and \(tensor.shape) differ")
        }
        return concatenate(tensors.map { $0.unsqueezed(at: position) }, alongAxis: position)
    }
}

extension Kernels {
    /// Writes `source` into the (possibly strided) view `target` of the same shape.
    static func copyInto(_ target: Tensor, _ source: Tensor) {
        let out = target.node.storage.pointer
        let input = UnsafePointer(source.node.storage.pointer)
        Layout.forEachRun(
            shape: target.shape, strides: [target.strides, source.strides],
            baseOffsets: [target.offset, source.offset]
        ) { offsets, length, inner in
            let o = out + offsets[0]
            let a = input + offsets[1]
            let so = inner[0], sa = inner[1]
            if so == 1 && sa == 1 {
                o.update(from: a, count: length)
            } else {
                for index in 0..<length { o[index * so] = a[index * sa] }
            }
        }
    }
}
