import Foundation
import GlidepathData

/// A task's three data sets as batch sources: the training part, the validation part (carved from the
/// official training split with the task's fixed seed) and the test split.
///
/// Reading follows `docs/tasks.md`: pixels scaled to [0, 1] (no mean subtraction, no augmentation);
/// text tokenized and indexed with a 20,000-entry vocabulary built from the training part only, cut or
/// padded to the model's sequence length; Adult encoded to 108 features with the encoder fitted on the
/// official training split. Limits (``RunConfiguration/trainingLimit``,
/// ``RunConfiguration/evaluationLimit``) keep N examples of a part: the first N in file order, or under
/// ``SubsetSampling/stratified`` the ``SubsetSample`` drawn from the task's split seed.
public struct TaskData: Sendable {
    public var train: any TrainingBatchSource
    public var validation: any TrainingBatchSource
    public var test: any TrainingBatchSource

    /// The directory the dataset was read from.
    public var directory: String

    /// Reads the task's dataset from `dataDirectory` (resolved with `DatasetCatalog.directory(for:in:)`).
    ///
    /// - Throws: ``TrainingError/data(_:)`` naming the file (a missing directory or file included).
    ///   - trainingBatches: for CIFAR-10, the training batch files to read (nil = all five; every listed
    ///     batch must be present).
    ///   - sampling: which N examples a limit keeps (``SubsetSampling``), for every limited part alike.
    ///   - cifarModel: for `cifar10-cnn`, the variant; ``CIFARModel/improved`` augments the training part's
    ///     images (``SeedAugmentation``), never validation or test.
    ///   - textPadding: for the text tasks, how far the training part's batches are padded (its
    ///     ``TextBatching/padding``); validation and test batches are always padded to their longest
    ///     text, which changes no result (the BiLSTM reads only real tokens) and saves the work.
    public static func load(
        task: TrainingTask, dataDirectory: String, trainingLimit: Int? = nil,
        evaluationLimit: Int? = nil, trainingBatches: [Int]? = nil,
        textPadding: TextPadding = .maximumLength, sampling: SubsetSampling = .first,
        cifarModel: CIFARModel = .standard
    ) throws(TrainingError) -> TaskData {
        let data = try read(
            task: task, dataDirectory: dataDirectory, trainingLimit: trainingLimit,
            evaluationLimit: evaluationLimit, trainingBatches: trainingBatches, textPadding: textPadding,
            sampling: sampling, cifarModel: cifarModel)
        // Every part is checked now, at setup: an empty test split (a 0-byte test file) would otherwise
        // surface only when the trained run is evaluated, after the store recorded it.
        for (part, source) in [("training", data.train), ("validation", data.validation), ("test", data.test)]
        where source.count == 0 {
            throw .data(
                DataError(
                    file: data.directory,
                    problem: .countMismatch(
                        "the \(part) part of \(task.specification.dataset.rawValue) has no examples")))
        }
        return data
    }

