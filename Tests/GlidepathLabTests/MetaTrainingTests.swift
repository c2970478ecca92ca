import Foundation
import Glidepath
import GlidepathData
import GlidepathLab
import GlidepathMLRSNet
import GlidepathNN
import GlidepathTestSupport
import Testing

@Suite("Meta-training: meta set and runs")
struct MetaTrainingTests {
    /// Labels with a 3:1 class imbalance (Adult's training split is about 76/24).
    static let imbalanced: [Int32] = (0..<400).map { $0 % 4 == 3 ? 1 : 0 }

    @Test(
        "meta set and training subset are disjoint, inside the training part, and stratified",
        arguments: [0, 1, 2] as [UInt64])
    func disjointAndStratified(seed: UInt64) throws {
        let split = try MetaSetSplit(
            labels: Self.imbalanced, classCount: 2, metaCount: 40, trainingLimit: nil, seed: seed)
        #expect(Set(split.metaIndices).isDisjoint(with: split.trainingIndices))
        #expect(split.metaIndices.count == 40)
        // All 400 examples are used, each exactly once (no "in neither" case either).
        #expect((split.metaIndices + split.trainingIndices).sorted() == Array(0..<400))
        // Stratified: 300/100 examples → 40·300/400 = 30 and 40·100/400 = 10.
        #expect(split.metaIndices.filter { Self.imbalanced[$0] == 0 }.count == 30)
        #expect(split.metaIndices.filter { Self.imbalanced[$0] == 1 }.count == 10)
        #expect(split.metaIndices == split.metaIndices.sorted())
    }

    @Test("same seed, same split; another seed, another meta set")
    func deterministic() throws {
        let first = try MetaSetSplit(labels: Self.imbalanced, classCount: 2, metaCount: 40, trainingLimit: 100, seed: 5)
        let again = try MetaSetSplit(labels: Self.imbalanced, classCount: 2, metaCount: 40, trainingLimit: 100, seed: 5)
        let other = try MetaSetSplit(labels: Self.imbalanced, classCount: 2, metaCount: 40, trainingLimit: 100, seed: 6)
        #expect(first == again)
        #expect(first.metaIndices != other.metaIndices)
        #expect(first.trainingIndices.count == 100)
        #expect(Set(first.metaIndices).isDisjoint(with: first.trainingIndices))
    }

    @Test("balanced classes: the reference's equal shares (1,000 of CIFAR-10-like labels → 100 per class)")
    func balancedShares() throws {
        let labels: [Int32] = (0..<5000).map { Int32($0 % 10) }
        let split = try MetaSetSplit(labels: labels, classCount: 10, metaCount: 1000, trainingLimit: nil, seed: 0)
        for label in 0..<10 { #expect(split.metaIndices.filter { labels[$0] == label }.count == 100) }
        #expect(split.trainingIndices.count == 4000)
    }

    @Test("bad settings are refused, naming the setting")
    func invalid() {
        func name(_ labels: [Int32], metaCount: Int, trainingLimit: Int?) -> String? {
            do {
                _ = try MetaSetSplit(
                    labels: labels, classCount: 2, metaCount: metaCount, trainingLimit: trainingLimit, seed: 0)
                return nil
            } catch {
                if case let .invalidSetting(name, _, _) = error { return name }
                return "\(error)"
            }
        }
        #expect(name(Self.imbalanced, metaCount: 1, trainingLimit: nil) == "meta-set-size")
        #expect(name(Self.imbalanced, metaCount: 400, trainingLimit: nil) == "meta-set-size")
        #expect(name(Self.imbalanced, metaCount: 40, trainingLimit: 0) == "training-examples")
        #expect(name([0, 1, 2], metaCount: 2, trainingLimit: nil) == "labels")
    }

    /// A synthetic Adult-shaped problem (108 features, 2 classes, label = sign of a fixed projection):
    /// generated from a seeded generator, so it exercises the whole run without the dataset.
    static func syntheticData() -> TaskData {
        var generator = Xoshiro256StarStar(seed: 77, stream: [])
        func table(_ count: Int) -> TabularDataset {
            var features: [Float] = [], labels: [Int32] = []
            for _ in 0..<count {
                let row = (0..<108).map { _ in Float(generator.uniformUnit() * 2 - 1) }
                features += row
                labels.append(row[0] + 0.5 * row[1] - row[2] > 0 ? 1 : 0)
            }
            return TabularDataset(
                features: features, labels: labels, featureNames: (0..<108).map { "x\($0)" },
                classNames: ["0", "1"])
        }
        return TaskData(tables: table(600), validation: table(100), test: table(0))
    }

    @Test(
        "a run is bit-identical for the same seed, makes ⌈n/B⌉ iterations per epoch and meta-updates every K",
        .exclusiveEngineThreadCount)
    func runDeterminism() throws {
        let data = Self.syntheticData()
        let configuration = MetaTrainingConfiguration(
            task: .adultMLP, epochs: 2, seed: 3, metaSetSize: 64, trainingExamples: 300,
            settings: MLRSNetMetaTrainingSettings(metaInterval: 2), metaBatchSize: 32)
        let first = try MLRSNetMetaTraining.run(configuration, data: data)
        let second = try MLRSNetMetaTraining.run(configuration, data: data)
        #expect(first.weights == second.weights)
        #expect(first.epochs == second.epochs)
        // 300 examples in batches of 128 (adult-mlp) → 3 iterations per epoch; positions 0, 1, 2 with
        // (p + 1) % 2 == 0 → one meta-update per epoch.
        #expect(first.iterations == 6)
        #expect(first.metaUpdates == 2)
        #expect(first.trainingCount == 300 && first.metaCount == 64)
        // The meta-updates moved θ away from its initialisation (stream [105] of the seed).
        var generator = Xoshiro256StarStar(seed: 3, stream: [105])
        #expect(first.weights != DifferentiableMLRSNet.initialWeights(using: &generator))
        // γ = √L₀·ln(2L₀)/(4·2^¼) from the recorded L₀ (the meta-training rule, docs/mlrsnet.md).
        expectClose(
            first.scale, first.initialLoss.squareRoot() * log(2 * first.initialLoss) / (4 * pow(2, 0.25)),
            relativeTolerance: 1e-12)
        let other = try MLRSNetMetaTraining.run(
            MetaTrainingConfiguration(
                task: .adultMLP, epochs: 2, seed: 4, metaSetSize: 64, trainingExamples: 300,
                settings: MLRSNetMetaTrainingSettings(metaInterval: 2), metaBatchSize: 32),
            data: data)
        #expect(other.weights != first.weights)
    }

    @Test("text tasks are refused with a typed error")
    func unsupportedTask() {
        #expect(throws: MetaTrainingError.self) {
            _ = try MLRSNetMetaTraining.run(
                MetaTrainingConfiguration(task: .sst2BiLSTM, epochs: 1, seed: 0),
                data: Self.syntheticData())
        }
    }

