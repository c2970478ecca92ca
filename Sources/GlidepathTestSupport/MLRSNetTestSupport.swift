import Foundation
import Glidepath
import GlidepathTestSupport

/// The fixture written by `scripts/fixtures/mlrsnet_reference.py` (PyTorch 2.15, CPU): outputs of a
/// re-implementation of the original MLR-SNet network on the three published nets.
struct MLRSNetReference: Decodable {
    struct Sequence: Decodable {
        var net: String
        var sequence: String
        var convention: MLRSNetGateConvention
        var losses: [Double]
        var outputs: [Double]
        var outputsFloat64: [Double]
    }

    struct Steady: Decodable {
        var net: String
        var loss: Double
        var steps: Int
        var output: Double
    }

    struct SwitchingProtocol: Decodable {
        var numClasses: Int
        var initialLoss: Double
        var switchSteps: [Int]
        var losses: [Double]
        var outputs: [Double]
        var scales: [Double]
        var learningRates: [Double]
    }

    struct Gamma: Decodable {
        var loss: Double
        var numClasses: Int
        var gamma: Double
    }

    var torch: String
    var sequences: [Sequence]
    var steady: [Steady]
    var protocols: [SwitchingProtocol]
    var gamma: [Gamma]

    static func load() throws -> MLRSNetReference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mlrsnet_reference.json")
        return try JSONDecoder().decode(MLRSNetReference.self, from: Data(contentsOf: url))
    }
}

enum OfficialNets {
    static let names = ["1", "100", "200"]

    /// `<weights>/mlrsnet/mlr_snet_<name>.<format>`.
    static func url(_ name: String, format: String) throws -> URL {
        try TestEnvironment.requireWeightsDirectory()
            .appendingPathComponent("mlrsnet/mlr_snet_\(name).\(format)")
    }

    static func load(_ name: String, format: String = "json") throws -> MLRSNetWeights {
        try MLRSNetWeights(contentsOf: url(name, format: format))
    }
}

/// Distance in float32 units in the last place between two float32 values (both finite, same sign
/// side handled through the ordered integer mapping).
func floatULPDistance(_ a: Float, _ b: Float) -> Int {
    func ordered(_ x: Float) -> Int {
        let bits = Int(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int(Int32.min) - bits : bits
    }
    return abs(ordered(a) - ordered(b))
}

/// Nets with seeded random weights, uniform in ±1/√fan-in like PyTorch's default Linear
/// initialisation, for tests that must run without the weights directory.
enum SyntheticNet {
    static func weights(seed: UInt64) -> MLRSNetWeights {
        var generator = SplitMix64(seed: seed)
        let tensors = MLRSNetWeights.Parameter.allCases.map { parameter -> StoredTensor in
            let fanIn = parameter.shape.count == 2 ? parameter.shape[1]
                : (parameter == .headBias ? 50 : parameter == .inputBottleneckBias ? 1 : 25)
            let bound = Float(1 / Double(fanIn).squareRoot())
            let values = (0..<parameter.elementCount).map { _ in Float.random(in: -bound...bound, using: &generator) }
            return StoredTensor(name: parameter.name, shape: parameter.shape, values: values)
        }
        // Valid by construction: the names and shapes come from MLRSNetWeights.Parameter.
        return (try? MLRSNetWeights(tensors: tensors)) ?? { preconditionFailure("synthetic weights rejected") }()
    }
}
