import Glidepath
import GlidepathNN
import GlidepathTensor

extension OptimizerConfiguration {
    /// The optimizer of this configuration over the parameters of `model`.
    ///
    /// ``WeightDecayScope/all``: one parameter group, every parameter decayed. ``WeightDecayScope/weightsOnly``
    /// (the text tasks' default): two groups as in PyTorch's common "no weight decay on embeddings and
    /// biases" recipe — `[{params: weights, weight_decay: λ}, {params: embedding.weight + every bias,
    /// weight_decay: 0}]` — driven by one schedule (``SharedRateOptimizer``). Why for the text tasks: with
    /// coupled L2, Adam normalises the decay-only gradient λθ of an embedding row absent from a batch, so
    /// rarely seen words' vectors are pulled toward zero at a rate that does not shrink with λ
    /// (docs/tasks.md, "Measured").
    func makeOptimizer(for model: any TaskModel) throws(TrainingError) -> any Optimizer {
        do {
            switch weightDecayScope ?? .all {
            case .all:
                return try parameters.makeOptimizer(groups: [(model.module.parameters, parameters.weightDecay)])
            case .weightsOnly:
                var decayed: [Tensor] = []
                var exempt: [Tensor] = []
                for (name, tensor) in model.module.namedParameters {
                    let leaf = name.split(separator: ".").last.map(String.init) ?? name
                    if name == "embedding.weight" || leaf.hasPrefix("bias") {
                        exempt.append(tensor)
                    } else {
                        decayed.append(tensor)
                    }
                }
                return SharedRateOptimizer(
                    base: try parameters.makeOptimizer(groups: [
                        (decayed, parameters.weightDecay),
                        (exempt, 0),
                    ]))
            }
        } catch {
            throw .invalidConfiguration("optimizer: \(error)")
        }
    }

    /// The momentum (SGD) or β₁ (Adam, Prodigy, …) a cyclic scheduler may move; nil when the optimizer has
    /// none (DoG).
    var schedulerMomenta: [Double]? { parameters.momentum.map { [$0] } }
}

/// The optimizer's internal step-size estimates (``StepSizeEstimating``), also through the lab's
/// ``SharedRateOptimizer``; nil for an optimizer without any.
func stepSizeEstimates(of optimizer: any Optimizer) -> [Double]? {
    if let shared = optimizer as? SharedRateOptimizer { return stepSizeEstimates(of: shared.base) }
    return (optimizer as? any StepSizeEstimating)?.stepSizeEstimates
}
