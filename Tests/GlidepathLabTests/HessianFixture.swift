import Foundation
import GlidepathLab
import GlidepathNN
import GlidepathTensor

/// A fixture of `scripts/fixtures/pytorch_hvp.py`: a small instance of one of the study's model families
/// with PyTorch-trained weights, one batch, and exact Float64 HVPs by double backprop.
struct HessianFixture {
    let name: String
    let file: SafeTensorsFile
    let model: any TaskModel
    let batch: TrainingBatch

    init(_ name: String) throws {
        self.name = name
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hvp_\(name).safetensors")
        file = try SafeTensorsFile.read(from: url)
        let architecture =
            try JSONSerialization.jsonObject(with: Data((file.metadata["architecture"] ?? "{}").utf8))
            as? [String: Any] ?? [:]
        func int(_ key: String) -> Int { (architecture[key] as? NSNumber)?.intValue ?? -1 }
        func ints(_ key: String) -> [Int] { (architecture[key] as? [NSNumber])?.map(\.intValue) ?? [] }
        var generator = SeededGenerator(seed: 1)
        let labels = try file.entry("batch.labels").integers().map { Int32($0) }
        switch architecture["kind"] as? String {
        case "perceptron":
            model = try PerceptronClassifier(
                PerceptronNetwork(
                    inputFeatures: int("inputs"), hiddenUnits: ints("hidden"),
                    classCount: int("classes")), using: &generator)
            let features = try file.entry("batch.features")
            batch = TrainingBatch(
                inputs: .features(values: try features.floats(), shape: features.shape), labels: labels)
        case "convolutional":
            let blocks = (architecture["blocks"] as? [[NSNumber]] ?? []).map {
                ConvolutionBlock(
                    outputChannels: $0[0].intValue, kernelSize: $0[1].intValue, padding: $0[2].intValue,
                    poolSize: $0[3].intValue)
            }
            model = try ConvolutionalClassifier(
                ConvolutionalNetwork(
                    inputChannels: int("channels"), inputHeight: int("height"), inputWidth: int("width"),
                    blocks: blocks,
                    hiddenUnits: ints("hidden"), classCount: int("classes")), using: &generator)
            let images = try file.entry("batch.images")
            batch = TrainingBatch(inputs: .images(features: try images.floats(), shape: images.shape), labels: labels)
        default:
            model = try RecurrentClassifier(
                RecurrentNetwork(
                    vocabularySize: int("vocabulary"), embeddingDimension: int("embedding"), hiddenSize: int("hidden"),
                    sequenceLength: int("length"), classCount: int("classes"), embeddingInitialization: .standardNormal),
                using: &generator)
            let tokens = try file.entry("batch.tokens")
            batch = TrainingBatch(
                inputs: .tokens(
                    ids: try tokens.integers().map { Int32($0) }, shape: tokens.shape,
                    lengths: try file.entry("batch.lengths").integers().map { Int32($0) }),
                labels: labels)
        }
        let names = Set(model.module.namedParameters.map(\.name) + model.module.namedBuffers.map(\.name))
        try model.module.loadSafeTensors(
            SafeTensorsFile(metadata: [:], entries: file.entries.filter { names.contains($0.name) }))
    }

    func doubles(_ name: String) throws -> [Double] { try file.entry(name).doubles() }
    func floats(_ name: String) throws -> [Float] { try file.entry(name).floats() }
    func scalar(_ name: String) throws -> Double { try doubles(name)[0] }

    func objective() throws -> ProbeObjective { try .task(model: model, batches: [batch]) }
}

/// ‖a − b‖/‖b‖.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    var difference = 0.0, norm = 0.0
    for (x, y) in zip(a, b) {
        difference += (x - y) * (x - y)
        norm += y * y
    }
    return (difference / norm).squareRoot()
}
