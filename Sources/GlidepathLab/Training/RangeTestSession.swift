import Foundation
import Glidepath
import GlidepathData
import GlidepathNN
import GlidepathTensor

/// What `glidepath lr-find` runs: an LR range test of a task's model and optimizer on its training data.
public struct RangeTestRequest: Sendable {
    public var task: TrainingTask
    /// The optimizer; nil = the task's (``TaskSpecification/optimizer``). Its own rate is replaced by the
    /// test's.
    public var optimizer: OptimizerConfiguration?
    public var test: LearningRateRangeTest.Configuration
    /// Seed of the initialisation and the batch order (the same as `glidepath train --seed`).
    public var seed: UInt64
    public var dataDirectory: String
    public var threads: Int
    public var trainingLimit: Int?
    /// Which N examples `trainingLimit` keeps (``SubsetSampling``): the first N unless set (a study sets
    /// its plan's).
    public var subsetSampling: SubsetSampling = .first
    public var trainingBatches: [Int]?

    public init(
        task: TrainingTask, optimizer: OptimizerConfiguration? = nil,
        test: LearningRateRangeTest.Configuration = .init(),
        seed: UInt64 = 0, dataDirectory: String, threads: Int = 1, trainingLimit: Int? = nil,
        trainingBatches: [Int]? = nil
    ) {
        self.task = task
        self.optimizer = optimizer
        self.test = test
        self.seed = seed
        self.dataDirectory = dataDirectory
        self.threads = threads
        self.trainingLimit = trainingLimit
        self.trainingBatches = trainingBatches
    }
}

/// The record and suggestions of one range test, as `glidepath lr-find --json` prints them.
public struct RangeTestReport: Codable, Equatable, Sendable {
    public var task: TrainingTask
    public var seed: UInt64
    public var optimizer: OptimizerConfiguration
    public var test: LearningRateRangeTest.Configuration
    public var batchSize: Int
    /// Updates per epoch of the training split; the test moves on to the next epoch's order after it.
    public var updatesPerEpoch: Int
    public var rates: [Double]
    public var losses: [Double]
    public var smoothedLosses: [Double]
    public var ending: LearningRateRangeTest.Ending
    public var suggestions: RangeTestSuggestions
}

/// Runs ``RangeTestRequest``s.
///
/// The model is the task's, initialised from the seed as `glidepath train` does; batch i is batch
/// `i mod B` of epoch `⌊i/B⌋` in the training loop's shuffled order, so a test sees the batches a run
/// of the same seed would (torch-lr-finder's `TrainDataLoaderIter` restarts the loader the same way).
/// Model and optimizer are restored when the test ends. Nothing is recorded in a run store.
public enum RangeTestSession {
    /// - Throws: ``TrainingError`` for a bad task, optimizer or test configuration (naming the field),
    ///   missing data, or a batch the model cannot read.
    public static func run(_ request: RangeTestRequest) throws(TrainingError) -> RangeTestReport {
        let specification = request.task.specification
        var test: LearningRateRangeTest
        do { test = try LearningRateRangeTest(request.test) } catch { throw .invalidConfiguration("lr-find: \(error)") }
        let settings = (request.optimizer ?? specification.optimizer)
            .resolvingScope(specification.optimizer.weightDecayScope ?? .all)
        do { try settings.validate() } catch { throw .task(error) }
        try TrainingSession.setThreads(request.threads)
        let data = try TaskData.load(
            task: request.task, dataDirectory: request.dataDirectory,
            trainingLimit: request.trainingLimit, evaluationLimit: 1,
            trainingBatches: request.trainingBatches, sampling: request.subsetSampling)
        var generator = SeededGenerator(seed: request.seed)
        let model = try TaskModelFactory.makeModel(specification.model, using: &generator)
        let optimizer = try settings.makeOptimizer(for: model)
        let loader: DataLoader<AnyTrainingBatchSource>
        let lossFunction: CrossEntropyLoss
        do {
            loader = DataLoader(
                source: AnyTrainingBatchSource(data.train),
                options: try BatchingOptions(
                    batchSize: specification.batchSize, shuffle: true,
                    seed: request.seed))
            lossFunction = try CrossEntropyLoss()
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        let perEpoch = loader.batchesPerEpoch
        try test.run(module: model.module, optimizer: optimizer) { (iteration) throws(TrainingError) -> Double in
            let batch = loader.batch(epoch: iteration / perEpoch, index: iteration % perEpoch)
            let logits = try model.logits(batch)
            let loss: Tensor
            do { loss = try lossFunction(logits, batch.labels) } catch { throw .invalidBatch("\(error)") }
            loss.backward()
            return Double(loss.scalar)
        }
        return RangeTestReport(
            task: request.task, seed: request.seed, optimizer: settings, test: request.test,
            batchSize: specification.batchSize, updatesPerEpoch: perEpoch, rates: test.rates, losses: test.losses,
            smoothedLosses: test.smoothedLosses, ending: test.ending ?? .completed, suggestions: test.suggestions)
    }
}
