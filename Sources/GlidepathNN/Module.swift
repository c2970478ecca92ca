import GlidepathTensor

/// A building block of a network: it owns named parameters and buffers, holds child modules, and has
/// a training/evaluation mode (PyTorch's `nn.Module`).
///
/// Modules are classes because a parameter is an identity (the optimizer updates it in place and the
/// model-state file addresses it by name). Names are stable and dotted exactly like the keys of
/// PyTorch's `state_dict()`: a child's parameters are prefixed with the child's name and a dot
/// (`"0.weight"`, `"lstm.weight_ih_l0_reverse"`), so weights can be compared with or moved from a
/// PyTorch model by name.
///
/// Conformers implement ``localParameters`` (and, when they have them, ``localBuffers`` and
/// ``children``); the recursive views ``namedParameters``, ``namedBuffers`` and ``setTraining(_:)`` come
/// from the extension.
public protocol Module: AnyObject {
    /// Parameters this module owns directly (not its children's), with their local names, in a fixed
    /// order. Each is a leaf tensor that requires a gradient.
    var localParameters: [(name: String, tensor: Tensor)] { get }

    /// Non-trainable state this module owns directly (batch-norm running statistics), in a fixed order.
    var localBuffers: [(name: String, tensor: Tensor)] { get }

    /// Child modules with their local names, in a fixed order.
    var children: [(name: String, module: any Module)] { get }

    /// Whether the module is in training mode (dropout active, batch statistics used). Set it for a
    /// whole tree with ``setTraining(_:)``.
    var isTraining: Bool { get set }
}

extension Module {
    public var localBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter of the tree with its dotted name, depth first: own parameters, then each child's.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        var result = localParameters
        for (name, child) in children {
            result += child.namedParameters.map { (name: "\(name).\($0.name)", tensor: $0.tensor) }
        }
        return result
    }

    /// Every buffer of the tree with its dotted name (same order rules as ``namedParameters``).
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        var result = localBuffers
        for (name, child) in children {
            result += child.namedBuffers.map { (name: "\(name).\($0.name)", tensor: $0.tensor) }
        }
        return result
    }

    /// The parameters of the tree in ``namedParameters`` order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// The number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Sets training mode on this module and every descendant (PyTorch's `train()` / `eval()`).
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// Forgets the accumulated gradient of every parameter (`zero_grad(set_to_none=True)`).
    public func clearGradients() {
        for parameter in parameters { parameter.clearGradient() }
    }
}

/// A module that maps one tensor to one tensor, so it can sit in a ``Sequential``.
public protocol Layer: Module {
    /// Applies the layer. Records the graph when gradients are enabled.
    func callAsFunction(_ input: Tensor) -> Tensor
}
