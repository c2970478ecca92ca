import Foundation
import Glidepath
import GlidepathMLRSNet
import GlidepathTestSupport
import Testing

/// `glidepath meta-train` end to end, and the net meta-trained by our own code that the repository ships.
@Suite("glidepath meta-train and the shipped net")
struct MetaTrainCommandTests {
    /// The shipped net (docs/mlrsnet.md, "Our meta-trained net", records the command that made it).
    static let shippedNet = TestEnvironment.repositoryRoot.appendingPathComponent(
        "weights/glidepath-mlrsnet-mnist-cnn.json")

    struct Line: Decodable {
        var step: Int
        var lrs: [Double]
    }

    struct Provenance: Decodable {
        var _provenance: [String: String]
    }

    @Test("the shipped net loads, carries its provenance, and drives `glidepath schedule`")
    func shippedNetDrivesSchedule() throws {
        let weights = try MLRSNetWeights(contentsOf: Self.shippedNet)
        let provenance = try JSONDecoder().decode(Provenance.self, from: Data(contentsOf: Self.shippedNet))._provenance
        for key in ["task", "epochs", "seed", "gitCommit", "date", "command", "trainingExamples", "metaUpdates"] {
            #expect(provenance[key] != nil, "provenance lacks \(key)")
        }
        #expect(provenance["command"]?.contains("meta-train") == true)
        let convention = try #require(provenance["gateConvention"].flatMap(MLRSNetGateConvention.init(rawValue:)))

        // A loss curve from 2.3 down to 0.05 with noise-free steps: 40 updates.
        let losses = (0..<40).map { 2.3 * pow(0.9, Double($0)) + 0.05 }
        let signals = losses.map { #"{"losses": [\#($0)]}"# }.joined(separator: ", ")
        let config = """
            {"lrs": [0.1], "scheduler": {"name": "mlrsnet", "weights": ["\(Self.shippedNet.path)"], \
            "numClasses": 10, "initialLoss": 2.302585, "gateConvention": "\(convention.rawValue)"}, \
            "signals": [\(signals)]}
            """
        let result = try BuiltBinary.schedule(config)
        #expect(result.status == 0, "\(result.standardError)")
        let lines = try result.lines.map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(lines.count == losses.count + 1)
        // Independent oracle: the bare cell and the guarded γ rule (docs/mlrsnet.md): η_k = a_k·|γ(L₀)|,
        // with the float32 loss fed to the cell, as the scheduler documents.
        let cell = MLRSNetCell(weights: weights, convention: convention)
        let scale = MLRSNetScaleRule.guarded.scale(loss: 2.302585, classCount: 10)
        var state = MLRSNetCellState.zero
        for (index, loss) in losses.enumerated() {
            let expected = Double(cell(Float(loss), state: &state)) * scale
            expectClose(lines[index + 1].lrs[0], expected, relativeTolerance: 1e-15, "step \(index + 1)")
            #expect(lines[index + 1].lrs[0] > 0 && lines[index + 1].lrs[0] < scale)
        }
    }

    @Test(
        "meta-train on real Adult writes weights that load, with provenance",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func metaTrainWritesWeights() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("net.json")
        let result = try BuiltBinary.run([
            "meta-train", "--task", "adult-mlp", "--epochs", "1", "--seed", "4", "--data-dir", data.path,
            "--meta-interval", "2", "--meta-set-size", "200", "--training-examples", "512", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        // 512 examples in batches of 128 → 4 iterations, meta-updates at positions 1 and 3.
        #expect(result.standardOutput.contains("4 iterations, 2 meta-updates"))
        #expect(result.standardError.contains("epoch 1:"))
        let weights = try MLRSNetWeights(contentsOf: output)
        #expect(weights.tensors.map(\.values.count).reduce(0, +) == 11_776)
        let provenance = try JSONDecoder().decode(Provenance.self, from: Data(contentsOf: output))._provenance
        #expect(provenance["task"] == "adult-mlp")
        #expect(provenance["seed"] == "4" && provenance["epochs"] == "1" && provenance["metaInterval"] == "2")
        #expect(provenance["trainingExamples"] == "512" && provenance["metaSetSize"] == "200")
        #expect(provenance["command"]?.hasSuffix("--output \(output.path)") == true)
    }

    @Test("bad arguments fail with one error line naming the problem")
    func badArguments() throws {
        let unknown = try BuiltBinary.run(["meta-train", "--task", "no-such-task", "--data-dir", "/nonexistent"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("unknown task 'no-such-task'"))
        let text = try BuiltBinary.run(["meta-train", "--task", "sst2-bilstm", "--data-dir", "/nonexistent"])
        #expect(text.status == 1)
        #expect(text.standardError.contains("cannot be meta-trained"))
    }
}
