import Glidepath
import GlidepathMLRSNet
import GlidepathTensor

/// MLR-SNet on the autograd engine: the same network as `Glidepath.MLRSNetCell`, with its ten
/// parameters as leaf tensors so a meta-loss can be differentiated with respect to them.
///
/// With the scalar loss x and the previous state (h, c), both conventions of
/// `MLRSNetGateConvention`:
///
/// ```
/// u = relu(W1i·x + b1i)                      u ∈ R^25
/// v = relu(W1h·h + b1h)                      v ∈ R^25
/// z = (W2i·u + b2i) + (W2h·v + b2h)          z ∈ R^200, chunks z₀…z₃ of 50
/// metaTest:  i, f, g, o = σ(z₀), σ(z₁), tanh(z₂), σ(z₃)
/// metaTrain: i, f, g, o = σ(z₀), σ(z₁ − 1), tanh(z₃), σ(z₂)
/// c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
/// a  = σ(w3·h' + b3) ∈ (0, 1)
/// ```
///
/// The state enters every evaluation as a constant and leaves it as plain numbers: the reference
/// detaches h and c at the start of every iteration (truncated backpropagation through time of length
/// 1, `docs/mlrsnet.md`, "The reference's meta-training"), so ∂a_t/∂θ involves only the current evaluation. That is one
/// of the reasons the one-step hypergradient of ``MLRSNetMetaTrainer`` is exact.
///
/// Parameters are named by their PyTorch state-dict keys (``MLRSNetWeights/Parameter``), and
/// ``weights`` / ``load(_:)`` copy them to and from the plain `MLRSNetWeights` value that the scheduler
/// library and the JSON/`.pth` readers use. Arithmetic is the engine's float32 (dot products through
/// BLAS), so outputs agree with `MLRSNetCell` (which accumulates dot products in Double) to float32
/// rounding, not bit for bit.
///
/// Reference: Shu et al., "MLR-SNet: Transferable LR Schedules for Heterogeneous Tasks", IEEE TPAMI 2022,
/// arXiv:2007.14546; GitHub xjtushujun/MLR-SNet @5d1eec4, `meta-test/model/network.py` and
/// `meta-train/*/module.py` (`LSTMCell`, `MLRSNet`).
public final class DifferentiableMLRSNet: Module {
    /// How the gate pre-activations become gates.
    public let convention: MLRSNetGateConvention
    public var isTraining = true
    /// One leaf tensor per parameter, shaped as ``MLRSNetWeights/Parameter/shape``.
    public let parameterTensors: [MLRSNetWeights.Parameter: Tensor]

    /// A net holding a copy of `weights`.
    public init(weights: MLRSNetWeights, convention: MLRSNetGateConvention = .metaTest) {
        self.convention = convention
        var tensors: [MLRSNetWeights.Parameter: Tensor] = [:]
        for parameter in MLRSNetWeights.Parameter.allCases {
            let values = weights[parameter]
            tensors[parameter] = Tensor.make(shape: parameter.shape) { buffer in
                for index in buffer.indices { buffer[index] = values[index] }
            }.requiringGradient()
        }
        parameterTensors = tensors
    }

    /// PyTorch's default `nn.Linear` initialisation for every layer, U(−1/√fan_in, 1/√fan_in) for
    /// weights and biases alike (fan_in 1, 25, 50, 25 and 50 for the five layers). The reference's
    /// meta-training `init_weights` never reaches the cell's `nn.Linear` layers
    /// (`docs/mlrsnet.md`, "Quirks of the original code", item 2), so this is what its meta-nets start from.
    /// Parameters are drawn in state-dict order, weight before bias.
    public static func initialWeights<G: RandomNumberGenerator>(using generator: inout G) -> MLRSNetWeights {
        var tensors: [StoredTensor] = []
        for parameter in MLRSNetWeights.Parameter.allCases {
            let fanIn = fanIn(of: parameter)
            let bound = 1 / Float(fanIn).squareRoot()
            let values = Tensor.uniform(
                shape: parameter.shape, lowerBound: -bound, upperBound: bound,
                using: &generator
            ).scalars
            tensors.append(StoredTensor(name: parameter.name, shape: parameter.shape, values: values))
        }
        // Every name and shape is the architecture's own and U(±1/√n) is finite, so this cannot fail.
        do { return try MLRSNetWeights(tensors: tensors) } catch {
            preconditionFailure("DifferentiableMLRSNet.initialWeights: \(error)")
        }
    }

