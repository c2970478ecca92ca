import Foundation
import Glidepath
import GlidepathMLRSNet
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The autograd MLR-SNet against the scheduler library's `MLRSNetCell` (which is itself checked against
/// a PyTorch re-implementation of the original network, `Tests/GlidepathTests/MLRSNetCellTests.swift`).
@Suite("DifferentiableMLRSNet")
struct DifferentiableMLRSNetTests {
    /// Loss sequence: untrained-looking losses, a fall, a spike, and tiny late-training losses, so the
    /// bottleneck ReLUs switch and the state moves.
    static let losses: [Float] = [2.3026, 2.1, 1.7, 1.2, 0.9, 3.5, 0.6, 0.31, 0.1, 0.05, 0.012, 0.004, 0.8, 1e-4, 0.25]

    /// Tolerance: the cell rounds each dot product once (Double accumulation), the engine sums in float32
    /// through BLAS. For n ≤ 50 terms the float32 summation error is at most γ_n·Σ|wᵢxᵢ| with
    /// γ_n ≈ n·2⁻²⁴ ≈ 3e-6 (Higham, Accuracy and Stability, §3.1), and Σ|wᵢxᵢ| stays below ~3 for these
    /// weights and states; σ and tanh have slope ≤ 1, and the forget gate (< 1) damps what is carried.
    /// So 1e-5 absolute on a, h and c after 15 steps bounds the accumulated rounding with margin.
    static let tolerance = 1e-5

    static func compare(
        _ weights: MLRSNetWeights, _ convention: MLRSNetGateConvention, tolerance: Double = tolerance,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        let cell = MLRSNetCell(weights: weights, convention: convention)
        let net = DifferentiableMLRSNet(weights: weights, convention: convention)
        var cellState = MLRSNetCellState.zero, netState = MLRSNetCellState.zero
        var largest = 0.0
        for loss in losses {
            let expected = cell(loss, state: &cellState)
            let (output, next) = net(loss, state: netState)
            netState = next
            #expect(output.shape == [1, 1], sourceLocation: sourceLocation)
            expectClose(
                Double(output.scalar), Double(expected), absoluteTolerance: tolerance,
                "loss \(loss)", sourceLocation: sourceLocation)
            expectClose(
                netState.hidden.map(Double.init), cellState.hidden.map(Double.init),
                absoluteTolerance: tolerance, sourceLocation: sourceLocation)
            expectClose(
                netState.cell.map(Double.init), cellState.cell.map(Double.init),
                absoluteTolerance: tolerance, sourceLocation: sourceLocation)
            largest = max(largest, abs(Double(output.scalar) - Double(expected)))
        }
        return largest
    }

    @Test(
        "forward equals MLRSNetCell on the published nets, both conventions",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func publishedNets() throws {
        let directory = try TestEnvironment.requireWeightsDirectory().appendingPathComponent("mlrsnet")
        for name in ["1", "100", "200"] {
            let weights = try MLRSNetWeights(contentsOf: directory.appendingPathComponent("mlr_snet_\(name).json"))
            for convention in MLRSNetGateConvention.allCases {
                _ = Self.compare(weights, convention)
            }
        }
    }

    @Test(
        "forward equals MLRSNetCell on random weights (default init and wide normal), both conventions",
        arguments: 0..<4)
    func randomNets(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let initial = DifferentiableMLRSNet.initialWeights(using: &generator)
        // Wide weights, N(0, 0.7²), push gates into saturation and the bottlenecks on and off.
        var wide = initial
        for parameter in MLRSNetWeights.Parameter.allCases {
            wide[parameter] = Tensor.normal(shape: parameter.shape, standardDeviation: 0.7, using: &generator).scalars
        }
        for convention in MLRSNetGateConvention.allCases {
            _ = Self.compare(initial, convention)
            // Wide weights make |wᵢxᵢ| sums up to ~60 (25–50 terms of |w| ≲ 2 times inputs ≲ 1, and the
            // cell memory reaches |c| ≈ 10), so the same γ_n bound gives 3e-6·60 ≈ 2e-4.
            _ = Self.compare(wide, convention, tolerance: 2e-4)
        }
    }

    @Test("weights round-trip through the leaf tensors; names and shapes are the state dict's")
    func weightsRoundTrip() {
        var generator = SeededGenerator(seed: 7)
        let weights = DifferentiableMLRSNet.initialWeights(using: &generator)
        let net = DifferentiableMLRSNet(weights: weights)
        #expect(net.weights == weights)
        #expect(net.namedParameters.map(\.name) == MLRSNetWeights.Parameter.allCases.map(\.name))
        #expect(net.namedParameters.map(\.tensor.shape) == MLRSNetWeights.Parameter.allCases.map(\.shape))
        #expect(net.parameterCount == 11_776)  // docs/mlrsnet.md, "The network's parameters"
        var other = SeededGenerator(seed: 8)
        let replacement = DifferentiableMLRSNet.initialWeights(using: &other)
        net.load(replacement)
        #expect(net.weights == replacement)
    }

    @Test("initial weights: U(±1/√fan_in) per layer, deterministic per seed")
    func initialisation() {
        var first = SeededGenerator(seed: 3), second = SeededGenerator(seed: 3)
        let weights = DifferentiableMLRSNet.initialWeights(using: &first)
        #expect(weights == DifferentiableMLRSNet.initialWeights(using: &second))
        // fan_in per layer (PyTorch nn.Linear default): loss → 25 has 1 input, h → 25 has 50, 25 → 200 has 25.
        let fanIns: [MLRSNetWeights.Parameter: Double] = [
            .inputBottleneckWeight: 1, .inputBottleneckBias: 1, .inputGateWeight: 25, .inputGateBias: 25,
            .stateBottleneckWeight: 50, .stateBottleneckBias: 50, .stateGateWeight: 25, .stateGateBias: 25,
            .headWeight: 50, .headBias: 50,
        ]
        for parameter in MLRSNetWeights.Parameter.allCases {
            let bound = 1 / (fanIns[parameter] ?? 0).squareRoot()
            let values = weights[parameter].map(Double.init)
            #expect(values.allSatisfy { abs($0) <= bound }, "\(parameter.name) exceeds ±\(bound)")
            if values.count >= 25 {
                // 25+ uniform draws: the largest |x| is below bound/2 with probability 2⁻²⁵.
                #expect((values.map(abs).max() ?? 0) > bound / 2, "\(parameter.name) does not fill its range")
            }
        }
    }

    @Test("gradients flow to all ten parameters")
    func gradientsReachEveryParameter() {
        var generator = SeededGenerator(seed: 11)
        let net = DifferentiableMLRSNet(weights: DifferentiableMLRSNet.initialWeights(using: &generator))
        // A non-zero state so the state-path parameters receive gradient too.
        var state = MLRSNetCellState.zero
        for loss: Float in [2.3, 1.9] { state = withoutGradients { net(loss, state: state).state } }
        net(1.5, state: state).output.backward()
        for (name, tensor) in net.namedParameters {
            let gradient = tensor.grad?.scalars ?? []
            #expect(gradient.count == tensor.count && gradient.contains { $0 != 0 }, "\(name) got no gradient")
        }
    }
}
