import Foundation
import Testing
import Glidepath
import GlidepathTestSupport

@Suite("MLR-SNet cell")
struct MLRSNetCellTests {
    @Test("forward matches the PyTorch reference of the three published nets",
          .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func forwardMatchesReference() throws {
        let reference = try MLRSNetReference.load()
        var worst32 = 0, worst64 = 0.0
        for sequence in reference.sequences {
            let cell = MLRSNetCell(weights: try OfficialNets.load(sequence.net), convention: sequence.convention)
            var state = MLRSNetCellState.zero
            var distances: [Int] = []
            var ours = 0.0, theirs = 0.0
            for (step, loss) in sequence.losses.enumerated() {
                let output = cell(Float(loss), state: &state)
                let distance = floatULPDistance(output, Float(sequence.outputs[step]))
                distances.append(distance)
                worst32 = max(worst32, distance)
                worst64 = max(worst64, abs(Double(output) - sequence.outputsFloat64[step]))
                ours = max(ours, abs(Double(output) - sequence.outputsFloat64[step]))
                theirs = max(theirs, abs(sequence.outputs[step] - sequence.outputsFloat64[step]))
            }
            print("net \(sequence.net) \(sequence.sequence) \(sequence.convention): ulp max \(distances.max() ?? 0) mean \(Double(distances.reduce(0, +)) / Double(distances.count)) ours-f64 \(ours) torch32-f64 \(theirs)")
        }
        print("worst float32 ulp \(worst32), worst abs vs float64 \(worst64)")
    }
}
