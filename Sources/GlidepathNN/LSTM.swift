import GlidepathTensor

/// A multi-layer, optionally bidirectional long short-term memory network (Hochreiter & Schmidhuber
/// 1997), PyTorch's `nn.LSTM` without dropout between layers or projections.
///
/// For each time step, with gate order i, f, g, o as in PyTorch:
/// ```
/// [i, f, g, o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
/// i, f, o = σ(·);  g = tanh(·)
/// c_t = f ⊙ c_{t−1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
/// ```
/// with `h_0 = c_0 = 0`. The reverse direction of a bidirectional layer reads each sequence from its
/// true last element back to its first. Layer `k > 0` reads the concatenated outputs of layer `k − 1`.
///
/// Parameters per layer `k` and direction (suffix `""` forward, `"_reverse"` backward), named as in
/// PyTorch's `state_dict`: `weight_ih_l{k}` `[4H, in]`, `weight_hh_l{k}` `[4H, H]`, `bias_ih_l{k}`
/// and `bias_hh_l{k}` `[4H]`, all U(±1/√H).
///
/// **Variable lengths** (masking): with `lengths`, sequence `b` is processed for its first
/// `lengths[b]` steps only. Its outputs beyond that are zero and its final state is the state at its
/// true length — the same results as PyTorch's `pack_padded_sequence` → LSTM → `pad_packed_sequence`.
///
/// Each layer runs as one fused op (``LSTMKernel``): one GEMM for the input projection of all time
/// steps, one GEMM per step for the recurrence, fused gate nonlinearities, and backpropagation through
/// time written by hand; the two directions run on separate threads when the engine has two.
public final class LSTM: Module {
    /// The four parameters of one direction of one layer.
    public struct DirectionParameters {
        public let inputWeight: Tensor
        public let hiddenWeight: Tensor
        public let inputBias: Tensor
        public let hiddenBias: Tensor
    }

