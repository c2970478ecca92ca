import GlidepathData
import GlidepathNN
import GlidepathTensor

/// One batch of any task, as the models consume it: the inputs of one of the three data kinds and the
/// class labels.
public struct TrainingBatch: Sendable {
    /// The inputs, by kind.
    public enum Inputs: Sendable {
        /// NCHW pixels, already scaled, `shape` = [batch, channels, height, width].
        case images(features: [Float], shape: [Int])
        /// Right-padded token ids `[batch, length]` row-major, with each row's true length.
        case tokens(ids: [Int32], shape: [Int], lengths: [Int32])
        /// Feature rows `[batch, features]` row-major.
        case features(values: [Float], shape: [Int])
    }

    public var inputs: Inputs
    public var labels: [Int32]

    public init(inputs: Inputs, labels: [Int32]) {
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of examples.
    public var count: Int { labels.count }

    public init(_ batch: ImageBatch) {
        self.init(inputs: .images(features: batch.features, shape: batch.shape), labels: batch.labels)
    }

    public init(_ batch: TextBatch) {
        self.init(inputs: .tokens(ids: batch.tokens, shape: batch.shape, lengths: batch.lengths), labels: batch.labels)
    }

    public init(_ batch: TabularBatch) {
        self.init(inputs: .features(values: batch.features, shape: batch.shape), labels: batch.labels)
    }
}

/// A task's network: a module tree (for parameters and saved state) with a forward pass from a
/// ``TrainingBatch`` to class logits `[batch, classes]`.
///
/// Built from the task's ``ModelArchitecture`` by ``TaskModelFactory/makeModel(_:using:)``; the layer
/// order and parameter names follow the PyTorch modules written out in `docs/tasks.md`.
public protocol TaskModel: AnyObject {
    /// The module tree (parameters in PyTorch `state_dict` order).
    var module: any Module { get }
    /// Class logits for `batch`; records the graph when gradients are enabled.
    ///
    /// - Throws: ``TrainingError/invalidBatch(_:)`` when the batch is of another kind or shape than the
    ///   model reads (a wiring mistake, reported rather than trapped).
    func logits(_ batch: TrainingBatch) throws(TrainingError) -> Tensor

    /// Called before each training batch: a model with dropout reseeds its masks from the run's seed and
    /// the batch's position, so a batch's masks do not depend on earlier batches and a run resumed
    /// mid-epoch draws the same ones.
    func prepareTrainingBatch(seed: UInt64, epoch: Int, batch: Int)
}

extension TaskModel {
    public func prepareTrainingBatch(seed: UInt64, epoch: Int, batch: Int) {}
}

/// The CNN of `mnist-cnn`, `fashion-mnist-cnn` and `cifar10-cnn`: for each block Conv2d(k×k, stride 1,
/// padding) → ReLU → MaxPool(pool); flatten in NCHW order; Linear → ReLU per hidden width; Linear to
/// the logits. As `nn.Sequential`, so parameters are named `0.weight`, `0.bias`, `3.weight`, ….
public final class ConvolutionalClassifier: TaskModel {
    public let network: ConvolutionalNetwork
    public let layers: Sequential
    /// The dropout layers (``CIFARModel/improved``), reseeded per batch by ``prepareTrainingBatch(seed:epoch:batch:)``.
    let dropouts: [Dropout]
    public var module: any Module { layers }

    /// The stream of a batch's dropout masks: `[dropoutStream, epoch, batch]` of the run's seed.
    public static let dropoutStream: UInt64 = 0x4452_4F50

    /// - Parameter hiddenDropout: `nn.Dropout(p)` after the first hidden layer's ReLU (`ImprovedCNN`), so
    ///   the layers after it are numbered one higher (`10.weight` for the last Linear of the two-block CNN).
    public init<G: RandomNumberGenerator>(
        _ network: ConvolutionalNetwork, hiddenDropout: Float? = nil, using generator: inout G
    ) throws(NNError) {
        self.network = network
        var layers: [any Layer] = []
        var channels = network.inputChannels
        for block in network.blocks {
            layers.append(
                try Conv2d(
                    inputChannels: channels, outputChannels: block.outputChannels,
                    kernelSize: (block.kernelSize, block.kernelSize),
                    padding: (block.padding, block.padding), using: &generator))
            layers.append(Activation(.relu))
            layers.append(try MaxPool2d(kernelSize: (block.poolSize, block.poolSize)))
            channels = block.outputChannels
        }
        layers.append(Flatten())
        var dense = try denseLayers(
            inputs: network.flattenedFeatures, hidden: network.hiddenUnits,
            outputs: network.classCount, using: &generator)
        var dropouts: [Dropout] = []
        if let hiddenDropout, !network.hiddenUnits.isEmpty {
            let dropout = try Dropout(probability: hiddenDropout, seed: 0)
            dense.insert(dropout, at: 2)  // after Linear, ReLU
            dropouts.append(dropout)
        }
        self.dropouts = dropouts
        self.layers = Sequential(layers + dense)
    }

    public func prepareTrainingBatch(seed: UInt64, epoch: Int, batch: Int) {
        for dropout in dropouts {
            dropout.generator = SeededGenerator(seed: seed, stream: [Self.dropoutStream, UInt64(epoch), UInt64(batch)])
        }
    }

