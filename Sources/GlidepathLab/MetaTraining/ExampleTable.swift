import GlidepathData
import GlidepathNN
import GlidepathTensor

/// Labelled examples held as one flat array, from which minibatches are gathered by index.
///
/// Images stay bytes (scaled by 1/255 when a batch is gathered, the tasks' [0, 1] pixel scaling) so a
/// large training split costs one byte per pixel; tabular features are the encoder's floats.
public struct ExampleTable: Sendable {
    public enum Values: Sendable {
        case bytes([UInt8])
        case floats([Float])
    }

    public var values: Values
    public var labels: [Int32]
    /// The shape of one example (`[1, 28, 28]`, `[108]`, …).
    public var exampleShape: [Int]

    public init(values: Values, labels: [Int32], exampleShape: [Int]) {
        self.values = values
        self.labels = labels
        self.exampleShape = exampleShape
    }

    public init(_ images: ImageDataset) {
        self.init(values: .bytes(images.pixels), labels: images.labels,
                  exampleShape: [images.channels, images.height, images.width])
    }

    public init(_ table: TabularDataset) {
        self.init(values: .floats(table.features), labels: table.labels, exampleShape: [table.featureCount])
    }

    public var count: Int { labels.count }
    public var exampleSize: Int { exampleShape.reduce(1, *) }

    /// The examples at `indices` (each in `0..<count`) as a batch `[indices.count] + exampleShape`.
    public func batch(_ indices: [Int]) -> LabelledBatch {
        let size = exampleSize
        let inputs = Tensor.make(shape: [indices.count] + exampleShape) { buffer in
            for (row, index) in indices.enumerated() {
                let source = index * size, target = row * size
                switch values {
                case .bytes(let bytes):
                    for offset in 0..<size { buffer[target + offset] = Float(bytes[source + offset]) / 255 }
                case .floats(let floats):
                    for offset in 0..<size { buffer[target + offset] = floats[source + offset] }
                }
            }
        }
        return LabelledBatch(inputs: inputs, labels: indices.map { labels[$0] })
    }

    /// Consecutive batches of at most `batchSize` examples over `order` (the last may be smaller, as
    /// PyTorch's `DataLoader` without `drop_last`).
    public func batches(in order: [Int], batchSize: Int) -> [[Int]] {
        stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    }
}

/// The training part and validation set of a task, as the task specification fixes them.
public struct MetaTaskData: Sendable {
    /// The official training split minus the validation holdout: the meta set and the training subset
    /// are both carved from here (``MetaSetSplit``).
    public var trainingPart: ExampleTable
    public var validation: ExampleTable

    public init(trainingPart: ExampleTable, validation: ExampleTable) {
        self.trainingPart = trainingPart
        self.validation = validation
    }

    /// Reads the task's dataset from `dataDirectory` (one folder per dataset, as `glidepath data`).
    ///
    /// - Throws: ``MetaTrainingError/unsupportedTask(_:reason:)`` for the text tasks (their BiLSTM has
    ///   no builder in the meta-trainer), ``MetaTrainingError/data(_:)`` when reading fails.
    public static func load(_ specification: TaskSpecification, dataDirectory: String) throws(MetaTrainingError) -> MetaTaskData {
        let holdout = specification.validationSplit
        do {
            switch specification.dataset {
            case .adult:
                let directory = DatasetCatalog.directory(for: .adult, in: dataDirectory)
                let loaded = try Adult.load(from: directory)
                let splits = try DatasetSplits(officialTrain: loaded.train, officialTest: loaded.test,
                                               validationFraction: holdout.fraction, seed: holdout.seed)
                return MetaTaskData(trainingPart: ExampleTable(splits.train), validation: ExampleTable(splits.validation))
            case .mnist, .fashionMNIST:
                let name: DatasetName = specification.dataset == .mnist ? .mnist : .fashionMNIST
                let variant: MNIST.Variant = specification.dataset == .mnist ? .digits : .fashion
                let directory = DatasetCatalog.directory(for: name, in: dataDirectory)
                let loaded = try MNIST.loadAll(from: directory, variant: variant)
                let splits = try DatasetSplits(officialTrain: loaded.train, officialTest: loaded.test,
                                               validationFraction: holdout.fraction, seed: holdout.seed)
                return MetaTaskData(trainingPart: ExampleTable(splits.train), validation: ExampleTable(splits.validation))
            case .cifar10:
                let source = CIFAR10.locate(in: DatasetCatalog.directory(for: .cifar10, in: dataDirectory))
                let train = try CIFAR10.load(.train, from: source)
                let test = try CIFAR10.load(.test, from: source)
                let splits = try DatasetSplits(officialTrain: train, officialTest: test,
                                               validationFraction: holdout.fraction, seed: holdout.seed)
                return MetaTaskData(trainingPart: ExampleTable(splits.train), validation: ExampleTable(splits.validation))
            case .imdb, .sst2:
                throw MetaTrainingError.unsupportedTask(
                    specification.task.rawValue, reason: "meta-training supports the image and tabular tasks only")
            }
        } catch let error as MetaTrainingError {
            throw error
        } catch {
            throw .data("\(error)")
        }
    }
}