    private static func read(
        task: TrainingTask, dataDirectory: String, trainingLimit: Int?, evaluationLimit: Int?,
        trainingBatches: [Int]?, textPadding: TextPadding, sampling: SubsetSampling, cifarModel: CIFARModel
    ) throws(TrainingError) -> TaskData {
        let specification = task.specification
        let name = specification.dataset
        let directory = DatasetCatalog.directory(for: name, in: dataDirectory)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw .missingDataDirectory(dataset: name.rawValue, path: directory)
        }
        let holdout = specification.validationSplit
        func limited<D: LabelledDataset>(_ dataset: D, _ limit: Int?, _ part: SubsetSample.Part) -> D {
            guard let limit, limit < dataset.count else { return dataset }
            switch sampling {
            case .first: return dataset.subset(Array(0..<limit))
            case .stratified:
                return dataset.subset(
                    SubsetSample.indices(labels: dataset.labels, limit: limit, seed: holdout.seed, part: part))
            }
        }
        do {
            switch specification.model {
            case .convolutional:
                let official: (train: ImageDataset, test: ImageDataset)
                switch name {
                case .mnist: official = try MNIST.loadAll(from: directory, variant: .digits)
                case .fashionMNIST: official = try MNIST.loadAll(from: directory, variant: .fashion)
                case .cifar10:
                    let source = CIFAR10.locate(in: directory)
                    official = (
                        try CIFAR10.load(.train, from: source, trainingBatches: trainingBatches ?? Array(1...5)),
                        try CIFAR10.load(.test, from: source)
                    )
                default: throw TrainingError.invalidConfiguration("\(name.rawValue) is not an image dataset")
                }
                let splits = try DatasetSplits(
                    officialTrain: official.train, officialTest: official.test,
                    validationFraction: holdout.fraction, seed: holdout.seed)
                func source(_ dataset: ImageDataset, augmentation: SeedAugmentation? = nil) throws(DataError)
                    -> ImageSource
                {
                    ImageSource(
                        base: try ImageBatchSource(dataset: dataset, normalisation: nil, seedAugmentation: augmentation)
                    )
                }
                return TaskData(
                    train: try source(
                        limited(splits.train, trainingLimit, .training),
                        augmentation: name == .cifar10 ? cifarModel.augmentation : nil),
                    validation: try source(limited(splits.validation, evaluationLimit, .validation)),
                    test: try source(limited(splits.test, evaluationLimit, .test)), directory: directory)
            case .recurrent(let network):
                let official: (train: TextDataset, test: TextDataset)
                switch name {
                case .imdb:
                    official = (
                        try IMDB.load(.train, from: IMDB.locate(.train, in: directory)),
                        try IMDB.load(.test, from: IMDB.locate(.test, in: directory))
                    )
                case .sst2:
                    let format = Self.sst2Format(in: directory)
                    official = (
                        try SST2.load(.train, from: directory, format: format),
                        try SST2.load(.test, from: directory, format: format)
                    )
                default: throw TrainingError.invalidConfiguration("\(name.rawValue) is not a text dataset")
                }
                let splits = try DatasetSplits(
                    officialTrain: official.train, officialTest: official.test,
                    validationFraction: holdout.fraction, seed: holdout.seed)
                let train = limited(splits.train, trainingLimit, .training)
                // The vocabulary comes from the texts actually trained on, never validation or test.
                // Fitting tokenizes the training texts; their encoding reuses those tokens.
                let (pipeline, encodedTrain) = try TextPipeline.fitAndEncode(
                    trainingTexts: train.texts,
                    options: try TextPipeline.Options(
                        maximumVocabularySize: network.vocabularySize,
                        maximumLength: network.sequenceLength,
                        truncation: .keepLast))
                func source(_ dataset: TextDataset) throws(DataError) -> TextSource {
                    TextSource(
                        base: try TextBatchSource(
                            sequences: pipeline.encode(dataset.texts), labels: dataset.labels,
                            padding: .longestInBatch))
                }
                return TaskData(
                    train: TextSource(
                        base: try TextBatchSource(
                            sequences: encodedTrain, labels: train.labels,
                            padding: textPadding)),
                    validation: try source(limited(splits.validation, evaluationLimit, .validation)),
                    test: try source(limited(splits.test, evaluationLimit, .test)), directory: directory)
            case .perceptron(let network):
                guard name == .adult else {
                    throw TrainingError.invalidConfiguration("\(name.rawValue) is not tabular")
                }
                let official = try Adult.load(from: directory)
                // The encoder's width is one column per category the training file holds: a file lacking
                // some of adult.names' values gives fewer columns than the network reads. Refused now,
                // not at the first batch.
                guard official.train.featureCount == network.inputFeatures else {
                    throw DataError(
                        file: directory + "/" + Adult.fileName(.train),
                        problem: .countMismatch(
                            "its rows encode to \(official.train.featureCount) features, the network reads "
                                + "\(network.inputFeatures) (the categories of adult.names: some never occur)"))
                }
                let splits = try DatasetSplits(
                    officialTrain: official.train, officialTest: official.test,
                    validationFraction: holdout.fraction, seed: holdout.seed)
                return TaskData(
                    train: TabularSource(
                        base: TabularBatchSource(dataset: limited(splits.train, trainingLimit, .training))),
                    validation: TabularSource(
                        base: TabularBatchSource(dataset: limited(splits.validation, evaluationLimit, .validation))),
                    test: TabularSource(
                        base: TabularBatchSource(dataset: limited(splits.test, evaluationLimit, .test))),
                    directory: directory)
            }
        } catch let error as DataError {
            throw .data(error)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    /// SST-2's GLUE TSVs when present, else the JSON-lines copies.
    static func sst2Format(in directory: String) -> SST2.Format {
        let names = ["train.tsv", "train.tsv.gz", "glue_sst2_train.tsv", "glue_sst2_train.tsv.gz", "SST-2/train.tsv"]
        return names.contains { FileManager.default.fileExists(atPath: directory + "/" + $0) } ? .tsv : .jsonLines
    }
}

/// A dataset with class labels that can be cut to a subset: what ``SubsetSample`` samples.
protocol LabelledDataset: SubsettableDataset {
    var labels: [Int32] { get }
}

extension ImageDataset: LabelledDataset {}
extension TextDataset: LabelledDataset {}
extension TabularDataset: LabelledDataset {}

/// A batch source whose batches the models read (``TrainingBatch``): the three data kinds behind one
/// existential, so the training loop is not generic over the task.
public protocol TrainingBatchSource: Sendable {
    var count: Int { get }
    /// Every example's class label, in order.
    var labels: [Int32] { get }
    /// Every example's length (text), for length bucketing; nil for the other kinds.
    var exampleLengths: [Int32]? { get }
    /// The examples at `indices` (see `GlidepathData.BatchSource`).
    func trainingBatch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TrainingBatch
}

extension TrainingBatchSource {
    public var exampleLengths: [Int32]? { nil }
}

/// Adapts any ``TrainingBatchSource`` to `GlidepathData.BatchSource`, so a `DataLoader` orders and
/// cuts it (seeded order, resumable position).
public struct AnyTrainingBatchSource: BatchSource {
    public let base: any TrainingBatchSource
    public init(_ base: any TrainingBatchSource) { self.base = base }
    public var count: Int { base.count }
    public var exampleLengths: [Int32]? { base.exampleLengths }
    public func batch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TrainingBatch {
        base.trainingBatch(at: indices, generator: &generator)
    }
}

/// A GlidepathData batch source as a ``TrainingBatchSource``: its batches become ``TrainingBatch``es.
struct DataSource<Base: BatchSource>: TrainingBatchSource where Base.Batch: TrainingBatchConvertible {
    let base: Base
    let labels: [Int32]
    var count: Int { base.count }
    var exampleLengths: [Int32]? { base.exampleLengths }
    func trainingBatch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TrainingBatch {
        base.batch(at: indices, generator: &generator).trainingBatch
    }
}

/// A batch of one of the three data kinds, as the models read it.
protocol TrainingBatchConvertible: Sendable {
    var trainingBatch: TrainingBatch { get }
}

extension ImageBatch: TrainingBatchConvertible {
    var trainingBatch: TrainingBatch { TrainingBatch(self) }
}

extension TextBatch: TrainingBatchConvertible {
    var trainingBatch: TrainingBatch { TrainingBatch(self) }
}

extension TabularBatch: TrainingBatchConvertible {
    var trainingBatch: TrainingBatch { TrainingBatch(self) }
}

typealias ImageSource = DataSource<ImageBatchSource>
typealias TextSource = DataSource<TextBatchSource>
typealias TabularSource = DataSource<TabularBatchSource>

extension DataSource where Base == ImageBatchSource {
    init(base: ImageBatchSource) { self.init(base: base, labels: base.dataset.labels) }
}

extension DataSource where Base == TextBatchSource {
    init(base: TextBatchSource) { self.init(base: base, labels: base.labels) }
}

extension DataSource where Base == TabularBatchSource {
    init(base: TabularBatchSource) { self.init(base: base, labels: base.dataset.labels) }
}
