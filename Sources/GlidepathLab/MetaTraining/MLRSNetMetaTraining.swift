import Foundation
import Glidepath
import GlidepathData
import GlidepathMLRSNet
import GlidepathNN
import GlidepathTensor

/// Everything that determines a meta-training run (with the data, the seed fixes it bit for bit).
public struct MetaTrainingConfiguration: Sendable, Equatable {
    public var task: TrainingTask
    /// Epochs over the training subset, ≥ 1.
    public var epochs: Int
    public var seed: UInt64
    /// M, the size of the meta set carved from the training part (reference: 1,000).
    public var metaSetSize: Int
    /// The most training examples per epoch (`nil`: all of the training part outside the meta set).
    public var trainingExamples: Int?
    public var settings: MLRSNetMetaTrainingSettings
    /// The meta set's minibatch size (reference: 128).
    public var metaBatchSize: Int

    public init(task: TrainingTask, epochs: Int, seed: UInt64, metaSetSize: Int = 1000, trainingExamples: Int? = nil,
                settings: MLRSNetMetaTrainingSettings = MLRSNetMetaTrainingSettings(), metaBatchSize: Int = 128) {
        self.task = task
        self.epochs = epochs
        self.seed = seed
        self.metaSetSize = metaSetSize
        self.trainingExamples = trainingExamples
        self.settings = settings
        self.metaBatchSize = metaBatchSize
    }

    func validate() throws(MetaTrainingError) {
        guard epochs >= 1 else { throw .invalidSetting(name: "epochs", value: "\(epochs)", reason: "must be ≥ 1") }
        guard settings.metaInterval >= 1 else {
            throw .invalidSetting(name: "meta-interval", value: "\(settings.metaInterval)", reason: "must be ≥ 1")
        }
        guard metaBatchSize >= 1 else {
            throw .invalidSetting(name: "meta-batch-size", value: "\(metaBatchSize)", reason: "must be ≥ 1")
        }
    }
}

/// Per-epoch summary of a meta-training run.
public struct MetaTrainingEpochSummary: Sendable, Equatable {
    public var epoch: Int
    /// Mean minibatch training loss over the epoch.
    public var meanTrainingLoss: Double
    public var firstLearningRate: Double
    public var lastLearningRate: Double
    /// Mean meta-loss over the epoch's meta-updates (nil without any).
    public var meanMetaLoss: Double?
    public var metaUpdates: Int
    public var validationLoss: Double
    public var validationAccuracy: Double
}

/// The outcome: the meta-trained weights and what happened.
public struct MetaTrainingResult: Sendable {
    public var weights: MLRSNetWeights
    /// γ = γ(L₀), the meta-training scale.
    public var scale: Double
    /// L₀, the mean training loss of the untrained model (evaluation mode) over the training subset.
    public var initialLoss: Double
    public var trainingCount: Int
    public var metaCount: Int
    public var iterations: Int
    public var metaUpdates: Int
    public var epochs: [MetaTrainingEpochSummary]
}

