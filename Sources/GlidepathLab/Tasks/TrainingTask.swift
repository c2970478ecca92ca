import GlidepathData
import GlidepathNN

/// Which labelled data a task reports its test metrics on.
public enum TestSplit: String, Sendable, Codable {
    /// The dataset's official test split.
    case officialTest
    /// The official development split, for SST-2, whose GLUE test labels are not public.
    case officialDevelopment
}

/// The study's tasks (`docs/tasks.md`, "The study plan", plus Fashion-MNIST for the demo).
///
/// Each task fixes its dataset, model, batch size, default optimizer, epoch budget and validation split
/// (``specification``); a run may override the epoch count and optimizer, and records what it used.
public enum TrainingTask: String, Sendable, Codable, CaseIterable {
    case mnistCNN = "mnist-cnn"
    case cifar10CNN = "cifar10-cnn"
    case imdbBiLSTM = "imdb-bilstm"
    case sst2BiLSTM = "sst2-bilstm"
    case adultMLP = "adult-mlp"
    case fashionMNISTCNN = "fashion-mnist-cnn"

    /// The task named `name` (its raw value, e.g. `mnist-cnn`).
    ///
    /// - Throws: ``TaskError/unknownTask(_:)`` listing the known names.
    public init(named name: String) throws(TaskError) {
        guard let task = TrainingTask(rawValue: name) else { throw .unknownTask(name) }
        self = task
    }

    /// Whether the task reads text (its model is the BiLSTM).
    public var isText: Bool {
        if case .recurrent = specification.model { return true }
        return false
    }

    /// Everything the task fixes.
    public var specification: TaskSpecification {
        switch self {
        case .mnistCNN:
            return TaskSpecification(
                task: self, dataset: .mnist, model: .convolutional(.grayscale28),
                batchSize: 64, epochBudget: 50)
        case .fashionMNISTCNN:
            // 30 epochs: the budget d2l's "Learning Rate Scheduling" chapter uses for its Fashion-MNIST
            // scheduler comparison (d2l.ai, "Learning Rate Scheduling"; `docs/tasks.md`), the only sourced schedule
            // study on this data.
            return TaskSpecification(
                task: self, dataset: .fashionMNIST, model: .convolutional(.grayscale28),
                batchSize: 64, epochBudget: 30)
        case .cifar10CNN:
            return TaskSpecification(
                task: self, dataset: .cifar10, model: .convolutional(.color32),
                batchSize: 64, epochBudget: 50)
        case .imdbBiLSTM:
            return TaskSpecification(
                task: self, dataset: .imdb, model: .recurrent(.imdb),
                batchSize: 32, epochBudget: 20, optimizer: .studyText)
        case .sst2BiLSTM:
            return TaskSpecification(
                task: self, dataset: .sst2, model: .recurrent(.sst2),
                batchSize: 32, epochBudget: 20, testSplit: .officialDevelopment,
                optimizer: .studyText)
        case .adultMLP:
            return TaskSpecification(
                task: self, dataset: .adult, model: .perceptron(.adult),
                batchSize: 128, epochBudget: 30)
        }
    }
}

/// What a task fixes. See `docs/tasks.md` for the prose definitions and preprocessing.
public struct TaskSpecification: Sendable, Equatable, Codable {
    public var task: TrainingTask
    public var dataset: DatasetName
    public var model: ModelArchitecture
    public var batchSize: Int
    /// Default number of epochs; a run may override it.
    public var epochBudget: Int
    public var validationSplit: ValidationHoldout
    public var testSplit: TestSplit
    /// The default optimizer: the study's Adam for every task, with the embedding and biases exempt from
    /// weight decay for the text tasks (``OptimizerConfiguration/studyText``).
    public var optimizer: OptimizerConfiguration

    public init(
        task: TrainingTask, dataset: DatasetName, model: ModelArchitecture, batchSize: Int,
        epochBudget: Int, validationSplit: ValidationHoldout = ValidationHoldout(fraction: 0.1, seed: 0),
        testSplit: TestSplit = .officialTest, optimizer: OptimizerConfiguration = .study
    ) {
        self.task = task
        self.dataset = dataset
        self.model = model
        self.batchSize = batchSize
        self.epochBudget = epochBudget
        self.validationSplit = validationSplit
        self.testSplit = testSplit
        self.optimizer = optimizer
    }

    /// Number of classes of the model's output.
    public var classCount: Int {
        switch model {
        case .convolutional(let network): return network.classCount
        case .recurrent(let network): return network.classCount
        case .perceptron(let network): return network.classCount
        }
    }

    /// Whether the task is binary, and so reports ROC-AUC (of the positive class's softmax probability).
    public var isBinary: Bool { classCount == 2 }
}

extension ConvolutionalNetwork {
    /// MNIST / Fashion-MNIST: 1×28×28 → 32×14×14 → 64×7×7 → 3136 → 256 → 10.
    public static let grayscale28 = ConvolutionalNetwork(
        inputChannels: 1, inputHeight: 28, inputWidth: 28,
        blocks: [
            ConvolutionBlock(outputChannels: 32, kernelSize: 3, padding: 1, poolSize: 2),
            ConvolutionBlock(outputChannels: 64, kernelSize: 3, padding: 1, poolSize: 2),
        ],
        hiddenUnits: [256], classCount: 10)

    /// CIFAR-10: 3×32×32 → 32×16×16 → 64×8×8 → 4096 → 256 → 10 (the engine's peer CNN).
    public static let color32 = ConvolutionalNetwork(
        inputChannels: 3, inputHeight: 32, inputWidth: 32,
        blocks: [
            ConvolutionBlock(outputChannels: 32, kernelSize: 3, padding: 1, poolSize: 2),
            ConvolutionBlock(outputChannels: 64, kernelSize: 3, padding: 1, poolSize: 2),
        ],
        hiddenUnits: [256], classCount: 10)
}

extension RecurrentNetwork {
    /// The text tasks' embedding initialisation: U(−0.1, 0.1), as pytorch/examples `word_language_model`.
    /// Why not PyTorch's N(0, 1): Adam moves a weight by at most about η = 10⁻³ per update, so most rows of
    /// a unit-scale table stay near their random start for the first epochs (measured in `docs/tasks.md`,
    /// "Measured": IMDB validation accuracy 0.725 after one epoch with N(0, 1), 0.79–0.85 at small scales).
    public static let textEmbeddingInitialization = Embedding.Initialization.uniform(bound: 0.1)

    /// IMDB: vocabulary 20,000, embedding 100, BiLSTM 2×128, 200 tokens (the engine's peer BiLSTM).
    public static let imdb = RecurrentNetwork(
        vocabularySize: 20_000, embeddingDimension: 100, hiddenSize: 128, sequenceLength: 200, classCount: 2,
        embeddingInitialization: textEmbeddingInitialization)

    /// SST-2: as IMDB but 64 tokens (the longest SST-2 training sentence has 52 whitespace tokens).
    public static let sst2 = RecurrentNetwork(
        vocabularySize: 20_000, embeddingDimension: 100, hiddenSize: 128, sequenceLength: 64, classCount: 2,
        embeddingInitialization: textEmbeddingInitialization)
}

extension PerceptronNetwork {
    /// Adult: 108 features (6 standardised continuous + 102 one-hot) → 256 → 128 → 2 (the engine's peer MLP).
    public static let adult = PerceptronNetwork(inputFeatures: 108, hiddenUnits: [256, 128], classCount: 2)
}
