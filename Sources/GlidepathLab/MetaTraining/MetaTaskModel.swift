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
            // The training loop's own models (docs/tasks.md), so both build the same layers in the same
            // order from the same draws.
            switch architecture {
            case .perceptron(let network):
                return try PerceptronClassifier(network, using: &generator).layers
            case .convolutional(let network):
                return try ConvolutionalClassifier(network, using: &generator).layers
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
}
