import GlidepathTensor

extension Tensor {
    /// An uninitialised contiguous tensor, for scratch and saved state that a fused kernel fills itself.
    static func scratch(_ shape: [Int]) -> Tensor { Tensor.make(shape: shape) { _ in } }

    /// The first element of this tensor's own contiguous storage, for fused kernels that keep the
    /// tensor alive (captured or in scope) for as long as they use the pointer. `precondition`s a
    /// contiguous, non-empty tensor.
    func mutableBase() -> UnsafeMutablePointer<Float> {
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("mutableBase: empty tensor \(shape)") }
            return base
        }
    }
}

extension UnsafeBufferPointer<Float> {
    /// The base address of a buffer the engine handed to a custom op (never empty in this module's
    /// kernels, which validate sizes ≥ 1 first).
    var base: UnsafePointer<Float> {
        guard let base = baseAddress else { preconditionFailure("custom op: empty input buffer") }
        return base
    }
}

extension UnsafeMutableBufferPointer<Float> {
    var base: UnsafeMutablePointer<Float> {
        guard let base = baseAddress else { preconditionFailure("custom op: empty output buffer") }
        return base
    }
}

extension Tensor {
    /// A contiguous copy of this tensor's values (the reference optimizers' `torch.clone(p)`).
    static func copy(of tensor: Tensor) -> Tensor {
        let values = tensor.scalars
        return Tensor.make(shape: tensor.shape) { buffer in
            for index in buffer.indices { buffer[index] = values[index] }
        }
    }
}
