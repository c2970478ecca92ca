import GlidepathTensor

/// Dropout (Srivastava et al. 2014): in training, zeroes each element with `probability` and scales
/// the rest by `1/(1 − probability)`; identity in evaluation (PyTorch `nn.Dropout`). The mask comes from
/// the layer's own seeded generator, so a run is reproducible from its seed.
public final class Dropout: Layer {
    public let probability: Float
    public var generator: SeededGenerator
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` unless `0 ≤ probability ≤ 1`.
    public init(probability: Float, seed: UInt64) throws(NNError) {
        try NNError.require(probability >= 0 && probability <= 1, "probability", probability, "must lie in [0, 1]")
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.dropout(probability: probability, training: isTraining, using: &generator)
    }
}

/// Flattens every axis from `startAxis` on into one (PyTorch `nn.Flatten`, default `start_dim=1`).
public final class Flatten: Layer {
    public let startAxis: Int
    public var isTraining = true

    public init(startAxis: Int = 1) { self.startAxis = startAxis }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.flattened(fromAxis: startAxis) }
}

/// An element-wise activation as a layer (PyTorch `nn.ReLU`, `nn.Tanh`, `nn.Sigmoid`, `nn.GELU`).
public final class Activation: Layer {
    public enum Function: Sendable { case relu, tanh, sigmoid, gelu }

    public let function: Function
    public var isTraining = true

    public init(_ function: Function) { self.function = function }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch function {
        case .relu: return input.relu()
        case .tanh: return input.tanh()
        case .sigmoid: return input.sigmoid()
        case .gelu: return input.gelu()
        }
    }
}

/// Layers applied in order (PyTorch `nn.Sequential`); children are named `"0"`, `"1"`, … so parameter
/// names match PyTorch's (`"0.weight"`). `Linear` → ReLU pairs and `Conv2d` → ReLU → 2×2 `MaxPool2d`
/// triples are fused and ReLU → MaxPool2d pairs reordered (same function, see ``callAsFunction(_:)``).
public final class Sequential: Layer {
    public let layers: [any Layer]
    public var isTraining = true

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: "\($0.offset)", module: $0.element as any Module) }
    }

    /// Applies the layers in order. Three rewrites compute the same function with less work: a ``Linear``
    /// directly followed by `Activation(.relu)` runs as one fused op (see `FusedLinearReLU`), a ``Conv2d``
    /// followed by `Activation(.relu)` and a 2×2 stride-2 unpadded ``MaxPool2d`` runs as one fused op
    /// (`Tensor.convolvedReLUMaxPooled2D`, bit-identical to the three layers), and `Activation(.relu)`
    /// followed by ``MaxPool2d`` runs as the pool followed by the ReLU.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        var value = input
        var index = 0
        while index < layers.count {
            if let linear = layers[index] as? Linear, index + 1 < layers.count,
                let activation = layers[index + 1] as? Activation, activation.function == .relu
            {
                value = linear.withReLU(value)
                index += 2
                continue
            }
            if let convolution = layers[index] as? Conv2d, index + 2 < layers.count,
                let activation = layers[index + 1] as? Activation, activation.function == .relu,
                let pool = layers[index + 2] as? MaxPool2d, pool.isPlainTwoByTwo
            {
                value = convolution.withReLUAndTwoByTwoMaxPool(value)
                index += 3
                continue
            }
            if let activation = layers[index] as? Activation, activation.function == .relu, index + 1 < layers.count,
                let pool = layers[index + 1] as? MaxPool2d
            {
                // relu(maxpool(x)) = maxpool(relu(x)) exactly, with the same gradient (the window's first
                // maximum when it is positive, else none), at a quarter of the ReLU work for 2×2 pools.
                value = pool(value).relu()
                index += 2
                continue
            }
            value = layers[index](value)
            index += 1
        }
        return value
    }
}
