import Foundation
import GlidepathMLRSNet
import GlidepathTestSupport
import Testing

/// The cell against `Tests/GlidepathMLRSNetTests/Fixtures/mlrsnet_reference.json`, written by
/// `scripts/fixtures/mlrsnet_reference.py` (PyTorch 2.15 CPU re-implementation of
/// `meta-test/model/network.py`, official nets loaded with `torch.load`).
@Suite("MLR-SNet cell")
struct MLRSNetCellTests {
    static let ulpTolerance = MLRSNetReference.ulpTolerance

    @Test(
        "forward matches PyTorch's float32 forward of the three published nets, both conventions",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func forwardMatchesReference() throws {
        let reference = try MLRSNetReference.load()
        #expect(reference.sequences.count == 8)
        for sequence in reference.sequences {
            let cell = MLRSNetCell(weights: try OfficialNets.load(sequence.net), convention: sequence.convention)
            var state = MLRSNetCellState.zero
            var ours = 0.0, theirs = 0.0
            for (step, loss) in sequence.losses.enumerated() {
                let output = cell(Float(loss), state: &state)
                let expected = Float(sequence.outputs[step])
                #expect(
                    floatULPDistance(output, expected) <= Self.ulpTolerance,
                    "net \(sequence.net) \(sequence.sequence) \(sequence.convention) step \(step): \(output) vs \(expected)"
                )
                ours = max(ours, abs(Double(output) - sequence.outputsFloat64[step]))
                theirs = max(theirs, abs(sequence.outputs[step] - sequence.outputsFloat64[step]))
            }
            // Accuracy: our float32 forward is at least as close to the float64 forward of the same
            // weights as PyTorch's float32 forward is (up to one float32 ULP of an output < 1).
            #expect(
                ours <= theirs + 0x1p-24,
                "net \(sequence.net) \(sequence.sequence): error \(ours) vs PyTorch float32 \(theirs)")
        }
    }

    @Test(
        "steady-state outputs at a constant loss: about 0.73, 0.036, 0.018 (docs/mlrsnet.md)",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func steadyState() throws {
        let reference = try MLRSNetReference.load()
        for steady in reference.steady {
            let cell = MLRSNetCell(weights: try OfficialNets.load(steady.net))
            var state = MLRSNetCellState.zero
            var output: Float = 0
            for _ in 0..<steady.steps { output = cell(Float(steady.loss), state: &state) }
            // The recurrence contracts, so 3000 steps of rounding differences stay within the
            // single-step tolerance.
            #expect(
                floatULPDistance(output, Float(steady.output)) <= Self.ulpTolerance,
                "net \(steady.net) at loss \(steady.loss): \(output) vs \(steady.output)")
            // docs/mlrsnet.md ("Gate conventions") quotes the levels to two significant digits.
            let quoted = ["1": 0.73, "100": 0.036, "200": 0.018][steady.net] ?? .nan
            expectClose(Double(output), quoted, relativeTolerance: 0.05)
        }
    }

    @Test("the two gate conventions give different outputs from the same weights")
    func conventionsDiffer() {
        let weights = SyntheticNet.weights(seed: 7)
        var testState = MLRSNetCellState.zero, trainState = MLRSNetCellState.zero
        let test = MLRSNetCell(weights: weights, convention: .metaTest)(1.5, state: &testState)
        let train = MLRSNetCell(weights: weights, convention: .metaTrain)(1.5, state: &trainState)
        #expect(test != train)
        #expect(testState != trainState)
    }

    @Test("the cell is a pure function of (weights, loss, state): repeatable bit for bit")
    func deterministic() {
        let cell = MLRSNetCell(weights: SyntheticNet.weights(seed: 3))
        var first = MLRSNetCellState.zero, second = MLRSNetCellState.zero
        for loss in [2.3, 1.1, 0.4, 0.0, 9.0] as [Float] {
            #expect(cell(loss, state: &first).bitPattern == cell(loss, state: &second).bitPattern)
        }
        #expect(first == second)
    }

    @Test("outputs stay in (0, 1) and the state stays finite for extreme losses")
    func bounded() {
        let cell = MLRSNetCell(weights: SyntheticNet.weights(seed: 11))
        var state = MLRSNetCellState.zero
        for loss in [0, 1e-30, 1e6, .greatestFiniteMagnitude, 3] as [Float] {
            let output = cell(loss, state: &state)
            #expect(output >= 0 && output <= 1)
            #expect(state.hidden.allSatisfy(\.isFinite) && state.cell.allSatisfy(\.isFinite))
        }
    }
}
