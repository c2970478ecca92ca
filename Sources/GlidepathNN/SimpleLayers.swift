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
/// names match PyTorch's (`"0.weight"`).
public final class Sequential: Layer {
    public let layers: [any Layer]
    public var isTraining = true

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: "\($0.offset)", module: $0.element as any Module) }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var value = input
        for layer in layers { value = layer(value) }
        return value
    }
}
