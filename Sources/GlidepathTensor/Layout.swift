/// Shape and stride arithmetic shared by every op.
enum Layout {
    /// Row-major strides of a contiguous tensor of `shape`.
    @inline(__always)
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        var axis = shape.count - 1
        while axis >= 0 {
            strides[axis] = running
            running *= shape[axis]
            axis -= 1
        }
        return strides
    }

    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var total = 1
        for dimension in shape { total *= dimension }
        return total
    }

    /// Whether `strides` describe a row-major dense layout of `shape` (size-1 axes may have any stride).
    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        var axis = shape.count - 1
        while axis >= 0 {
            if shape[axis] != 1 {
                if strides[axis] != expected { return false }
                expected *= shape[axis]
            }
            axis -= 1
        }
        return true
    }

    /// The NumPy/PyTorch broadcast of two shapes, or nil when they are incompatible.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for index in 0..<rank {
            let da = index < rank - a.count ? 1 : a[index - (rank - a.count)]
            let db = index < rank - b.count ? 1 : b[index - (rank - b.count)]
            if da == db || db == 1 {
                result[index] = da
            } else if da == 1 {
                result[index] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Strides that read a tensor of (`shape`, `strides`) as if broadcast to `target` (0 on broadcast axes).
    static func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
        var result = [Int](repeating: 0, count: target.count)
        let shift = target.count - shape.count
        for axis in 0..<shape.count where shape[axis] != 1 || target[axis + shift] == 1 {
            result[axis + shift] = shape[axis] == 1 ? 0 : strides[axis]
        }
        return result
    }

    /// Normalises a possibly negative axis; `precondition`s that it lies in range.
    @inline(__always)
    static func axis(_ axis: Int, rank: Int, operation: StaticString) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(normalized >= 0 && normalized < rank, "\(operation): axis \(axis) out of range for rank \(rank)")
        return normalized
    }

    /// Merges adjacent axes that are dense with respect to each other in every operand, and drops
    /// size-1 axes. Fewer, longer axes make the inner loops of strided kernels longer.
    static func coalesce(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.last {
                var mergeable = true
                for operand in 0..<strides.count
                where outStrides[operand][outStrides[operand].count - 1] != strides[operand][axis] * shape[axis] {
                    mergeable = false
                    break
                }
                if mergeable {
                    outShape[outShape.count - 1] = last * shape[axis]
                    for operand in 0..<strides.count {
                        outStrides[operand][outStrides[operand].count - 1] = strides[operand][axis]
                    }
                    continue
                }
            }
            outShape.append(shape[axis])
            for operand in 0..<strides.count { outStrides[operand].append(strides[operand][axis]) }
        }
        if outShape.isEmpty {
            return ([1], [[Int]](repeating: [1], count: strides.count))
        }
        return (outShape, outStrides)
    }

    /// Calls `body(offsets, length, innerStrides)` for every innermost run of a strided iteration over
    /// `shape`, where `offsets[i]` is operand `i`'s element offset at the run's start. Operands and
    /// offsets are in `strides` order; `baseOffsets` are the operands' starting offsets.
    static func forEachRun(
        shape: [Int], strides: [[Int]], baseOffsets: [Int],
        _ body: (_ offsets: UnsafeBufferPointer<Int>, _ length: Int, _ innerStrides: UnsafeBufferPointer<Int>) -> Void
    ) {
        let (shape, strides) = coalesce(shape: shape, strides: strides)
        let operands = strides.count
        let rank = shape.count
        let length = shape[rank - 1]
        var inner = [Int](repeating: 0, count: operands)
        for operand in 0..<operands { inner[operand] = strides[operand][rank - 1] }
        var offsets = baseOffsets
        var counter = [Int](repeating: 0, count: max(rank - 1, 1))
        var outer = 1
        for axis in 0..<(rank - 1) { outer *= shape[axis] }
        inner.withUnsafeBufferPointer { innerBuffer in
            for _ in 0..<outer {
                offsets.withUnsafeBufferPointer { body($0, length, innerBuffer) }
                // Advance the outer counter (odometer order, last outer axis fastest).
                var axis = rank - 2
                while axis >= 0 {
                    counter[axis] += 1
                    for operand in 0..<operands { offsets[operand] += strides[operand][axis] }
                    if counter[axis] < shape[axis] { break }
                    for operand in 0..<operands { offsets[operand] -= strides[operand][axis] * shape[axis] }
                    counter[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
