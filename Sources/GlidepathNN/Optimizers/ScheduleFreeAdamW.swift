import Foundation
import Glidepath
import GlidepathTensor

/// Schedule-Free AdamW (Defazio et al. 2024, arXiv:2405.15682), identical in operation order to
/// `schedulefree.AdamWScheduleFree` 1.4.1. At update t (0-based) of a group, with γ_t the rate after
/// warmup and c_{t+1} as in ``ScheduleFreeOptimizer``:
/// ```
/// v ← β₂·v + (1 − β₂)·g²
/// u ← g / (√(v / (1 − β₂^{t+1})) + ε) + λ·y                (decay taken at y)
/// y ← y + c_{t+1}·(z − y);  y ← y + γ_t·(β₁(1 − c_{t+1}) − 1)·u;  z ← z − γ_t·u
/// ```
/// There is no first moment: β₁ is the interpolation between z and x. Gradients are taken at y (the
/// parameters in ``OptimizerMode/training``); evaluate and save at x (``OptimizerMode/evaluation``,
/// or ``Optimizer/withEvaluationParameters(_:)``). A scheduler's rate is the reference's `lr` (warmup
/// and averaging apply on top of it).
public final class ScheduleFreeAdamW: ScheduleFreeOptimizer {
    public struct Hyperparameters: DefaultedHyperparameters, ScheduleFreeHyperparameters {
        /// γ (`lr`), ≥ 0.
        public var learningRate: Double
        /// The interpolation β₁ ∈ (0, 1).
        public var beta1: Double
        /// β₂ ∈ [0, 1) of the second moment.
        public var beta2: Double
        /// ε > 0 added to √v̂.
        public var epsilon: Double
        /// λ ≥ 0, applied at y inside the step (as the reference does).
        public var weightDecay: Double
        public var warmupSteps: Int
        public var averagingPower: Double
        public var weightLearningRatePower: Double

        /// The reference's defaults.
        public init(
            learningRate: Double = 0.0025, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
            weightDecay: Double = 0, warmupSteps: Int = 0, averagingPower: Double = 0,
            weightLearningRatePower: Double = 2
        ) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.warmupSteps = warmupSteps
            self.averagingPower = averagingPower
            self.weightLearningRatePower = weightLearningRatePower
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public var interpolation: Double { beta1 }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            try Check.open01(beta1, path + "beta1")
            try Check.unitInterval(beta2, path + "beta2")
            try Check.positive(epsilon, path + "epsilon")
            try Check.nonNegative(weightDecay, path + "weightDecay")
            try Check.scheduleFreeAverage(warmupSteps, averagingPower, weightLearningRatePower, path)
        }
    }

    public let state: OptimizerState<Hyperparameters, NoSharedHyperparameters, ScheduleFreeStatistics>
    /// A scheduler's momentum sets β₁, the interpolation.
    public static var momentumTarget: MomentumTarget<Hyperparameters, NoSharedHyperparameters> { .group(\.beta1) }

    public init(groups: [ParameterGroup<Hyperparameters>], shared: NoSharedHyperparameters) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.schedule-free-adamw", slotNames: ["z", "exp_avg_sq"], groups: groups,
            shared: shared, statistics: ScheduleFreeStatistics(groupCount: groups.count))
    }

    public func step() {
        requireTraining()
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let k = state.statistics.groups[g].step
            let correction2 = Float(1 - Foundation.pow(h.beta2, Double(k + 1)))
            let (rate, c) = advanceAverage(g)
            let beta2 = Float(h.beta2), oneMinusBeta2 = Float(1 - h.beta2), epsilon = Float(h.epsilon)
            let decay = Float(h.weightDecay), averageWeight = Float(c)
            let yStep = Float(rate * (h.beta1 * (1 - c) - 1)), zStep = -Float(rate)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                let zTensor = zBuffer(g, p, parameter)
                let vTensor = state.buffer(g, p, 1) { Tensor.zeros(shape: parameter.shape) }
                let z = zTensor.mutableBase(), v = vTensor.mutableBase()
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let y = data.baseAddress, let gradient = gradient.baseAddress else { return }
                    ElementBlocks.forEach(count: parameter.count) { range in
                        for i in range {
                            let grad = gradient[i]
                            v[i] = (v[i] * beta2).addingProduct(oneMinusBeta2 * grad, grad)
                            var u = grad / ((v[i] / correction2).squareRoot() + epsilon)
                            if decay != 0 { u = u.addingProduct(decay, y[i]) }
                            y[i] = ReferenceArithmetic.lerp(y[i], z[i], averageWeight).addingProduct(yStep, u)
                            z[i] = z[i].addingProduct(zStep, u)
                        }
                    }
                }
                withExtendedLifetime((zTensor, vTensor)) {}
            }
        }
    }
}