    public func logits(_ batch: TrainingBatch) throws(TrainingError) -> Tensor {
        let expected = [network.inputChannels, network.inputHeight, network.inputWidth]
        guard case let .images(features, shape) = batch.inputs, shape.count == 4, Array(shape.dropFirst()) == expected
        else { throw .invalidBatch("the CNN reads images [N, \(expected.map(String.init).joined(separator: ", "))]") }
        return layers(try tensor(shape: shape, scalars: features))
    }
}

/// The MLP of `adult-mlp`: Linear → ReLU per hidden width, then Linear to the logits (`nn.Sequential`,
/// parameters `0.weight`, `0.bias`, `2.weight`, …).
public final class PerceptronClassifier: TaskModel {
    public let network: PerceptronNetwork
    public let layers: Sequential
    public var module: any Module { layers }

    public init<G: RandomNumberGenerator>(_ network: PerceptronNetwork, using generator: inout G) throws(NNError) {
        self.network = network
        layers = Sequential(
            try denseLayers(
                inputs: network.inputFeatures, hidden: network.hiddenUnits,
                outputs: network.classCount, using: &generator))
    }

    public func logits(_ batch: TrainingBatch) throws(TrainingError) -> Tensor {
        guard case let .features(values, shape) = batch.inputs, shape.count == 2, shape[1] == network.inputFeatures
        else { throw .invalidBatch("the MLP reads feature rows [N, \(network.inputFeatures)]") }
        return layers(try tensor(shape: shape, scalars: values))
    }
}

/// The text classifier of `imdb-bilstm` and `sst2-bilstm`: Embedding → one-layer bidirectional LSTM
/// over each text's real tokens (packed-sequence semantics) → [h⃗ at L−1, h⃖ at 0] → Linear.
///
/// Children are named `embedding`, `lstm` and `classifier`, so parameters are `embedding.weight`,
/// `lstm.weight_ih_l0`, …, `lstm.bias_hh_l0_reverse`, `classifier.weight`, `classifier.bias` — the
/// `state_dict` keys of the equivalent PyTorch module with those attribute names.
public final class RecurrentClassifier: TaskModel, Module {
    public let network: RecurrentNetwork
    public let embedding: Embedding
    public let lstm: LSTM
    public let classifier: Linear
    public var isTraining = true
    public var module: any Module { self }

    public init<G: RandomNumberGenerator>(_ network: RecurrentNetwork, using generator: inout G) throws(NNError) {
        self.network = network
        // PyTorch creates (and so initialises) the submodules in this order.
        embedding = try Embedding(
            vocabularySize: network.vocabularySize, dimension: network.embeddingDimension,
            initialization: network.embeddingInitialization, using: &generator)
        lstm = try LSTM(
            inputSize: network.embeddingDimension, hiddenSize: network.hiddenSize, bidirectional: true,
            batchFirst: true, using: &generator)
        classifier = try Linear(
            inputFeatures: 2 * network.hiddenSize, outputFeatures: network.classCount,
            using: &generator)
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public var children: [(name: String, module: any Module)] {
        [("embedding", embedding), ("lstm", lstm), ("classifier", classifier)]
    }

    public func logits(_ batch: TrainingBatch) throws(TrainingError) -> Tensor {
        guard case let .tokens(ids, shape, lengths) = batch.inputs, shape.count == 2, shape[0] == lengths.count,
            shape[1] >= 1
        else { throw .invalidBatch("the BiLSTM reads token rows [N, T] with one length per row") }
        do {
            let embedded = try embedding(ids, shape: shape)
            // A text without tokens counts as one padding token (L = 1), as docs/tasks.md defines.
            let output = try lstm(embedded, lengths: lengths.map { max(1, min(Int($0), shape[1])) })
            return classifier(output.lastLayerHidden)
        } catch {
            throw .invalidBatch(error.description)
        }
    }
}

/// Builds a task's model.
public enum TaskModelFactory {
    /// The network of `architecture` with PyTorch's default initialisation drawn from `generator`.
    /// The model of a run with `configuration` (its task's architecture and ``RunConfiguration/effectiveCIFARModel``).
    public static func makeModel<G: RandomNumberGenerator>(
        for configuration: RunConfiguration, using generator: inout G
    )
        throws(TrainingError) -> any TaskModel
    {
        try makeModel(
            configuration.task.specification.model, hiddenDropout: configuration.effectiveCIFARModel?.hiddenDropout,
            using: &generator)
    }

    /// The network of `architecture` with PyTorch's default initialisation drawn from `generator`.
    public static func makeModel<G: RandomNumberGenerator>(
        _ architecture: ModelArchitecture, hiddenDropout: Float? = nil, using generator: inout G
    ) throws(TrainingError) -> any TaskModel {
        do {
            switch architecture {
            case .convolutional(let network):
                return try ConvolutionalClassifier(network, hiddenDropout: hiddenDropout, using: &generator)
            case .perceptron(let network): return try PerceptronClassifier(network, using: &generator)
            case .recurrent(let network): return try RecurrentClassifier(network, using: &generator)
            }
        } catch {
            throw .invalidModel(error.description)
        }
    }
}

/// Linear → ReLU for each hidden width, then a final Linear.
private func denseLayers<G: RandomNumberGenerator>(
    inputs: Int, hidden: [Int], outputs: Int, using generator: inout G
) throws(NNError) -> [any Layer] {
    var layers: [any Layer] = []
    var width = inputs
    for units in hidden {
        layers.append(try Linear(inputFeatures: width, outputFeatures: units, using: &generator))
        layers.append(Activation(.relu))
        width = units
    }
    layers.append(try Linear(inputFeatures: width, outputFeatures: outputs, using: &generator))
    return layers
}

private func tensor(shape: [Int], scalars: [Float]) throws(TrainingError) -> Tensor {
    do {
        return try Tensor(shape: shape, scalars: scalars)
    } catch {
        throw .invalidBatch("\(error)")
    }
}
