import Foundation
import GlidepathMLRSNet

/// The fixture written by `scripts/fixtures/mlrsnet_reference.py` (PyTorch 2.15, CPU): outputs of a
/// re-implementation of the original MLR-SNet network on the three published nets.
public struct MLRSNetReference: Decodable {
    public struct Sequence: Decodable {
        public var net: String
        public var sequence: String
        public var convention: MLRSNetGateConvention
        public var losses: [Double]
        public var outputs: [Double]
        public var outputsFloat64: [Double]
    }

    public struct Steady: Decodable {
        public var net: String
        public var loss: Double
        public var steps: Int
        public var output: Double
    }

    public struct SwitchingProtocol: Decodable {
        public var numClasses: Int
        public var initialLoss: Double
        public var switchSteps: [Int]
        public var losses: [Double]
        public var outputs: [Double]
        public var scales: [Double]
        public var learningRates: [Double]
    }

    public struct Gamma: Decodable {
        public var loss: Double
        public var numClasses: Int
        public var gamma: Double
    }

    /// Largest float32 ULP distance allowed from PyTorch's float32 forward. Measured: 1 ULP for
    /// net 1, at most 10 ULP for nets 100 and 200 (outputs near 0.03–0.5, where PyTorch's MKL float32
    /// sums lose a few ULP); see docs/mlrsnet.md. 12 leaves a margin for a different libm.
    public static let ulpTolerance = 12

    public var torch: String
    public var sequences: [Sequence]
    public var steady: [Steady]
    public var protocols: [SwitchingProtocol]
    public var gamma: [Gamma]

    public static func load() throws -> MLRSNetReference {
        let url = TestEnvironment.repositoryRoot
            .appendingPathComponent("Tests/GlidepathMLRSNetTests/Fixtures/mlrsnet_reference.json")
        return try JSONDecoder().decode(MLRSNetReference.self, from: Data(contentsOf: url))
    }
}

public enum OfficialNets {
    public static let names = ["1", "100", "200"]

    /// `<weights>/mlrsnet/mlr_snet_<name>.<format>`.
    public static func url(_ name: String, format: String) throws -> URL {
        try TestEnvironment.requireWeightsDirectory()
            .appendingPathComponent("mlrsnet/mlr_snet_\(name).\(format)")
    }

    public static func load(_ name: String, format: String = "json") throws -> MLRSNetWeights {
        try MLRSNetWeights(contentsOf: url(name, format: format))
    }
}

/// Distance in float32 units in the last place between two float32 values (both finite, same sign
/// side handled through the ordered integer mapping).
public func floatULPDistance(_ a: Float, _ b: Float) -> Int {
    func ordered(_ x: Float) -> Int {
        let bits = Int(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int(Int32.min) - bits : bits
    }
    return abs(ordered(a) - ordered(b))
}

/// Nets with seeded random weights, uniform in ±1/√fan-in like PyTorch's default Linear
/// initialisation, for tests that must run without the weights directory.
public enum SyntheticNet {
    public static func weights(seed: UInt64) -> MLRSNetWeights {
        var generator = SplitMix64(seed: seed)
        let tensors = MLRSNetWeights.Parameter.allCases.map { parameter -> StoredTensor in
            let fanIn =
                parameter.shape.count == 2
                ? parameter.shape[1]
                : (parameter == .headBias ? 50 : parameter == .inputBottleneckBias ? 1 : 25)
            let bound = Float(1 / Double(fanIn).squareRoot())
            let values = (0..<parameter.elementCount).map { _ in Float.random(in: -bound...bound, using: &generator) }
            return StoredTensor(name: parameter.name, shape: parameter.shape, values: values)
        }
        // Valid by construction: the names and shapes come from MLRSNetWeights.Parameter.
        return (try? MLRSNetWeights(tensors: tensors)) ?? { preconditionFailure("synthetic weights rejected") }()
    }
}
