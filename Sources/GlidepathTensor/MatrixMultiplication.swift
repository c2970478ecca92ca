/// Matrix products through the ``ComputeBackend`` (OpenBLAS by default).
extension Tensor {
    /// The matrix product over the last two axes, with NumPy broadcasting over the leading (batch)
    /// axes: `[…, m, k] · […, k, n] → […, m, n]` (PyTorch `torch.matmul` for rank ≥ 2).
    ///
    /// Transposed views are passed to BLAS as transpose flags, not copied, so `x.matmul(w.transposed())`
    /// costs one GEMM. A batched left operand times a matrix is folded into a single GEMM. Gradients:
    /// `gA = g · Bᵀ`, `gB = Aᵀ · g` (summed over broadcast batch axes). `precondition`s rank ≥ 2 and
    /// matching inner dimensions.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(
            rank >= 2 && other.rank >= 2,
            "matmul: needs rank ≥ 2 operands, got \(shape) and \(other.shape)")
        let k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k, "matmul: inner dimensions differ in \(shape) · \(other.shape)")
        let result = Kernels.matmul(self, other)
        let lhs = self
        return Tensor.record("matmul", result: result, inputs: [self, other]) { gradient, sink in
            if sink.needsGradient(forInput: 0) {
                sink.accumulate(gradient.matmul(other.transposed(-1, -2)).summed(toShape: lhs.shape), forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                if other.rank == 2 && lhs.rank > 2 {
                    // Fold the batch into the rows: one GEMM of [k, B·m] · [B·m, n].
                    let rows = lhs.reshaped(to: [-1, k]).transposed()
                    sink.accumulate(rows.matmul(gradient.reshaped(to: [-1, n])), forInput: 1)
                } else if other.rank == 2 && other.strides[0] == 1 && other.shape[0] > 1 {
                    // `other` is a transposed view (a weight used as `x · Wᵀ`): compute gBᵀ = gᵀ · A so the
                    // gradient reaching the untransposed leaf is contiguous, not a strided transpose.
                    sink.accumulate(gradient.transposed(-1, -2).matmul(lhs).transposed(-1, -2), forInput: 1)
                } else {
                    sink.accumulate(lhs.transposed(-1, -2).matmul(gradient).summed(toShape: other.shape), forInput: 1)
                }
            }
        }
    }
}

extension Kernels {
    /// How a strided matrix can be handed to BLAS without copying.
    struct MatrixOperand {
        let pointer: UnsafePointer<Float>
        let transposed: Bool
        let leadingDimension: Int
        let owner: TensorStorage
    }

    /// Describes the matrix with `rows × columns` at the last two axes of `tensor` (strides `rowStride`,
    /// `columnStride`) as a BLAS operand, or nil when it needs a copy.
    static func blasLayout(rows: Int, columns: Int, rowStride: Int, columnStride: Int) -> (
        transposed: Bool, leadingDimension: Int
    )? {
        if (columnStride == 1 || columns == 1) && rowStride >= Swift.max(1, columns) { return (false, rowStride) }
        if (rowStride == 1 || rows == 1) && columnStride >= Swift.max(1, rows) { return (true, columnStride) }
        if columns == 1 && rows == 1 { return (false, 1) }
        return nil
    }

    static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        guard let batch = Layout.broadcastShape(batchA, batchB) else {
            preconditionFailure("matmul: batch shapes of \(a.shape) and \(b.shape) do not broadcast")
        }
        let batchCount = Layout.count(batch)
        let outputShape = batch + [m, n]
        let output = TensorStorage(uninitializedCount: batchCount * m * n)
        let backend = Engine.backend

        // A batched, row-major left operand times one matrix: fold the batch into the rows.
        if b.rank == 2, a.rank > 2, batchCount > 0 {
            let aContiguous = a.isContiguous ? a : Tensor(storage: contiguousCopy(a), shape: a.shape)
            let flat = Tensor(
                storage: aContiguous.node.storage, shape: [batchCount * m, k],
                strides: [k, 1], offset: aContiguous.offset)
            gemm2D(backend, flat, b, into: output.pointer)
            return Tensor(storage: output, shape: outputShape)
        }
        if batch.isEmpty {
            gemm2D(backend, a, b, into: output.pointer)
            return Tensor(storage: output, shape: outputShape)
        }
        let matrixA = blasReady(a), matrixB = blasReady(b)
        let stridesA = Layout.broadcastStrides(shape: batchA, strides: Array(matrixA.strides.dropLast(2)), to: batch)
        let stridesB = Layout.broadcastStrides(shape: batchB, strides: Array(matrixB.strides.dropLast(2)), to: batch)
        let operandA = operand(matrixA), operandB = operand(matrixB)
        withExtendedLifetime((operandA.owner, operandB.owner)) {
            var index = [Int](repeating: 0, count: batch.count)
            for item in 0..<batchCount {
                var offsetA = 0, offsetB = 0
                for axis in 0..<batch.count {
                    offsetA += index[axis] * stridesA[axis]
                    offsetB += index[axis] * stridesB[axis]
                }
                backend.gemm(
                    transposeA: operandA.transposed, transposeB: operandB.transposed, m: m, n: n, k: k,
                    alpha: 1, a: operandA.pointer + offsetA, lda: operandA.leadingDimension,
                    b: operandB.pointer + offsetB, ldb: operandB.leadingDimension,
                    beta: 0, c: output.pointer + item * m * n, ldc: n)
                var axis = batch.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < batch[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return Tensor(storage: output, shape: outputShape)
    }

    /// One matrix product of two rank-2 tensors into `destination` (row-major, `ldc = n`).
    static func gemm2D(
        _ backend: any ComputeBackend, _ a: Tensor, _ b: Tensor, into destination: UnsafeMutablePointer<Float>
    ) {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let operandA = operand(a), operandB = operand(b)
        withExtendedLifetime((operandA.owner, operandB.owner)) {
            backend.gemm(
                transposeA: operandA.transposed, transposeB: operandB.transposed, m: m, n: n, k: k,
                alpha: 1, a: operandA.pointer, lda: operandA.leadingDimension,
                b: operandB.pointer, ldb: operandB.leadingDimension, beta: 0, c: destination, ldc: n)
        }
    }

    /// `tensor` itself when BLAS can read its matrices in place, else a contiguous copy.
    static func blasReady(_ tensor: Tensor) -> Tensor {
        let rows = tensor.shape[tensor.rank - 2], columns = tensor.shape[tensor.rank - 1]
        if blasLayout(
            rows: rows, columns: columns, rowStride: tensor.strides[tensor.rank - 2],
            columnStride: tensor.strides[tensor.rank - 1]) != nil
        {
            return tensor
        }
        return Tensor(storage: contiguousCopy(tensor), shape: tensor.shape)
    }

    /// The last two axes of a ``blasReady(_:)`` tensor as a BLAS operand (pointer at the tensor's offset).
    static func operand(_ tensor: Tensor) -> MatrixOperand {
        let ready = blasReady(tensor)
        let rows = ready.shape[ready.rank - 2], columns = ready.shape[ready.rank - 1]
        let layout =
            blasLayout(
                rows: rows, columns: columns, rowStride: ready.strides[ready.rank - 2],
                columnStride: ready.strides[ready.rank - 1]) ?? (false, Swift.max(1, columns))
        return MatrixOperand(
            pointer: UnsafePointer(ready.node.storage.pointer + ready.offset),
            transposed: layout.transposed, leadingDimension: layout.leadingDimension,
            owner: ready.node.storage)
    }
}
