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

    public init(
        task: TrainingTask, epochs: Int, seed: UInt64, metaSetSize: Int = 1000, trainingExamples: Int? = nil,
        settings: MLRSNetMetaTrainingSettings = MLRSNetMetaTrainingSettings(), metaBatchSize: Int = 128
    ) {
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

/// A complete MLR-SNet meta-training run on one of the lab's tasks (`glidepath meta-train`), on the
/// lab's own parts: the task's data as training runs read it (``TaskData``), its model
/// (``TaskModelFactory``), the training loop (``TrainingPass``), the loader (`DataLoader`) and the
/// evaluation (``Evaluation``).
///
/// 1. Carve the meta set and the training subset from the task's training part with ``MetaSetSplit``
///    (disjoint; validation and test untouched).
/// 2. Build the task model (PyTorch default initialisation, generator stream `[104]` of the seed) and
///    the meta-net (PyTorch default `Linear` initialisation, stream `[105]`).
/// 3. L₀ = mean cross-entropy of the untrained model over the training subset, in evaluation mode
///    (``Evaluation``: per example in `Double` from the logits); γ = √L₀·ln(L₀·C)/(4·C^(1/4)), the
///    meta-training rule (``MLRSNetScaleRule/absoluteReferenceScale(loss:classCount:)``, fixed for the
///    run). L₀ ≤ 1/C, where the reference's unsigned rule would give a rate ≤ 0, is refused.
/// 4. Every epoch: the training subset through the training loop in a fresh seeded order (loader stream
///    `[102, epoch]`), batches of the task's batch size, each followed by one
///    ``MLRSNetMetaTrainer/update(trainingLoss:position:metaBatch:)``; meta batches cycle through the meta
///    set, reshuffled each pass (loader stream `[103, pass]`). After each epoch, loss and accuracy on the
///    validation set.
///
/// Reference: Shu et al., TPAMI 2022, arXiv:2007.14546, Algorithm 1; GitHub xjtushujun/MLR-SNet @5d1eec4,
/// `meta-train/`; `docs/mlrsnet.md`, "Meta-training our own net".
public enum MLRSNetMetaTraining {
    /// The generator streams of a run's seed (``SeededGenerator/init(seed:stream:)``).
    enum Stream {
        static let trainingOrder: UInt64 = 102
        static let metaOrder: UInt64 = 103
        static let model: UInt64 = 104
        static let net: UInt64 = 105
    }

    /// Throws unless `task` can be meta-trained: its model family must have a plain tensor input (the CNN
    /// and the MLP; the BiLSTM's token batches have no meta-trainer).
    public static func requireSupported(_ task: TrainingTask) throws(MetaTrainingError) {
        if case .recurrent = task.specification.model {
            throw .unsupportedTask(task.rawValue, reason: "meta-training supports the image and tabular tasks only")
        }
    }

    /// The task's data exactly as a training run reads it (``TaskData``): the training part and the
    /// validation set, carved with the task's fixed holdout.
    ///
    /// - Throws: ``MetaTrainingError/unsupportedTask(_:reason:)`` for the text tasks (before any file is
    ///   read), ``MetaTrainingError/data(_:)`` when reading fails.
    public static func loadData(for task: TrainingTask, dataDirectory: String) throws(MetaTrainingError) -> TaskData {
        try requireSupported(task)
        do {
            return try TaskData.load(task: task, dataDirectory: dataDirectory)
        } catch {
            throw .data("\(error)")
        }
    }

    /// Meta-trains a net on `data` (``loadData(for:dataDirectory:)``, or any ``TaskData`` of the task's
    /// shape), calling `progress` after every epoch. Same configuration and data → bit-identical result.
    ///
    /// - Throws: ``MetaTrainingError`` naming the setting, or the epoch and batch where training failed.
    public static func run(
        _ configuration: MetaTrainingConfiguration, data: TaskData,
        progress: (MetaTrainingEpochSummary) -> Void = { _ in }
    ) throws(MetaTrainingError) -> MetaTrainingResult {
        try configuration.validate()
        try requireSupported(configuration.task)
        let specification = configuration.task.specification
        let classCount = specification.classCount
        let seed = configuration.seed
        let split = try MetaSetSplit(
            labels: data.train.labels, classCount: classCount,
            metaCount: configuration.metaSetSize,
            trainingLimit: configuration.trainingExamples, seed: seed)
        let trainingSet = SubsetSource(data.train, indices: split.trainingIndices)
        let metaSet = SubsetSource(data.train, indices: split.metaIndices)

        var modelGenerator = Xoshiro256StarStar(seed: seed, stream: [Stream.model])
        let model: any TaskModel
        let pass: TrainingPass
        do {
            model = try TaskModelFactory.makeModel(specification.model, using: &modelGenerator)
            pass = try TrainingPass(model: model)
        } catch {
            throw .training("building the model: \(error)")
        }
        guard let layers = model.module as? any Layer else {
            throw .unsupportedTask(configuration.task.rawValue, reason: "its model is not one tensor-to-tensor layer")
        }
        var netGenerator = Xoshiro256StarStar(seed: seed, stream: [Stream.net])
        let net = DifferentiableMLRSNet(
            weights: DifferentiableMLRSNet.initialWeights(using: &netGenerator),
            convention: configuration.settings.convention)

        let initialLoss = try evaluate(model, on: trainingSet, classCount: classCount).loss
        guard initialLoss.isFinite, initialLoss * Double(classCount) > 1 else {
            throw .training("γ(L₀) for L₀ = \(initialLoss): the untrained loss must exceed 1/C = 1/\(classCount)")
        }
        let scale = MLRSNetScaleRule.absoluteReferenceScale(loss: initialLoss, classCount: classCount)
        let trainer: MLRSNetMetaTrainer
        do {
            trainer = try MLRSNetMetaTrainer(model: layers, net: net, scale: scale, settings: configuration.settings)
        } catch {
            throw .training("\(error)")
        }

        var trainingLoader: DataLoader<AnyTrainingBatchSource>
        var metaLoader: DataLoader<AnyTrainingBatchSource>
        do {
            trainingLoader = DataLoader(
                source: AnyTrainingBatchSource(trainingSet),
                options: try BatchingOptions(batchSize: specification.batchSize, shuffle: true, seed: seed),
                streams: LoaderStreams(order: Stream.trainingOrder))
            metaLoader = DataLoader(
                source: AnyTrainingBatchSource(metaSet),
                options: try BatchingOptions(batchSize: configuration.metaBatchSize, shuffle: true, seed: seed),
                streams: LoaderStreams(order: Stream.metaOrder))
        } catch {
            throw .training("\(error)")
        }
        // The meta set's next batch; a pass that ends starts the next, reshuffled (as the reference restarts
        // its shuffled meta loader when it is exhausted). The meta set holds at least one example per class.
        func nextMetaBatch() -> LabelledBatch {
            guard let batch = metaLoader.next() ?? metaLoader.next() else {
                preconditionFailure("MLRSNetMetaTraining: an empty meta set")
            }
            return labelled(batch)
        }

        var summaries: [MetaTrainingEpochSummary] = []
        var metaUpdates = 0
        for epoch in 0..<configuration.epochs {
            trainingLoader.position = LoaderPosition(epoch: epoch, batch: 0)
            var lossSum = 0.0, metaLossSum = 0.0, epochMetaUpdates = 0
            var rates: [Double] = []
            var failure: MetaTrainingError?
            model.module.setTraining(true)
            do {
                _ = try pass.run(&trainingLoader) { step throws(TrainingError) -> TrainingPass.Continuation in
                    do throws(NNError) {
                        let loss = Float(step.loss)
                        guard loss.isFinite else {
                            throw .invalidInput(
                                name: "training loss", value: "\(loss)",
                                reason: "is not finite: the run diverged")
                        }
                        let record = try trainer.update(trainingLoss: loss, position: step.index) { nextMetaBatch() }
                        layers.clearGradients()
                        lossSum += Double(record.loss)
                        rates.append(record.learningRate)
                        if let metaLoss = record.metaLoss {
                            metaLossSum += Double(metaLoss)
                            epochMetaUpdates += 1
                        }
                        return .next
                    } catch {
                        failure = .training("epoch \(epoch + 1), batch \(step.index + 1): \(error)")
                        return .stop
                    }
                }
            } catch {
                throw .training("epoch \(epoch + 1): \(error)")
            }
            if let failure { throw failure }
            metaUpdates += epochMetaUpdates
            guard net.isFinite else {
                throw .training("the meta-net's parameters became non-finite in epoch \(epoch + 1)")
            }
            let validation = try evaluate(model, on: data.validation, classCount: classCount)
            let summary = MetaTrainingEpochSummary(
                epoch: epoch + 1, meanTrainingLoss: lossSum / Double(max(rates.count, 1)),
                firstLearningRate: rates.first ?? 0, lastLearningRate: rates.last ?? 0,
                meanMetaLoss: epochMetaUpdates > 0 ? metaLossSum / Double(epochMetaUpdates) : nil,
                metaUpdates: epochMetaUpdates, validationLoss: validation.loss, validationAccuracy: validation.accuracy)
            summaries.append(summary)
            progress(summary)
        }
        return MetaTrainingResult(
            weights: net.weights, scale: scale, initialLoss: initialLoss,
            trainingCount: split.trainingIndices.count, metaCount: split.metaIndices.count,
            iterations: trainer.iteration, metaUpdates: metaUpdates, epochs: summaries)
    }

    /// The lab's evaluation (``Evaluation``), its errors as meta-training's.
    static func evaluate(_ model: any TaskModel, on source: any TrainingBatchSource, classCount: Int)
        throws(MetaTrainingError) -> EvaluationResult
    {
        do { return try Evaluation.evaluate(model, on: source, classCount: classCount) } catch {
            throw .training("evaluation: \(error)")
        }
    }

    /// A loader batch as the meta-trainer's tensor batch: images `[N, C, H, W]` or feature rows `[N, F]`
    /// (token batches have no meta-trainer, ``requireSupported(_:)``).
    static func labelled(_ batch: TrainingBatch) -> LabelledBatch {
        let values: [Float], shape: [Int]
        switch batch.inputs {
        case let .images(features, imageShape): (values, shape) = (features, imageShape)
        case let .features(features, featureShape): (values, shape) = (features, featureShape)
        case .tokens: preconditionFailure("MLRSNetMetaTraining: a token batch (the task was not checked)")
        }
        let inputs = Tensor.make(shape: shape) { buffer in
            for index in buffer.indices { buffer[index] = values[index] }
        }
        return LabelledBatch(inputs: inputs, labels: batch.labels)
    }
}