    /// The number of inputs of the layer a parameter belongs to.
    static func fanIn(of parameter: MLRSNetWeights.Parameter) -> Int {
        switch parameter {
        case .inputBottleneckWeight, .inputBottleneckBias: return 1
        case .inputGateWeight, .inputGateBias, .stateGateWeight, .stateGateBias: return MLRSNetWeights.bottleneckSize
        case .stateBottleneckWeight, .stateBottleneckBias, .headWeight, .headBias: return MLRSNetWeights.hiddenSize
        }
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        MLRSNetWeights.Parameter.allCases.map { ($0.name, tensor($0)) }
    }

    /// The leaf tensor of `parameter`.
    public func tensor(_ parameter: MLRSNetWeights.Parameter) -> Tensor {
        guard let tensor = parameterTensors[parameter] else {
            preconditionFailure("DifferentiableMLRSNet: no tensor for \(parameter.name)")
        }
        return tensor
    }

    /// A copy of the current parameters as plain weights (for the scheduler, JSON and `.pth` files).
    public var weights: MLRSNetWeights {
        let tensors = MLRSNetWeights.Parameter.allCases.map {
            StoredTensor(name: $0.name, shape: $0.shape, values: tensor($0).scalars)
        }
        do { return try MLRSNetWeights(tensors: tensors) } catch {
            // Only non-finite values can fail here: a diverged meta-optimisation is programmer-visible.
            preconditionFailure("DifferentiableMLRSNet.weights: \(error)")
        }
    }

    /// Overwrites the parameters with `weights` in place (outside any graph; gradients are kept).
    public func load(_ weights: MLRSNetWeights) {
        for parameter in MLRSNetWeights.Parameter.allCases {
            let values = weights[parameter]
            tensor(parameter).withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = values[index] }
            }
        }
    }

    /// Whether every parameter is finite (a meta-step that diverged makes this false).
    public var isFinite: Bool {
        parameterTensors.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) }
    }

    /// One evaluation on `loss` from `state`: the output a ∈ (0, 1) as a one-element tensor `[1, 1]`
    /// (differentiable in the parameters when gradients are enabled) and the next state as plain
    /// numbers (detached).
    ///
    /// `loss` must be finite and `state` must hold 50 + 50 values (programmer misuse otherwise).
    public func callAsFunction(_ loss: Float, state: MLRSNetCellState) -> (output: Tensor, state: MLRSNetCellState) {
        precondition(loss.isFinite, "DifferentiableMLRSNet: loss \(loss) is not finite")
        let hiddenSize = MLRSNetWeights.hiddenSize
        precondition(
            state.hidden.count == hiddenSize && state.cell.count == hiddenSize,
            "DifferentiableMLRSNet: state of \(state.hidden.count)/\(state.cell.count) values, expected 50/50")
        let input = Tensor.full(loss, shape: [1, 1])
        let hidden = Tensor.make(shape: [1, hiddenSize]) { buffer in
            for index in buffer.indices { buffer[index] = state.hidden[index] }
        }
        let cell = Tensor.make(shape: [1, hiddenSize]) { buffer in
            for index in buffer.indices { buffer[index] = state.cell[index] }
        }

        let inputBottleneck = Tensor.linear(
            input, weight: tensor(.inputBottleneckWeight),
            bias: tensor(.inputBottleneckBias)
        ).relu()
        let stateBottleneck = Tensor.linear(
            hidden, weight: tensor(.stateBottleneckWeight),
            bias: tensor(.stateBottleneckBias)
        ).relu()
        let gates =
            Tensor.linear(inputBottleneck, weight: tensor(.inputGateWeight), bias: tensor(.inputGateBias))
            + Tensor.linear(stateBottleneck, weight: tensor(.stateGateWeight), bias: tensor(.stateGateBias))
        func chunk(_ index: Int) -> Tensor {
            gates.sliced(alongAxis: 1, index * hiddenSize..<(index + 1) * hiddenSize)
        }
        let inputGate = chunk(0).sigmoid()
        let forgetGate: Tensor, candidate: Tensor, outputGate: Tensor
        switch convention {
        case .metaTest:
            forgetGate = chunk(1).sigmoid()
            candidate = chunk(2).tanh()
            outputGate = chunk(3).sigmoid()
        case .metaTrain:
            forgetGate = (chunk(1) - 1).sigmoid()
            candidate = chunk(3).tanh()
            outputGate = chunk(2).sigmoid()
        }
        let nextCell = forgetGate * cell + inputGate * candidate
        let nextHidden = outputGate * nextCell.tanh()
        let output = Tensor.linear(nextHidden, weight: tensor(.headWeight), bias: tensor(.headBias)).sigmoid()
        return (output, MLRSNetCellState(hidden: nextHidden.scalars, cell: nextCell.scalars))
    }
}
