/// The parameters of one MLR-SNet (`MLRSNet(num_layers=1, hidden_size=50)`): plain, named, shaped
/// float32 arrays, exactly the 10 tensors and 11,776 numbers of the published state dicts.
///
/// Every array is flattened row-major; a `Linear` weight has shape `[out, in]` and computes
/// `y = W·x + b`. ``Parameter`` lists the state-dict names and shapes in state-dict order, so an
/// autograd implementation (for meta-training) can create one parameter per case and copy them in
/// and out with ``tensors`` and ``init(tensors:)``.
///
/// Reference: Shu et al., "MLR-SNet: Transferable LR Schedules for Heterogeneous Tasks", IEEE TPAMI
/// 2022, arXiv:2007.14546; GitHub xjtushujun/MLR-SNet @5d1eec4, `meta-test/model/network.py`.
public struct MLRSNetWeights: Sendable, Equatable {
    /// LSTM hidden size (h, c ∈ R^50).
    public static let hiddenSize = 50
    /// Width of the ReLU bottleneck inside both gate MLPs (`hidden_size // 2`).
    public static let bottleneckSize = 25
    /// Gate pre-activations: four chunks of ``hiddenSize``.
    public static let gateSize = 4 * hiddenSize

    /// The ten parameters, in state-dict order.
    public enum Parameter: String, CaseIterable, Sendable {
        /// W1i, [25, 1]: loss → bottleneck (then ReLU).
        case inputBottleneckWeight = "layer1.fc_i2h.0.weight"
        /// b1i, [25].
        case inputBottleneckBias = "layer1.fc_i2h.0.bias"
        /// W2i, [200, 25]: bottleneck → gate pre-activations.
        case inputGateWeight = "layer1.fc_i2h.2.weight"
        /// b2i, [200].
        case inputGateBias = "layer1.fc_i2h.2.bias"
        /// W1h, [25, 50]: previous hidden state → bottleneck (then ReLU).
        case stateBottleneckWeight = "layer1.fc_h2h.0.weight"
        /// b1h, [25].
        case stateBottleneckBias = "layer1.fc_h2h.0.bias"
        /// W2h, [200, 25]: bottleneck → gate pre-activations.
        case stateGateWeight = "layer1.fc_h2h.2.weight"
        /// b2h, [200].
        case stateGateBias = "layer1.fc_h2h.2.bias"
        /// w3, [1, 50]: hidden state → the logit of the output.
        case headWeight = "layer3.weight"
        /// b3, [1].
        case headBias = "layer3.bias"

        /// The state-dict key.
        public var name: String { rawValue }

        /// The tensor shape.
        public var shape: [Int] {
            let hidden = MLRSNetWeights.hiddenSize, bottleneck = MLRSNetWeights.bottleneckSize
            let gates = MLRSNetWeights.gateSize
            switch self {
            case .inputBottleneckWeight: return [bottleneck, 1]
            case .inputBottleneckBias, .stateBottleneckBias: return [bottleneck]
            case .inputGateWeight, .stateGateWeight: return [gates, bottleneck]
            case .inputGateBias, .stateGateBias: return [gates]
            case .stateBottleneckWeight: return [bottleneck, hidden]
            case .headWeight: return [1, hidden]
            case .headBias: return [1]
            }
        }

        /// The number of elements, the product of ``shape``.
        public var elementCount: Int { shape.reduce(1, *) }
    }

    public var inputBottleneckWeight: [Float]
    public var inputBottleneckBias: [Float]
    public var inputGateWeight: [Float]
    public var inputGateBias: [Float]
    public var stateBottleneckWeight: [Float]
    public var stateBottleneckBias: [Float]
    public var stateGateWeight: [Float]
    public var stateGateBias: [Float]
    public var headWeight: [Float]
    public var headBias: [Float]

