import Synchronization

/// The node behind a ``Tensor`` handle: storage, layout and autograd state.
final class TensorNode {
    // `var` only so that backward can test it for unique ownership; never reassigned.
    var storage: TensorStorage
    let shape: [Int]
    let strides: [Int]
    let offset: Int
    /// Whether gradients flow to this node: a leaf marked by the user, or a result of ops on such tensors.
    var requiresGrad = false
    /// The op that produced this node; nil for leaves, and released after ``Tensor/backward(seed:retainingGraph:)``.
    var gradientFunction: GradientFunction?
    /// The accumulated gradient of a leaf (contiguous, same shape).
    var gradient: TensorStorage?
    // Backward-pass scratch: the gradient summed so far, and whether this pass owns its buffer (and may
    // therefore add into it in place).
    var pendingGradient: Tensor?
    var pendingIsOwned = false
    /// Whether a backward pass freed this node's gradient function (it was computed by an op, so it
    /// is not a leaf, but its graph is gone).
    var graphReleased = false
    /// The number of the last backward pass that visited this node (cheaper than a visited set).
    var visitedPass = 0

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }
}

/// How one recorded op sends gradients to its inputs.
final class GradientFunction {
    let name: StaticString
    var inputs: [TensorNode]
    let backward: Tensor.BackwardFunction

    init(name: StaticString, inputs: [TensorNode], backward: @escaping Tensor.BackwardFunction) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Receives the gradients an op's backward function computes for its inputs and sums them.
///
/// A backward function calls ``accumulate(_:forInput:)`` once or more per input that
/// ``needsGradient(forInput:)``; contributions are summed. The engine owns the summed buffers, so a
/// contribution may be any tensor, including a view of the incoming gradient.
public struct GradientSink {
    let inputs: [TensorNode]

    /// Whether input `index` (in the order the op listed its inputs) requires a gradient. Skip the work
    /// for inputs that do not.
    public func needsGradient(forInput index: Int) -> Bool { inputs[index].requiresGrad }

    /// Adds `gradient` to the gradient of input `index`. `precondition`s matching shapes.
    public func accumulate(_ gradient: Tensor, forInput index: Int) {
        let node = inputs[index]
        guard node.requiresGrad else { return }
        precondition(
            gradient.shape == node.shape,
            "backward: gradient of shape \(gradient.shape) for an input of shape \(node.shape)")
        guard var existing = node.pendingGradient else {
            node.pendingGradient = gradient
            node.pendingIsOwned = false
            return
        }
        node.pendingGradient = nil
        if node.pendingIsOwned || Tensor.isExclusivelyOwnedDenseBuffer(&existing) {
            // Nobody else can see this buffer (the engine made it, or its only reference was the
            // pending slot): add in place instead of allocating a sum.
            Kernels.addInPlace(existing, gradient)
            node.pendingGradient = existing
        } else {
            node.pendingGradient = Kernels.binary(AddOperation.self, existing, gradient)
        }
        node.pendingIsOwned = true
    }

    /// Adds `gradient` to the region of input `index` that a view with `shape`, `strides` and `offset`
    /// (relative to a contiguous buffer of the input's shape) selects. Slices use it to avoid
    /// materialising a zero tensor per contribution.
    func accumulate(_ gradient: Tensor, forInput index: Int, region: (strides: [Int], offset: Int)) {
        let node = inputs[index]
        guard node.requiresGrad else { return }
        if !node.pendingIsOwned {
            let owned =
                node.pendingGradient.map { Tensor(storage: Kernels.contiguousCopy($0), shape: node.shape) }
                ?? Tensor.zeros(shape: node.shape)
            node.pendingGradient = owned
            node.pendingIsOwned = true
        }
        guard let target = node.pendingGradient else { return }
        let view = Tensor(
            storage: target.node.storage, shape: gradient.shape, strides: region.strides,
            offset: region.offset)
        Kernels.addInPlace(view, gradient)
    }
}

/// Numbers backward passes for ``TensorNode/visitedPass``.
private let backwardPasses = Atomic<Int>(0)

extension Tensor {
    /// Propagates `gradient` (the gradient of the final result with respect to this op's output) to
    /// the op's inputs through `sink`. Runs with gradient recording off.
    public typealias BackwardFunction = (_ gradient: Tensor, _ sink: GradientSink) -> Void

