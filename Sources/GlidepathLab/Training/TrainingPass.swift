import GlidepathData
import GlidepathNN
import GlidepathTensor

/// The lab's one training loop over an epoch (`docs/lab.md`, "One update"): the loader's batches from its
/// position to the end of the epoch, in its seeded order; for each, the forward pass and the mean
/// cross-entropy L, and — when L is finite — the backward pass, which leaves ∇L in the parameters'
/// gradients; then the caller's update. A ``TrainingSession`` updates with its optimizer and scheduler;
/// ``MLRSNetMetaTraining`` with a meta-update and the meta-net's SGD step.
///
/// The update owns what happens to the gradients: it clears them before the next batch (an optimizer's
/// `clearGradients()`), as PyTorch's `zero_grad()` in a training loop.
public struct TrainingPass {
    public let model: any TaskModel
    public let lossFunction: CrossEntropyLoss

    /// One batch of the pass, after its forward and (finite loss) backward pass.
    public struct Step {
        public let batch: TrainingBatch
        /// The batch's index within its epoch.
        public let index: Int
        /// L, the batch's mean cross-entropy. When it is not finite no backward pass was made.
        public let loss: Double
    }

    /// Whether the pass goes on to the next batch after an update.
    public enum Continuation: Sendable {
        case next
        case stop
    }

    /// - Throws: ``TrainingError/invalidConfiguration(_:)`` if the loss function cannot be built.
    public init(model: any TaskModel) throws(TrainingError) {
        self.model = model
        do { lossFunction = try CrossEntropyLoss() } catch { throw .invalidConfiguration("\(error)") }
    }

    /// Runs the loader's current epoch from its position, calling `update` after every batch's backward
    /// pass, until the epoch ends (true) or `update` returns ``Continuation/stop`` (false).
    ///
    /// - Throws: ``TrainingError/invalidBatch(_:)`` when the model cannot read a batch, and whatever
    ///   `update` throws.
    public func run<Source: BatchSource>(
        _ loader: inout DataLoader<Source>, update: (Step) throws(TrainingError) -> Continuation
    ) throws(TrainingError) -> Bool where Source.Batch == TrainingBatch {
        while true {
            let index = loader.position.batch
            let epoch = loader.position.epoch
            guard let batch = loader.next() else { return true }
            model.prepareTrainingBatch(seed: loader.options.seed, epoch: epoch, batch: index)
            let loss = try lossTensor(batch)
            let value = Double(loss.scalar)
            if value.isFinite { loss.backward() }
            if try update(Step(batch: batch, index: index, loss: value)) == .stop { return false }
        }
    }

    /// The forward pass and mean cross-entropy of one batch (the graph recorded for a backward pass).
    public func lossTensor(_ batch: TrainingBatch) throws(TrainingError) -> Tensor {
        let logits = try model.logits(batch)
        do { return try lossFunction(logits, batch.labels) } catch { throw .invalidBatch(error.description) }
    }
}
