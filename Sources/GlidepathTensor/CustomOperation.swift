/// The extension point for fused kernels written outside this module (an LSTM cell, a fused loss).
///
/// A custom op is a forward function over contiguous input buffers that fills output buffers, and a
/// backward function that turns output gradients into input gradients. The engine records it like any
/// built-in op, so it composes with the rest of the graph. Save intermediate values for the backward
/// pass by allocating tensors before the call (``Tensor/make(shape:fill:)`` or
/// ``Tensor/zeros(shape:)``), writing them in `forward`, and capturing them in `backward`.
///
/// Every custom op needs a finite-difference gradient check in its tests (ARCHITECTURE.md, "Tests").
public struct CustomBackwardContext {
    /// The op's inputs as contiguous buffers (the same contents `forward` saw).
    public let inputs: [UnsafeBufferPointer<Float>]
    /// The op's outputs as `forward` wrote them.
    public let outputs: [UnsafeBufferPointer<Float>]
    /// The gradient of the objective with respect to each output (zeros for an output that received
    /// none).
    public let outputGradients: [UnsafeBufferPointer<Float>]
    /// Zero-initialised buffers into which `backward` adds each input's gradient; nil for inputs that
    /// do not require one (skip that work).
    public let inputGradients: [UnsafeMutableBufferPointer<Float>?]
}

extension Tensor {
    /// Runs a custom differentiable op (see ``CustomBackwardContext``) and returns its outputs.
    ///
    /// - Parameters:
    ///   - name: the op's name in errors and graph dumps.
    ///   - inputs: the tensors the op reads; they are made contiguous if they are not.
    ///   - outputShapes: one shape per output.
    ///   - forward: fills every element of every output buffer (they start uninitialised).
    ///   - backward: adds input gradients; runs with gradient recording off, once per backward pass.
    public static func customOperation(
        name: StaticString,
        inputs: [Tensor],
        outputShapes: [[Int]],
        forward: (_ inputs: [UnsafeBufferPointer<Float>], _ outputs: [UnsafeMutableBufferPointer<Float>]) -> Void,
        backward: @escaping (_ context: CustomBackwardContext) -> Void
    ) -> [Tensor] {
        precondition(!outputShapes.isEmpty, "\(name): a custom op needs at least one output")
        let contiguousInputs = inputs.map { $0.contiguousStorageView() }
        let counts = outputShapes.map { shape -> Int in
            precondition(shape.allSatisfy { $0 >= 0 }, "\(name): negative dimension in output shape \(shape)")
            return Layout.count(shape)
        }
        var starts: [Int] = []
        var total = 0
        for count in counts { starts.append(total); total += count }
        // All outputs live in one buffer; each output is a view of it, so their gradients meet in one
        // dense buffer that the backward function reads.
        let joined = TensorStorage(uninitializedCount: total)
        let inputBuffers = contiguousInputs.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) }
        let outputBuffers = zip(starts, counts).map {
            UnsafeMutableBufferPointer(start: joined.pointer + $0.0, count: $0.1)
        }
        withExtendedLifetime(contiguousInputs.map(\.owner)) { forward(inputBuffers, outputBuffers) }

        let joinedShape = outputShapes.count == 1 ? outputShapes[0] : [total]
        let inputShapes = inputs.map(\.shape)
        let owners = contiguousInputs.map(\.owner)
        let savedInputs = contiguousInputs.map { (pointer: $0.pointer, count: $0.count) }
        let joinedTensor = record(name, result: Tensor(storage: joined, shape: joinedShape), inputs: inputs) {
            gradient, sink in
            let g = gradient.contiguousStorageView()
            var gradients: [TensorStorage?] = []
            for (index, shape) in inputShapes.enumerated() {
                gradients.append(
                    sink.needsGradient(forInput: index) ? TensorStorage(repeating: 0, count: Layout.count(shape)) : nil)
            }
            let context = CustomBackwardContext(
                inputs: savedInputs.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) },
                outputs: zip(starts, counts).map { UnsafeBufferPointer(start: joined.pointer + $0.0, count: $0.1) },
                outputGradients: zip(starts, counts).map { UnsafeBufferPointer(start: g.pointer + $0.0, count: $0.1) },
                inputGradients: zip(gradients, inputShapes).map { storage, shape in
                    storage.map { UnsafeMutableBufferPointer(start: $0.pointer, count: Layout.count(shape)) }
                })
            withExtendedLifetime((owners, g.owner, joined)) { backward(context) }
            for (index, storage) in gradients.enumerated() {
                if let storage { sink.accumulate(Tensor(storage: storage, shape: inputShapes[index]), forInput: index) }
            }
        }
        if outputShapes.count == 1 { return [joinedTensor] }
        return outputShapes.indices.map { index in
            let shape = outputShapes[index]
            let strides = Layout.contiguousStrides(shape)
            let view = Tensor(storage: joined, shape: shape, strides: strides, offset: starts[index])
            return record("customOutput", result: view, input: joinedTensor) { gradient, sink in
                sink.accumulate(gradient, forInput: 0, region: (strides, starts[index]))
            }
        }
    }

    /// Single-output form of ``customOperation(name:inputs:outputShapes:forward:backward:)``.
    public static func customOperation(
        name: StaticString,
        inputs: [Tensor],
        outputShape: [Int],
        forward: (_ inputs: [UnsafeBufferPointer<Float>], _ output: UnsafeMutableBufferPointer<Float>) -> Void,
        backward: @escaping (_ context: CustomBackwardContext) -> Void
    ) -> Tensor {
        customOperation(
            name: name, inputs: inputs, outputShapes: [outputShape],
            forward: { inputs, outputs in forward(inputs, outputs[0]) }, backward: backward)[0]
    }
}
