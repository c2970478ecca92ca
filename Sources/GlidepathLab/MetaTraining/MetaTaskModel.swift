import GlidepathNN
import GlidepathTensor

/// Builds a task's model (`ModelArchitecture`, `docs/tasks.md`) from GlidepathNN layers for
/// meta-training: the CNN and MLP families, with PyTorch's default initialisation drawn from
/// `generator` layer by layer (weight, then bias), as `Sequential` so parameter names match PyTorch's
/// (`0.weight`, …).
///
/// The BiLSTM family is not built here (``MetaTrainingError/unsupportedTask(_:reason:)``).
public enum MetaTaskModel {
    public static func make<G: RandomNumberGenerator>(
        _ architecture: ModelArchitecture, taskName: String, using generator: inout G
    ) throws(MetaTrainingError) -> Sequential {
        do {
            switch architecture {
            case .perceptron(let network):
                return Sequential(try dense(inputs: network.inputFeatures, hidden: network.hiddenUnits,
                                            outputs: network.classCount, using: &generator))
            case .convolutional(let network):
                var layers: [any Layer] = []
                var channels = network.inputChannels
                for block in network.blocks {
                    layers.append(try Conv2d(inputChannels: channels, outputChannels: block.outputChannels,
                                             kernelSize: (block.kernelSize, block.kernelSize),
                                             padding: (block.padding, block.padding), using: &generator))
                    layers.append(Activation(.relu))
                    layers.append(try MaxPool2d(kernelSize: (block.poolSize, block.poolSize)))
                    channels = block.outputChannels
                }
                layers.append(Flatten())
                layers += try dense(inputs: network.flattenedFeatures, hidden: network.hiddenUnits,
                                    outputs: network.classCount, using: &generator)
                return Sequential(layers)
            case .recurrent:
                throw MetaTrainingError.unsupportedTask(
                    taskName, reason: "meta-training supports the image and tabular tasks only")
            }
        } catch let error as MetaTrainingError {
            throw error
        } catch {
            throw .training("building the model: \(error)")
        }
    }

    /// Linear → ReLU per hidden width, then Linear to the logits.
    static func dense<G: RandomNumberGenerator>(
        inputs: Int, hidden: [Int], outputs: Int, using generator: inout G
    ) throws -> [any Layer] {
        var layers: [any Layer] = []
        var width = inputs
        for next in hidden {
            layers.append(try Linear(inputFeatures: width, outputFeatures: next, using: &generator))
            layers.append(Activation(.relu))
            width = next
        }
        layers.append(try Linear(inputFeatures: width, outputFeatures: outputs, using: &generator))
        return layers
    }
}