    /// What ``callAsFunction(_:lengths:)`` returns.
    public struct Output {
        /// The last layer's outputs: `[B, T, D·H]` (batch-first) or `[T, B, D·H]`; zero beyond each
        /// sequence's length.
        public let output: Tensor
        /// Final hidden states `[layers·D, B, H]`, PyTorch's `h_n` order (layer-major, forward first).
        public let hidden: Tensor
        /// Final cell states `[layers·D, B, H]` (`c_n`).
        public let cell: Tensor
        /// The last layer's final hidden states of all directions concatenated: `[B, D·H]`
        /// (`torch.cat([h_n[-2], h_n[-1]], dim=1)` for a bidirectional LSTM).
        public let lastLayerHidden: Tensor
    }

    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    public let isBidirectional: Bool
    public let isBatchFirst: Bool
    /// `parameters[layer][direction]`.
    public let weights: [[DirectionParameters]]
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for sizes < 1.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bidirectional: Bool = false,
        batchFirst: Bool = true, using generator: inout G
    ) throws(NNError) {
        try NNError.require(inputSize >= 1, "inputSize", inputSize, "must be ≥ 1")
        try NNError.require(hiddenSize >= 1, "hiddenSize", hiddenSize, "must be ≥ 1")
        try NNError.require(layerCount >= 1, "layerCount", layerCount, "must be ≥ 1")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        isBidirectional = bidirectional
        isBatchFirst = batchFirst
        let directions = bidirectional ? 2 : 1
        let bound = 1 / Float(hiddenSize).squareRoot()
        var all: [[DirectionParameters]] = []
        for layer in 0..<layerCount {
            let layerInput = layer == 0 ? inputSize : directions * hiddenSize
            var layerWeights: [DirectionParameters] = []
            for _ in 0..<directions {
                // PyTorch's reset_parameters draws in state_dict order: w_ih, w_hh, b_ih, b_hh.
                let inputWeight = Initialization.uniform(
                    shape: [4 * hiddenSize, layerInput], bound: bound, using: &generator)
                let hiddenWeight = Initialization.uniform(
                    shape: [4 * hiddenSize, hiddenSize], bound: bound, using: &generator)
                let inputBias = Initialization.uniform(shape: [4 * hiddenSize], bound: bound, using: &generator)
                let hiddenBias = Initialization.uniform(shape: [4 * hiddenSize], bound: bound, using: &generator)
                layerWeights.append(
                    DirectionParameters(
                        inputWeight: inputWeight, hiddenWeight: hiddenWeight,
                        inputBias: inputBias, hiddenBias: hiddenBias))
            }
            all.append(layerWeights)
        }
        weights = all
    }

    public var directionCount: Int { isBidirectional ? 2 : 1 }

    public var localParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        for (layer, directions) in weights.enumerated() {
            for (direction, p) in directions.enumerated() {
                let suffix = "l\(layer)" + (direction == 1 ? "_reverse" : "")
                result += [
                    ("weight_ih_\(suffix)", p.inputWeight), ("weight_hh_\(suffix)", p.hiddenWeight),
                    ("bias_ih_\(suffix)", p.inputBias), ("bias_hh_\(suffix)", p.hiddenBias),
                ]
            }
        }
        return result
    }

    /// Runs the LSTM over `input` (`[B, T, inputSize]` batch-first, else `[T, B, inputSize]`).
    ///
    /// - Parameter lengths: the true length of each of the B sequences, each in `1...T`; nil means
    ///   every sequence has length T.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` for a wrong input shape or lengths.
    public func callAsFunction(_ input: Tensor, lengths: [Int]? = nil) throws(NNError) -> Output {
        guard input.rank == 3, input.shape[2] == inputSize else {
            throw .invalidInput(
                name: "input", value: "\(input.shape)",
                reason: "must be \(isBatchFirst ? "[B, T, \(inputSize)]" : "[T, B, \(inputSize)]")")
        }
        let batchMajor = isBatchFirst ? input : input.permuted([1, 0, 2])
        let batch = batchMajor.shape[0], steps = batchMajor.shape[1]
        guard batch >= 1, steps >= 1 else {
            throw .invalidInput(
                name: "input", value: "\(input.shape)", reason: "needs at least one sequence and one step")
        }
        let sequenceLengths = lengths ?? [Int](repeating: steps, count: batch)
        guard sequenceLengths.count == batch else {
            throw .invalidInput(
                name: "lengths", value: "\(sequenceLengths.count) lengths",
                reason: "need one length per sequence (\(batch))")
        }
        if let bad = sequenceLengths.first(where: { $0 < 1 || $0 > steps }) {
            throw .invalidInput(name: "lengths", value: "\(bad)", reason: "each length must lie in 1...\(steps)")
        }
        var layerInput = batchMajor
        var hiddens: [Tensor] = [], cells: [Tensor] = []
        var last: Tensor?
        for directions in weights {
            let result = LSTMKernel.layer(
                input: layerInput, parameters: directions, hiddenSize: hiddenSize,
                lengths: sequenceLengths)
            layerInput = result.output
            hiddens.append(result.hidden)
            cells.append(result.cell)
            last = result.hidden
        }
        let hidden = hiddens.count == 1 ? hiddens[0] : Tensor.concatenate(hiddens, alongAxis: 0)
        let cell = cells.count == 1 ? cells[0] : Tensor.concatenate(cells, alongAxis: 0)
        let finalHidden = last ?? hidden
        let lastLayerHidden =
            directionCount == 1
            ? finalHidden.reshaped(to: [batch, hiddenSize])
            : finalHidden.permuted([1, 0, 2]).reshaped(to: [batch, directionCount * hiddenSize])
        return Output(
            output: isBatchFirst ? layerInput : layerInput.permuted([1, 0, 2]),
            hidden: hidden, cell: cell, lastLayerHidden: lastLayerHidden)
    }
}