/// A complete MLR-SNet meta-training run on one of the lab's tasks (`glidepath meta-train`).
///
/// 1. Read the task's data; carve the meta set and the training subset from the training part with
///    ``MetaSetSplit`` (disjoint; validation and test untouched).
/// 2. Build the task model (PyTorch default initialisation, generator stream `[104]` of the seed) and
///    the meta-net (PyTorch default `Linear` initialisation, stream `[105]`).
/// 3. L₀ = mean cross-entropy of the untrained model over the training subset, in evaluation mode;
///    γ = √L₀·ln(L₀·C)/(4·C^(1/4)), the meta-training rule (fixed for the run, no absolute value:
///    L₀ ≤ 1/C is refused instead of giving a negative rate).
/// 4. Every epoch: the training subset in a fresh seeded order (stream `[102, epoch]`), batches of the
///    task's batch size, one ``MLRSNetMetaTrainer`` iteration each; meta batches cycle through the meta
///    set, reshuffled each pass (stream `[103, pass]`). After each epoch, loss and accuracy on the
///    validation set.
///
/// Reference: `shared/reference/mlrsnet.md` §5 (GitHub xjtushujun/MLR-SNet @5d1eec4, `meta-train/`).
public enum MLRSNetMetaTraining {
    public static func run(
        _ configuration: MetaTrainingConfiguration, data: MetaTaskData,
        progress: (MetaTrainingEpochSummary) -> Void = { _ in }
    ) throws(MetaTrainingError) -> MetaTrainingResult {
        try configuration.validate()
        let specification = configuration.task.specification
        let classCount = specification.classCount
        let split = try MetaSetSplit(labels: data.trainingPart.labels, classCount: classCount,
                                     metaCount: configuration.metaSetSize,
                                     trainingLimit: configuration.trainingExamples, seed: configuration.seed)
        var modelGenerator = Xoshiro256StarStar(seed: configuration.seed, stream: [104])
        let model = try MetaTaskModel.make(specification.model, taskName: configuration.task.rawValue,
                                           using: &modelGenerator)
        var netGenerator = Xoshiro256StarStar(seed: configuration.seed, stream: [105])
        let net = DifferentiableMLRSNet(weights: DifferentiableMLRSNet.initialWeights(using: &netGenerator),
                                        convention: configuration.settings.convention)

        let batchSize = specification.batchSize
        let initialLoss = try evaluate(model, on: data.trainingPart, indices: split.trainingIndices,
                                       batchSize: batchSize).loss
        let classes = Double(classCount)
        let scale = initialLoss.squareRoot() * Foundation.log(initialLoss * classes) / (4 * Foundation.pow(classes, 0.25))
        guard scale.isFinite, scale > 0 else {
            throw .training("γ(L₀) = \(scale) for L₀ = \(initialLoss): the untrained loss must exceed 1/C")
        }
        let trainer: MLRSNetMetaTrainer
        do {
            trainer = try MLRSNetMetaTrainer(model: model, net: net, scale: scale, settings: configuration.settings)
        } catch {
            throw .training("\(error)")
        }

        var metaCycle = MetaBatchCycle(indices: split.metaIndices, batchSize: configuration.metaBatchSize,
                                       seed: configuration.seed)
        var summaries: [MetaTrainingEpochSummary] = []
        var metaUpdates = 0
        for epoch in 0..<configuration.epochs {
            var generator = Xoshiro256StarStar(seed: configuration.seed, stream: [102, UInt64(epoch)])
            var order = split.trainingIndices
            generator.shuffle(&order)
            var lossSum = 0.0, metaLossSum = 0.0, epochMetaUpdates = 0
            var rates: [Double] = []
            model.setTraining(true)
            for (position, indices) in data.trainingPart.batches(in: order, batchSize: batchSize).enumerated() {
                let record: MetaTrainingStepRecord
                do {
                    record = try trainer.step(on: data.trainingPart.batch(indices), position: position) {
                        data.trainingPart.batch(metaCycle.next())
                    }
                } catch {
                    throw .training("epoch \(epoch + 1), batch \(position + 1): \(error)")
                }
                lossSum += Double(record.loss)
                rates.append(record.learningRate)
                if let metaLoss = record.metaLoss {
                    metaLossSum += Double(metaLoss)
                    epochMetaUpdates += 1
                }
            }
            metaUpdates += epochMetaUpdates
            guard net.isFinite else { throw .training("the meta-net's parameters became non-finite in epoch \(epoch + 1)") }
            let validation = try evaluate(model, on: data.validation, indices: Array(0..<data.validation.count),
                                          batchSize: 1000)
            let summary = MetaTrainingEpochSummary(
                epoch: epoch + 1, meanTrainingLoss: lossSum / Double(max(rates.count, 1)),
                firstLearningRate: rates.first ?? 0, lastLearningRate: rates.last ?? 0,
                meanMetaLoss: epochMetaUpdates > 0 ? metaLossSum / Double(epochMetaUpdates) : nil,
                metaUpdates: epochMetaUpdates, validationLoss: validation.loss, validationAccuracy: validation.accuracy)
            summaries.append(summary)
            progress(summary)
        }
        return MetaTrainingResult(weights: net.weights, scale: scale, initialLoss: initialLoss,
                                  trainingCount: split.trainingIndices.count, metaCount: split.metaIndices.count,
                                  iterations: trainer.iteration, metaUpdates: metaUpdates, epochs: summaries)
    }

    /// Mean cross-entropy and accuracy of `model` on `indices` of `table`, in evaluation mode without
    /// gradients (restores training mode afterwards). An empty set gives NaN loss.
    static func evaluate(_ model: any Layer, on table: ExampleTable, indices: [Int], batchSize: Int)
        throws(MetaTrainingError) -> (loss: Double, accuracy: Double)
    {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let lossFunction: CrossEntropyLoss
        do { lossFunction = try CrossEntropyLoss(reduction: .sum) } catch { throw .training("\(error)") }
        var total = 0.0, correct = 0
        for chunk in table.batches(in: indices, batchSize: batchSize) {
            let batch = table.batch(chunk)
            do {
                try withoutGradients { () throws(NNError) in
                    let logits = model(batch.inputs)
                    total += Double(try lossFunction(logits, batch.labels).scalar)
                    let (_, predicted) = logits.max(alongAxis: 1, keepingDimension: false)
                    correct += zip(predicted, batch.labels).filter { $0 == $1 }.count
                }
            } catch {
                throw .training("evaluation: \(error)")
            }
        }
        let count = Double(indices.count)
        return (total / count, Double(correct) / count)
    }
}

/// Cycles through the meta set in minibatches, reshuffling at the start of every pass (the reference
/// restarts its shuffled meta loader when it is exhausted).
struct MetaBatchCycle {
    let indices: [Int]
    let batchSize: Int
    let seed: UInt64
    var pass = 0
    var batches: [[Int]] = []

    init(indices: [Int], batchSize: Int, seed: UInt64) {
        self.indices = indices
        self.batchSize = batchSize
        self.seed = seed
    }

    mutating func next() -> [Int] {
        if batches.isEmpty {
            var order = indices
            var generator = Xoshiro256StarStar(seed: seed, stream: [103, UInt64(pass)])
            generator.shuffle(&order)
            pass += 1
            batches = stride(from: 0, to: order.count, by: batchSize)
                .map { Array(order[$0..<min($0 + batchSize, order.count)]) }.reversed()
        }
        return batches.removeLast()
    }
}
