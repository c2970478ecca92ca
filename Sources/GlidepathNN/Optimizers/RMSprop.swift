import Glidepath
import GlidepathTensor

/// RMSprop (Hinton, Srivastava & Swersky, Coursera lecture 6e, 2012; centered form Graves 2013,
/// arXiv:1308.0850), identical in operation order to PyTorch's `torch.optim.RMSprop`
/// (`_single_tensor_rmsprop`, torch 2.15):
/// ```
/// g ← ∇θ + λ·θ                              (if λ ≠ 0)
/// s ← α·s + (1 − α)·g·g
/// ḡ ← ḡ + (1 − α)·(g − ḡ);  a ← √(s − ḡ·ḡ) + ε     (centered)
/// a ← √s + ε                                        (otherwise)
/// b ← μ·b + g/a;  θ ← θ − η·b                        (if μ > 0)
/// θ ← θ − η·g/a                                      (otherwise)
/// ```
public final class RMSprop: GroupedOptimizer {
    public struct Hyperparameters: DefaultedHyperparameters {
        public var learningRate: Double
        public var alpha: Double
        public var epsilon: Double
        public var weightDecay: Double
        public var momentum: Double
        public var centered: Bool

        /// PyTorch's defaults: η = 0.01, α = 0.99, ε = 1e-8.
        public init(
            learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0,
            momentum: Double = 0, centered: Bool = false
        ) {
            self.learningRate = learningRate
            self.alpha = alpha
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.centered = centered
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path prefix: String) throws(NNError) {
            try Check.nonNegative(learningRate, prefix + "learningRate")
            try Check.nonNegative(alpha, prefix + "alpha")
            try Check.nonNegative(epsilon, prefix + "epsilon")
            try Check.nonNegative(weightDecay, prefix + "weightDecay")
            try Check.nonNegative(momentum, prefix + "momentum")
        }
    }

    public let state: OptimizerState<Hyperparameters, NoSharedHyperparameters, NoStatistics>
    /// A scheduler's momentum sets the momentum.
    public static var momentumTarget: MomentumTarget<Hyperparameters, NoSharedHyperparameters> { .group(\.momentum) }

    public init(groups: [ParameterGroup<Hyperparameters>], shared: NoSharedHyperparameters) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.rmsprop", slotNames: ["square_avg", "grad_avg", "momentum_buffer"],
            groups: groups, shared: shared, statistics: NoStatistics())
    }

    public func step() {
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let alpha = Float(h.alpha), oneMinusAlpha = Float(1 - h.alpha), epsilon = Float(h.epsilon)
            let weightDecay = Float(h.weightDecay), momentum = Float(h.momentum), negativeRate = Float(-h.learningRate)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                if state.slots[g][p].buffers[0] == nil {
                    state.slots[g][p].buffers[0] = Tensor.zeros(shape: parameter.shape)
                }
                if h.centered && state.slots[g][p].buffers[1] == nil {
                    state.slots[g][p].buffers[1] = Tensor.zeros(shape: parameter.shape)
                }
                if h.momentum > 0 && state.slots[g][p].buffers[2] == nil {
                    state.slots[g][p].buffers[2] = Tensor.zeros(shape: parameter.shape)
                }
                state.slots[g][p].step += 1
                let buffers = state.slots[g][p].buffers
                guard let squareBuffer = buffers[0] else { continue }
                let square = squareBuffer.mutableBase()
                let average = h.centered ? buffers[1]?.mutableBase() : nil
                let velocity = h.momentum > 0 ? buffers[2]?.mutableBase() : nil
                let smallWeight = oneMinusAlpha < 0.5
                parameter.withUnsafeMutableDataAndGradient { theta, gradient in
                    for i in 0..<theta.count {
                        var d = gradient[i]
                        if h.weightDecay != 0 { d = d + weightDecay * theta[i] }
                        square[i] = square[i] * alpha + oneMinusAlpha * d * d
                        var denominator: Float
                        if let average {
                            average[i] =
                                smallWeight
                                ? average[i] + oneMinusAlpha * (d - average[i])
                                : d - (d - average[i]) * (1 - oneMinusAlpha)
                            denominator = (square[i] + -1 * average[i] * average[i]).squareRoot()
                        } else {
                            denominator = square[i].squareRoot()
                        }
                        denominator = denominator + epsilon
                        if let velocity {
                            velocity[i] = velocity[i] * momentum + 1 * d / denominator
                            theta[i] = theta[i] + negativeRate * velocity[i]
                        } else {
                            theta[i] = theta[i] + negativeRate * d / denominator
                        }
                    }
                }
                withExtendedLifetime(buffers) {}
            }
        }
    }

}
