import GlidepathNN

/// The exact model of a task, as data: the training loop builds its layers from this, and
/// `docs/tasks.md` writes the same definitions out in prose. All activations are ReLU, all convolutions
/// have stride 1, all max-pools have window = stride, the loss is mean softmax cross-entropy over the
/// final layer's logits, and parameters start from PyTorch's default initialisation for each layer
/// (except the text models' embedding table, ``RecurrentNetwork/embeddingInitialization``).
///
/// The three families are the workloads of the PyTorch peer in `docs/engine.md`, "Design measurements", so the
/// lab's per-step cost can be compared with the measured PyTorch step times.
public enum ModelArchitecture: Sendable, Equatable, Codable {
    case convolutional(ConvolutionalNetwork)
    case recurrent(RecurrentNetwork)
    case perceptron(PerceptronNetwork)

    /// Number of trainable scalars, counting every weight and bias as PyTorch's `sum(p.numel())` does.
    public var parameterCount: Int {
        switch self {
        case .convolutional(let network): return network.parameterCount
        case .recurrent(let network): return network.parameterCount
        case .perceptron(let network): return network.parameterCount
        }
    }
}

/// One convolution block: Conv2d(k×k, stride 1, `padding`) → ReLU → MaxPool2d(`poolSize`).
public struct ConvolutionBlock: Sendable, Equatable, Codable {
    public var outputChannels: Int
    public var kernelSize: Int
    public var padding: Int
    public var poolSize: Int

    public init(outputChannels: Int, kernelSize: Int, padding: Int, poolSize: Int) {
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.padding = padding
        self.poolSize = poolSize
    }
}

/// A CNN: convolution blocks, flatten (channel-major, NCHW order), then Linear → ReLU layers and a final
/// Linear to the class logits.
public struct ConvolutionalNetwork: Sendable, Equatable, Codable {
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var blocks: [ConvolutionBlock]
    /// Widths of the hidden fully connected layers (each followed by ReLU).
    public var hiddenUnits: [Int]
    public var classCount: Int

    public init(
        inputChannels: Int, inputHeight: Int, inputWidth: Int, blocks: [ConvolutionBlock],
        hiddenUnits: [Int], classCount: Int
    ) {
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.blocks = blocks
        self.hiddenUnits = hiddenUnits
        self.classCount = classCount
    }

    /// (channels, height, width) after the last block: each block maps H to
    /// ⌊(H + 2·padding − k + 1) / pool⌋.
    public var featureShape: (channels: Int, height: Int, width: Int) {
        var shape = (channels: inputChannels, height: inputHeight, width: inputWidth)
        for block in blocks {
            shape.channels = block.outputChannels
            shape.height = (shape.height + 2 * block.padding - block.kernelSize + 1) / block.poolSize
            shape.width = (shape.width + 2 * block.padding - block.kernelSize + 1) / block.poolSize
        }
        return shape
    }

    /// Inputs of the first fully connected layer: C·H·W of ``featureShape``.
    public var flattenedFeatures: Int {
        let shape = featureShape
        return shape.channels * shape.height * shape.width
    }

    public var parameterCount: Int {
        var count = 0
        var channels = inputChannels
        for block in blocks {
            count += block.outputChannels * channels * block.kernelSize * block.kernelSize + block.outputChannels
            channels = block.outputChannels
        }
        return count + denseParameterCount(inputs: flattenedFeatures, hidden: hiddenUnits, outputs: classCount)
    }
}

/// A text classifier: Embedding → one-layer bidirectional LSTM (batch-first) → concatenation of the
/// forward direction's final hidden state and the backward direction's final hidden state → Linear to
/// the class logits.
///
/// Inputs are token indices, `sequenceLength` per sample, as `GlidepathData.TextPipeline` encodes them:
/// truncated keeping the first tokens, padded on the right with index 0, with each text's length L.
/// The LSTM reads only the L real tokens of each text, as PyTorch's `pack_padded_sequence` does: the
/// forward final state is h⃗ at position L−1, and the backward direction starts at position L−1 and ends
/// at position 0 (equivalently: run it over each text reversed within its length and take position L−1).
/// A text with no tokens counts as L = 1 (one padding token). The LSTM follows PyTorch: gate order
/// i, f, g, o and two bias vectors (b_ih, b_hh) per direction; initial states are zero.
public struct RecurrentNetwork: Sendable, Equatable, Codable {
    /// Rows of the embedding table: index 0 = padding, 1 = out-of-vocabulary, then the most frequent
    /// training tokens.
    public var vocabularySize: Int
    public var embeddingDimension: Int
    public var hiddenSize: Int
    public var sequenceLength: Int
    public var classCount: Int
    /// How the embedding table starts (see `docs/tasks.md`, "BiLSTM").
    public var embeddingInitialization: Embedding.Initialization

    public init(
        vocabularySize: Int, embeddingDimension: Int, hiddenSize: Int, sequenceLength: Int, classCount: Int,
        embeddingInitialization: Embedding.Initialization
    ) {
        self.vocabularySize = vocabularySize
        self.embeddingDimension = embeddingDimension
        self.hiddenSize = hiddenSize
        self.sequenceLength = sequenceLength
        self.classCount = classCount
        self.embeddingInitialization = embeddingInitialization
    }

    public var parameterCount: Int {
        let embedding = vocabularySize * embeddingDimension
        // Per direction: W_ih (4H×E), W_hh (4H×H), b_ih (4H), b_hh (4H).
        let direction = 4 * hiddenSize * (embeddingDimension + hiddenSize) + 2 * 4 * hiddenSize
        return embedding + 2 * direction
            + denseParameterCount(inputs: 2 * hiddenSize, hidden: [], outputs: classCount)
    }
}

/// A fully connected network: Linear → ReLU for each hidden width, then Linear to the class logits.
public struct PerceptronNetwork: Sendable, Equatable, Codable {
    public var inputFeatures: Int
    public var hiddenUnits: [Int]
    public var classCount: Int

    public init(inputFeatures: Int, hiddenUnits: [Int], classCount: Int) {
        self.inputFeatures = inputFeatures
        self.hiddenUnits = hiddenUnits
        self.classCount = classCount
    }

    public var parameterCount: Int {
        denseParameterCount(inputs: inputFeatures, hidden: hiddenUnits, outputs: classCount)
    }
}

/// Weights and biases of a chain of Linear layers inputs → hidden… → outputs.
private func denseParameterCount(inputs: Int, hidden: [Int], outputs: Int) -> Int {
    var count = 0
    var width = inputs
    for next in hidden + [outputs] {
        count += width * next + next
        width = next
    }
    return count
}