    /// Whether gradients flow to this tensor.
    public var requiresGrad: Bool { node.requiresGrad }

    /// Whether this tensor is a leaf: created directly rather than computed by a recorded op.
    public var isLeaf: Bool { node.gradientFunction == nil && !node.graphReleased }

    /// A leaf sharing this tensor's storage whose gradient is accumulated by ``backward(seed:)``
    /// (PyTorch's `requires_grad_()` on a fresh leaf). Parameters are made this way.
    public func requiringGradient(_ flag: Bool = true) -> Tensor {
        let leaf = Tensor(storage: node.storage, shape: node.shape, strides: node.strides, offset: node.offset)
        leaf.node.requiresGrad = flag
        return leaf
    }

    /// A leaf sharing this tensor's storage, cut from the graph (PyTorch's `detach()`).
    public func detached() -> Tensor { requiringGradient(false) }

    /// The gradient accumulated into this leaf by ``backward(seed:)`` calls, or nil before the first.
    public var grad: Tensor? { node.gradient.map { Tensor(storage: $0, shape: node.shape) } }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func clearGradient() { node.gradient = nil }

    /// Sets the accumulated gradient to zeros, keeping its buffer (PyTorch's `zero_grad(set_to_none=False)`).
    public func zeroGradient() {
        if let gradient = node.gradient { gradient.pointer.update(repeating: 0, count: gradient.count) }
    }