    @Test("provenance names task, budget, seed, code version, date and command")
    func provenance() throws {
        let data = Self.syntheticData()
        let configuration = MetaTrainingConfiguration(
            task: .adultMLP, epochs: 1, seed: 2, metaSetSize: 64,
            trainingExamples: 128, settings: .init(metaInterval: 1))
        let result = try MLRSNetMetaTraining.run(configuration, data: data)
        let fields = MetaTrainingProvenance.fields(
            configuration: configuration, result: result,
            codeVersion: CodeVersion(package: "0.1.0", commit: String(repeating: "a", count: 40), dirty: false),
            date: Date(timeIntervalSince1970: 0), command: "glidepath meta-train --task adult-mlp")
        #expect(fields["task"] == "adult-mlp")
        #expect(fields["epochs"] == "1" && fields["seed"] == "2" && fields["iterations"] == "1")
        #expect(fields["gitCommit"] == String(repeating: "a", count: 40))
        #expect(fields["date"] == "1970-01-01T00:00:00Z")
        #expect(fields["command"] == "glidepath meta-train --task adult-mlp")
        // The writer and reader agree: provenance is skipped, the weights come back bit for bit.
        let reread = try MLRSNetWeights(jsonData: result.weights.jsonData(provenance: fields))
        #expect(reread == result.weights)
    }

    @Test(
        "real Adult: a short run on the real training part",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func realAdult() throws {
        let directory = try TestEnvironment.requireDataDirectory()
        let data = try MLRSNetMetaTraining.loadData(for: .adultMLP, dataDirectory: directory.path)
        // Adult: 32,561 training rows, 10% validation (round(3256.1) = 3,256) → 29,305 (docs/tasks.md).
        #expect(data.train.count == 29_305 && data.validation.count == 3_256)
        let result = try MLRSNetMetaTraining.run(
            MetaTrainingConfiguration(
                task: .adultMLP, epochs: 1, seed: 0, metaSetSize: 256, trainingExamples: 1024,
                settings: .init(metaInterval: 4)),
            data: data)
        #expect(result.iterations == 8 && result.metaUpdates == 2)
        // The untrained two-class loss is near ln 2 ≈ 0.693, and γ(L₀) > 0 there.
        #expect(result.initialLoss > 0.5 && result.initialLoss < 1.0 && result.scale > 0)
        #expect(result.epochs.count == 1 && result.epochs[0].validationAccuracy > 0.5)
    }
}
