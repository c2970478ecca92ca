import Foundation
import Glidepath
import GlidepathData
import Testing

@testable import GlidepathLab

@Suite("Task catalogue")
struct TaskCatalogueTests {
    @Test("names, batch sizes, budgets and datasets are the study's (docs/tasks.md)")
    func catalogue() throws {
        let rows = TrainingTask.allCases.map { ($0.rawValue, $0.specification.batchSize, $0.specification.epochBudget) }
        #expect(
            rows.map(\.0) == [
                "mnist-cnn", "cifar10-cnn", "imdb-bilstm", "sst2-bilstm", "adult-mlp", "fashion-mnist-cnn",
            ])
        #expect(rows.map(\.1) == [64, 64, 32, 32, 128, 64])
        #expect(rows.map(\.2) == [50, 50, 20, 20, 30, 30])
        #expect(TrainingTask.allCases.map(\.specification.isBinary) == [false, false, true, true, true, false])
        #expect(TrainingTask.sst2BiLSTM.specification.testSplit == .officialDevelopment)
        for task in TrainingTask.allCases {
            // The study's Adam everywhere; the text tasks exempt the embedding and biases from decay.
            let isText = task == .imdbBiLSTM || task == .sst2BiLSTM
            #expect(task.specification.optimizer == (isText ? OptimizerConfiguration.studyText : .study))
            #expect(task.specification.validationSplit == ValidationHoldout(fraction: 0.1, seed: 0))
            #expect(try TrainingTask(named: task.rawValue) == task)
        }
        #expect(throws: TaskError.unknownTask("mnist")) { try TrainingTask(named: "mnist") }
        #expect(TaskError.unknownTask("mnist").description.contains("fashion-mnist-cnn"))
        // round(0.1 · 60000) = 6000 validation images for MNIST; round(0.1 · 32561) = round(3256.1) = 3256 for Adult;
        // round(0.5 · 5) = round(2.5) = 3 (halves away from zero, as GlidepathData's split).
        #expect(ValidationHoldout(fraction: 0.1, seed: 0).validationCount(of: 60_000) == 6_000)
        #expect(ValidationHoldout(fraction: 0.1, seed: 0).validationCount(of: 32_561) == 3_256)
        #expect(ValidationHoldout(fraction: 0.5, seed: 0).validationCount(of: 5) == 3)
    }

    @Test("parameter counts equal the PyTorch peer's (docs/engine.md) and the MNIST variant's by hand")
    func parameterCounts() {
        // docs/engine.md, "Design measurements", computed with sum(p.numel()) in PyTorch.
        #expect(ModelArchitecture.convolutional(.color32).parameterCount == 1_070_794)
        #expect(ModelArchitecture.recurrent(.imdb).parameterCount == 2_236_034)
        #expect(ModelArchitecture.perceptron(.adult).parameterCount == 61_058)
        // MNIST: conv1 1·32·9 + 32 = 320; conv2 32·64·9 + 64 = 18,496; fc1 3136·256 + 256 = 803,072;
        // fc2 256·10 + 10 = 2,570; total 824,458. 28 → 14 → 7, so fc1 has 64·7·7 = 3136 inputs (docs/tasks.md, "The
        // study plan").
        #expect(ConvolutionalNetwork.grayscale28.flattenedFeatures == 3136)
        #expect(ModelArchitecture.convolutional(.grayscale28).parameterCount == 824_458)
        // SST-2 differs from IMDB only in sequence length, which has no parameters.
        #expect(ModelArchitecture.recurrent(.sst2).parameterCount == 2_236_034)
    }

    @Test("optimizer defaults and validation")
    func optimizers() throws {
        let adam = try #require(OptimizerConfiguration.study.parameters as? AdamConfiguration)
        #expect(adam.learningRate == 1e-3 && adam.weightDecay == 5e-4 && adam.group.weightDecayMode == .coupled)
        #expect(AdamWConfiguration().group.weightDecayMode == .decoupled && AdamWConfiguration().weightDecay == 5e-4)
        #expect(SGDConfiguration().momentum == 0.9 && SGDConfiguration().learningRate == 1e-2)
        for type in OptimizerRegistry.types {
            #expect(throws: Never.self) { try OptimizerConfiguration(.object([:]), named: type.name).validate() }
        }
        let bad = try OptimizerConfiguration(.object(["learningRate": .int(-1)]), named: "adam")
        #expect(
            throws: TaskError.invalidOptimizerSetting(
                name: "optimizer.learningRate", value: "-1.0",
                reason: "must be finite and ≥ 0")
        ) { try bad.validate() }
        let nesterov = try OptimizerConfiguration(
            .object(["nesterov": .bool(true), "momentum": .int(0)]), named: "sgd")
        #expect(throws: TaskError.self) { try nesterov.validate() }
        #expect(
            OptimizerConfiguration.Name.allCases.map(\.rawValue) == [
                "adam", "adamw", "sgd", "scheduleFreeAdamW",
                "scheduleFreeSGD", "prodigy", "dog", "ldog", "dAdaptAdam", "dAdaptSGD",
            ])
    }

    @Test("run configuration: task defaults, overrides, validation, JSON round-trip")
    func configuration() throws {
        let configuration = RunConfiguration(
            task: .imdbBiLSTM, scheduler: "dlrs", schedulerConfiguration: .object([:]),
            seed: 3, dataDirectory: "/d", threads: 2)
        #expect(
            configuration.epochs == 20 && configuration.batchSize == 32
                && configuration.optimizer == OptimizerConfiguration.studyText)
        try configuration.validate()
        #expect(try RunConfiguration.decode(json: configuration.json()) == configuration)
        var bad = configuration
        bad.epochs = 0
        #expect(throws: TaskError.invalidConfiguration(field: "epochs", value: "0", reason: "must be ≥ 1")) {
            try bad.validate()
        }
        bad = configuration
        bad.targetValidationLoss = .nan
        #expect(throws: TaskError.self) { try bad.validate() }
        #expect(throws: TaskError.self) { try RunConfiguration.decode(json: "{\"task\":\"nope\"}") }
    }

    @Test("the --json result record: exact keys, explicit nulls, non-finite values as strings")
    func resultRecord() throws {
        let record = RunResultRecord(
            runId: "20261123-071749-0001", task: .fashionMNISTCNN, scheduler: "cosine", seed: 0,
            epochs: 2, status: .diverged, testLoss: .nan, testAccuracy: 0.5, testF1: 0.25,
            testAUC: nil, bestValLoss: 0.75, epochsToTarget: nil, secondsToTarget: nil,
            trainSeconds: 12.5, evaluationSeconds: 1)
        #expect(
            record.jsonLine() == """
                {"bestValLoss":0.75,"epochs":2,"epochsToTarget":null,"evaluationSeconds":1,"runId":"20261123-071749-0001",\
                "scheduler":"cosine","secondsToTarget":null,"seed":0,"status":"diverged","task":"fashion-mnist-cnn",\
                "testAUC":null,"testAccuracy":0.5,"testF1":0.25,"testLoss":"NaN","trainSeconds":12.5}
                """)
        let decoded = try StateCoding.decoder().decode(RunResultRecord.self, from: Data(record.jsonLine().utf8))
        #expect(decoded.testLoss.isNaN)
        #expect(decoded.jsonLine() == record.jsonLine())
    }
}