    /// Calls `body` with this leaf's data and gradient buffers for an in-place update (optimizers).
    /// The gradient buffer is created as zeros when there is none. `precondition`s a contiguous leaf.
    public func withUnsafeMutableDataAndGradient<R>(
        _ body: (_ data: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(isContiguous, "withUnsafeMutableDataAndGradient: tensor of shape \(shape) is not contiguous")
        let gradient = node.gradient ?? TensorStorage(repeating: 0, count: count)
        node.gradient = gradient
        return try body(
            UnsafeMutableBufferPointer(start: node.storage.pointer + node.offset, count: count),
            UnsafeMutableBufferPointer(start: gradient.pointer, count: count))
    }

    /// Builds the result of an op: records `backward` when recording is on and an input requires a
    /// gradient. Every op, and ``customOperation(name:inputs:outputShape:forward:backward:)``, ends here.
    static func record(
        _ name: StaticString, result: Tensor, inputs: [Tensor], backward: @escaping BackwardFunction
    ) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node.requiresGrad }) else { return result }
        result.node.requiresGrad = true
        result.node.gradientFunction = GradientFunction(name: name, inputs: inputs.map(\.node), backward: backward)
        return result
    }

    /// Single-input form of ``record(_:result:inputs:backward:)`` that avoids building an array when
    /// nothing is recorded.
    @inline(__always)
    static func record(
        _ name: StaticString, result: Tensor, input: Tensor, backward: @escaping BackwardFunction
    ) -> Tensor {
        guard input.node.requiresGrad, GradientMode.isEnabled else { return result }
        result.node.requiresGrad = true
        result.node.gradientFunction = GradientFunction(name: name, inputs: [input.node], backward: backward)
        return result
    }

    /// Computes the gradient of this tensor with respect to every leaf that requires one, adding it to
    /// the leaves' ``grad`` (gradients accumulate across calls, as in PyTorch).
    ///
    /// Nodes are visited in reverse topological order of an iterative depth-first search that follows
    /// inputs in the order ops list them, so the summation order — and the result — is deterministic.
    /// The graph is released afterwards unless `retainingGraph` (PyTorch's `retain_graph`); a second
    /// backward through a released graph is a `precondition` failure, as PyTorch's error.
    ///
    /// - Parameters:
    ///   - seed: the gradient of the final objective with respect to this tensor; defaults to 1 for a
    ///     one-element tensor. `precondition`s that a non-scalar tensor gets a seed of its shape.
    ///   - retainingGraph: keep the graph so that `backward` can run through it again.
    public func backward(seed: Tensor? = nil, retainingGraph: Bool = false) {
        precondition(node.requiresGrad, "backward: tensor of shape \(shape) does not require a gradient")
        if let seed {
            precondition(seed.shape == shape, "backward: seed of shape \(seed.shape) for a tensor of shape \(shape)")
        } else {
            precondition(count == 1, "backward: a tensor of shape \(shape) needs an explicit seed")
        }
        let order = Tensor.topologicalOrder(from: node)
        withoutGradients {
            node.pendingGradient = seed ?? Tensor.ones(shape: shape)
            node.pendingIsOwned = false
            for current in order.reversed() {
                guard var gradient = current.pendingGradient else { continue }
                current.pendingGradient = nil
                current.pendingIsOwned = false
                if let function = current.gradientFunction {
                    function.backward(gradient, GradientSink(inputs: function.inputs))
                    if !retainingGraph {
                        current.gradientFunction = nil
                        current.graphReleased = true
                    }
                } else if current.graphReleased {
                    preconditionFailure(
                        "backward: trying to run backward through a graph a second time (its op \(current.shape) was freed by an earlier backward; pass retainingGraph: true to the first)"
                    )
                } else if current.requiresGrad {
                    Tensor.accumulateLeafGradient(current, &gradient)
                }
            }
        }
    }

    static func accumulateLeafGradient(_ leaf: TensorNode, _ gradient: inout Tensor) {
        if let existing = leaf.gradient {
            Kernels.addInPlace(Tensor(storage: existing, shape: leaf.shape), gradient)
            return
        }
        // Adopt the buffer instead of copying it when nothing else can reach it: the gradient's node
        // and storage are referenced only from here, and it covers its storage exactly. Saves a copy
        // of every parameter per step (8 MB for the BiLSTM's embedding).
        if isExclusivelyOwnedDenseBuffer(&gradient) {
            leaf.gradient = gradient.node.storage
        } else {
            leaf.gradient = Kernels.contiguousCopy(gradient)
        }
    }

    /// Whether `tensor` is the only reference to its node and its node the only reference to its
    /// storage, which it covers densely from offset 0: then it may be written in place or adopted.
    static func isExclusivelyOwnedDenseBuffer(_ tensor: inout Tensor) -> Bool {
        tensor.node.offset == 0 && tensor.isContiguous && tensor.node.storage.count == tensor.count
            && isKnownUniquelyReferenced(&tensor.node) && isKnownUniquelyReferenced(&tensor.node.storage)
    }

    /// Post-order of the graph below `root` (inputs before the ops that use them), without recursion so
    /// that long recurrent graphs cannot overflow the stack.
    static func topologicalOrder(from root: TensorNode) -> [TensorNode] {
        var order: [TensorNode] = []
        let pass = backwardPasses.add(1, ordering: .relaxed).newValue
        var stack: [(node: TensorNode, nextInput: Int)] = [(root, 0)]
        root.visitedPass = pass
        while !stack.isEmpty {
            let top = stack.count - 1
            let (current, nextInput) = stack[top]
            let inputs = current.gradientFunction?.inputs ?? []
            if nextInput < inputs.count {
                stack[top].nextInput += 1
                let input = inputs[nextInput]
                if input.requiresGrad, input.visitedPass != pass {
                    input.visitedPass = pass
                    stack.append((input, 0))
                }
            } else {
                order.append(current)
                stack.removeLast()
            }
        }
        return order
    }
}
