import Glidepath
import GlidepathTensor

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
/// identical in operation order to PyTorch's `torch.optim.SGD` (`_single_tensor_sgd`, torch 2.15):
/// ```
/// g ← ∇θ + λ·θ                                   (if λ ≠ 0)
/// b ← g  at the first step;  b ← μ·b + (1 − τ)·g  after      (if μ ≠ 0)
/// g ← g + μ·b  (Nesterov)  or  g ← b                           (if μ ≠ 0)
/// θ ← θ − η·g
/// ```
/// (η learning rate, μ momentum, τ dampening, λ weight decay; Sutskever et al. 2013 for the Nesterov
/// form). Scalars are rounded to Float32 where PyTorch passes them to a Float32 kernel.
public final class SGD: GroupedOptimizer {
    public struct Hyperparameters: GroupHyperparameters {
        public var learningRate: Double
        public var momentum: Double
        public var dampening: Double
        public var weightDecay: Double
        public var nesterov: Bool

        public init(
            learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
            nesterov: Bool = false
        ) {
            self.learningRate = learningRate
            self.momentum = momentum
            self.dampening = dampening
            self.weightDecay = weightDecay
            self.nesterov = nesterov
        }

        public func validate(path prefix: String) throws(NNError) {
            try Check.nonNegative(learningRate, prefix + "learningRate")
            try Check.nonNegative(momentum, prefix + "momentum")
            try Check.finite(dampening, prefix + "dampening")
            try Check.nonNegative(weightDecay, prefix + "weightDecay")
            try NNError.require(
                !nesterov || (momentum > 0 && dampening == 0), prefix + "nesterov", nesterov,
                "Nesterov momentum requires momentum > 0 and dampening = 0")
        }
    }

    public let state: OptimizerState<Hyperparameters, NoSharedHyperparameters, NoStatistics>
    /// A scheduler's momentum sets μ.
    public static var momentumTarget: MomentumTarget<Hyperparameters, NoSharedHyperparameters> { .group(\.momentum) }

    public init(groups: [ParameterGroup<Hyperparameters>], shared: NoSharedHyperparameters) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.sgd", slotNames: ["momentum_buffer"], groups: groups, shared: shared,
            statistics: NoStatistics())
    }

    public func step() {
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let learningRate = Float(h.learningRate), momentum = Float(h.momentum)
            let weightDecay = Float(h.weightDecay), keep = Float(1 - h.dampening)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                state.slots[g][p].step += 1
                var buffer = state.slots[g][p].buffers[0]
                let first = buffer == nil
                if h.momentum != 0 && first {
                    buffer = Tensor.zeros(shape: parameter.shape)
                    state.slots[g][p].buffers[0] = buffer
                }
                let momentumBuffer = buffer.map { $0.mutableBase() }
                parameter.withUnsafeMutableDataAndGradient { theta, gradient in
                    for i in 0..<theta.count {
                        var d = gradient[i]
                        if h.weightDecay != 0 { d = d + weightDecay * theta[i] }
                        if let b = momentumBuffer {
                            b[i] = first ? d : b[i] * momentum + keep * d
                            d = h.nesterov ? d + momentum * b[i] : b[i]
                        }
                        theta[i] = theta[i] + -learningRate * d
                    }
                }
                withExtendedLifetime(buffer) {}
            }
        }
    }
}
