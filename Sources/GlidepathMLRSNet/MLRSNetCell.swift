import Foundation

/// How the 200 gate pre-activations z = [z₀ z₁ z₂ z₃] (four chunks of 50) become the LSTM gates.
///
/// The original repository is internally inconsistent (`docs/mlrsnet.md`, "Gate conventions"):
///
/// | convention | i | f | g (cell input) | o |
/// |---|---|---|---|---|
/// | ``metaTest`` (`meta-test/model/network.py`) | σ(z₀) | σ(z₁) | tanh(z₂) | σ(z₃) |
/// | ``metaTrain`` (`meta-train/*/module.py`) | σ(z₀) | σ(z₁ − 1) | tanh(z₃) | σ(z₂) |
///
/// The published nets were saved for, and are only loaded by, the meta-test code: use ``metaTest``
/// with them.
public enum MLRSNetGateConvention: String, Codable, Sendable, CaseIterable {
    /// Order i, f, g, o; no forget-gate shift. The convention of the published nets.
    case metaTest
    /// Order i, f, o, g with σ(z₁ − 1): the meta-training scripts' cell.
    case metaTrain
}

/// The recurrent state (h, c) of the MLR-SNet cell, each of ``MLRSNetWeights/hiddenSize`` float32 values.
public struct MLRSNetCellState: Sendable, Equatable {
    /// h, the hidden state fed back into the cell and read by the head.
    public var hidden: [Float]
    /// c, the LSTM cell memory.
    public var cell: [Float]

    public init(hidden: [Float], cell: [Float]) {
        self.hidden = hidden
        self.cell = cell
    }

    /// h = c = 0: the state before the first step (the reference zeroes it once, at the first iteration).
    public static var zero: MLRSNetCellState {
        MLRSNetCellState(
            hidden: Array(repeating: 0, count: MLRSNetWeights.hiddenSize),
            cell: Array(repeating: 0, count: MLRSNetWeights.hiddenSize))
    }
}

/// One evaluation of MLR-SNet: the LSTM-like cell `layer1`, the head `layer3` and a sigmoid.
///
/// With the scalar loss x and the previous state (h, c):
///
/// ```
/// u = relu(W1i·x + b1i)                      u ∈ R^25
/// v = relu(W1h·h + b1h)                      v ∈ R^25
/// z = (W2i·u + b2i) + (W2h·v + b2h)          z ∈ R^200, chunks z₀…z₃ of 50
/// c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')    gates per MLRSNetGateConvention
/// a  = σ(w3·h' + b3) ∈ (0, 1)
/// ```
///
/// **Arithmetic.** The reference runs this in float32 (PyTorch, `meta_test.py` feeds the float32
/// batch loss). Glidepath evaluates every elementwise operation in `Float` in the reference's order
/// (product, then bias; the two gate halves summed last) and accumulates each dot product in
/// `Double`, rounding once to `Float`. That gives each layer's output correctly rounded for its
/// inputs, which is as close to PyTorch's float32 result as a portable implementation can be: the
/// float32 summation order of MKL/OpenBLAS kernels is unspecified and differs between CPUs, so bit
/// equality with PyTorch is not attainable in general. Measured against the PyTorch 2.15 CPU
/// forward of the three published nets (fixture `Tests/GlidepathMLRSNetTests/Fixtures/mlrsnet_reference.json`),
/// outputs agree to within a few float32 units in the last place (see `docs/mlrsnet.md` for the
/// numbers).
///
/// Reference: Shu et al., TPAMI 2022, arXiv:2007.14546, Eq. (6)–(7); GitHub xjtushujun/MLR-SNet
/// @5d1eec4, `meta-test/model/network.py` (`LSTMCell`, `MLRSNet`).
public struct MLRSNetCell: Sendable, Equatable {
    public var weights: MLRSNetWeights
    public var convention: MLRSNetGateConvention

    public init(weights: MLRSNetWeights, convention: MLRSNetGateConvention = .metaTest) {
        self.weights = weights
        self.convention = convention
    }

    /// Advances `state` by one step on `loss` and returns the output a ∈ (0, 1).
    ///
    /// `loss` must be finite (programmer misuse otherwise; the scheduler validates observations).
    public func callAsFunction(_ loss: Float, state: inout MLRSNetCellState) -> Float {
        precondition(loss.isFinite, "MLRSNetCell: loss \(loss) is not finite")
        precondition(
            state.hidden.count == MLRSNetWeights.hiddenSize
                && state.cell.count == MLRSNetWeights.hiddenSize,
            "MLRSNetCell: state of \(state.hidden.count)/\(state.cell.count) values, expected 50/50")
        let w = weights
        let hiddenSize = MLRSNetWeights.hiddenSize, bottleneckSize = MLRSNetWeights.bottleneckSize

        // Bottlenecks. The input layer has a single input column, so its "dot product" is one product.
        var inputBottleneck = [Float](repeating: 0, count: bottleneckSize)
        var stateBottleneck = [Float](repeating: 0, count: bottleneckSize)
        for row in 0..<bottleneckSize {
            inputBottleneck[row] = max(w.inputBottleneckWeight[row] * loss + w.inputBottleneckBias[row], 0)
            let product = Self.dot(w.stateBottleneckWeight, row: row, columns: hiddenSize, state.hidden)
            stateBottleneck[row] = max(product + w.stateBottleneckBias[row], 0)
        }

        // Gate pre-activations: (W2i·u + b2i) + (W2h·v + b2h), as `i2h + h2h` in the reference.
        var gates = [Float](repeating: 0, count: MLRSNetWeights.gateSize)
        for row in 0..<MLRSNetWeights.gateSize {
            let fromInput =
                Self.dot(w.inputGateWeight, row: row, columns: bottleneckSize, inputBottleneck)
                + w.inputGateBias[row]
            let fromState =
                Self.dot(w.stateGateWeight, row: row, columns: bottleneckSize, stateBottleneck)
                + w.stateGateBias[row]
            gates[row] = fromInput + fromState
        }

        let (outputChunk, candidateChunk): (Int, Int) = convention == .metaTest ? (3, 2) : (2, 3)
        let forgetShift: Float = convention == .metaTest ? 0 : 1
        for unit in 0..<hiddenSize {
            let inputGate = Self.sigmoid(gates[unit])
            let forgetGate = Self.sigmoid(gates[hiddenSize + unit] - forgetShift)
            let candidate = tanhf(gates[candidateChunk * hiddenSize + unit])
            let outputGate = Self.sigmoid(gates[outputChunk * hiddenSize + unit])
            let cell = forgetGate * state.cell[unit] + inputGate * candidate
            state.cell[unit] = cell
            state.hidden[unit] = outputGate * tanhf(cell)
        }

        let logit = Self.dot(w.headWeight, row: 0, columns: hiddenSize, state.hidden) + w.headBias[0]
        return Self.sigmoid(logit)
    }

    /// Row `row` of the row-major matrix `matrix` (with `columns` columns) times `vector`, accumulated
    /// in Double and rounded once to Float.
    @inline(__always)
    static func dot(_ matrix: [Float], row: Int, columns: Int, _ vector: [Float]) -> Float {
        var sum = 0.0
        let base = row * columns
        for column in 0..<columns {
            sum += Double(matrix[base + column]) * Double(vector[column])
        }
        return Float(sum)
    }

    /// σ(x) = 1 / (1 + e^(−x)), PyTorch's float32 formula.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        1 / (1 + expf(-x))
    }
}