    /// The values of one parameter. Setting requires `Parameter.elementCount` finite values
    /// (programmer misuse otherwise).
    public subscript(parameter: Parameter) -> [Float] {
        get {
            switch parameter {
            case .inputBottleneckWeight: return inputBottleneckWeight
            case .inputBottleneckBias: return inputBottleneckBias
            case .inputGateWeight: return inputGateWeight
            case .inputGateBias: return inputGateBias
            case .stateBottleneckWeight: return stateBottleneckWeight
            case .stateBottleneckBias: return stateBottleneckBias
            case .stateGateWeight: return stateGateWeight
            case .stateGateBias: return stateGateBias
            case .headWeight: return headWeight
            case .headBias: return headBias
            }
        }
        set {
            precondition(
                newValue.count == parameter.elementCount,
                "MLRSNetWeights[\(parameter.name)]: \(newValue.count) values for shape \(parameter.shape)")
            switch parameter {
            case .inputBottleneckWeight: inputBottleneckWeight = newValue
            case .inputBottleneckBias: inputBottleneckBias = newValue
            case .inputGateWeight: inputGateWeight = newValue
            case .inputGateBias: inputGateBias = newValue
            case .stateBottleneckWeight: stateBottleneckWeight = newValue
            case .stateBottleneckBias: stateBottleneckBias = newValue
            case .stateGateWeight: stateGateWeight = newValue
            case .stateGateBias: stateGateBias = newValue
            case .headWeight: headWeight = newValue
            case .headBias: headBias = newValue
            }
        }
    }

    /// All ten tensors, in state-dict order.
    public var tensors: [StoredTensor] {
        Parameter.allCases.map { StoredTensor(name: $0.name, shape: $0.shape, values: self[$0]) }
    }

    /// Builds the weights from named tensors (any order), checking that exactly the ten expected names
    /// are present, each with its expected shape, element count and only finite values.
    public init(tensors: [StoredTensor]) throws(MLRSNetWeightsError) {
        var byName: [String: StoredTensor] = [:]
        for tensor in tensors {
            guard Parameter(rawValue: tensor.name) != nil else {
                throw MLRSNetWeightsError(problem: .unexpectedTensor(tensor.name))
            }
            guard byName.updateValue(tensor, forKey: tensor.name) == nil else {
                throw MLRSNetWeightsError(problem: .duplicateTensor(tensor.name))
            }
        }
        var values: [Parameter: [Float]] = [:]
        for parameter in Parameter.allCases {
            guard let tensor = byName[parameter.name] else {
                throw MLRSNetWeightsError(problem: .missingTensor(parameter.name))
            }
            guard tensor.shape == parameter.shape else {
                throw MLRSNetWeightsError(
                    problem: .wrongShape(
                        name: parameter.name, expected: parameter.shape, found: tensor.shape))
            }
            guard tensor.values.count == parameter.elementCount else {
                throw MLRSNetWeightsError(
                    problem: .wrongElementCount(
                        name: parameter.name, expected: parameter.elementCount, found: tensor.values.count))
            }
            if let index = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw MLRSNetWeightsError(
                    problem: .nonFiniteValue(
                        name: parameter.name, index: index, value: "\(tensor.values[index])"))
            }
            values[parameter] = tensor.values
        }
        func take(_ parameter: Parameter) -> [Float] { values[parameter] ?? [] }
        inputBottleneckWeight = take(.inputBottleneckWeight)
        inputBottleneckBias = take(.inputBottleneckBias)
        inputGateWeight = take(.inputGateWeight)
        inputGateBias = take(.inputGateBias)
        stateBottleneckWeight = take(.stateBottleneckWeight)
        stateBottleneckBias = take(.stateBottleneckBias)
        stateGateWeight = take(.stateGateWeight)
        stateGateBias = take(.stateGateBias)
        headWeight = take(.headWeight)
        headBias = take(.headBias)
    }

    /// A 64-bit FNV-1a digest of every parameter's bit pattern in state-dict order: identifies a net in
    /// saved scheduler states (not a cryptographic hash).
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for parameter in Parameter.allCases {
            for value in self[parameter] {
                var bits = value.bitPattern
                for _ in 0..<4 {
                    hash = (hash ^ UInt64(bits & 0xFF)) &* 0x0000_0100_0000_01B3
                    bits >>= 8
                }
            }
        }
        return hash
    }
}
