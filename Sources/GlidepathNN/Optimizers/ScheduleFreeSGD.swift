import Foundation
import Glidepath
import GlidepathTensor

/// Schedule-Free SGD (Defazio et al. 2024, arXiv:2405.15682), identical in operation order to
/// `schedulefree.SGDScheduleFree` 1.4.1. At update t of a group, with γ_t the rate after warmup and
/// c_{t+1} as in ``ScheduleFreeOptimizer``:
/// ```
/// u ← g + λ·y
/// y ← y + c_{t+1}·(z − y);  y ← y + γ_t·(β(1 − c_{t+1}) − 1)·u;  z ← z − γ_t·u
/// ```
/// β is the momentum (the interpolation between z and x). Evaluate and save at x (see
/// ``ScheduleFreeAdamW``).
public final class ScheduleFreeSGD: ScheduleFreeOptimizer {
    public struct Hyperparameters: DefaultedHyperparameters, ScheduleFreeHyperparameters {
        /// γ (`lr`), ≥ 0.
        public var learningRate: Double
        /// The interpolation β ∈ (0, 1) (`momentum`).
        public var momentum: Double
        /// λ ≥ 0, added to the gradient at y.
        public var weightDecay: Double
        public var warmupSteps: Int
        public var averagingPower: Double
        public var weightLearningRatePower: Double

        /// The reference's defaults.
        public init(
            learningRate: Double = 1, momentum: Double = 0.9, weightDecay: Double = 0, warmupSteps: Int = 0,
            averagingPower: Double = 0, weightLearningRatePower: Double = 2
        ) {
            self.learningRate = learningRate
            self.momentum = momentum
            self.weightDecay = weightDecay
            self.warmupSteps = warmupSteps
            self.averagingPower = averagingPower
            self.weightLearningRatePower = weightLearningRatePower
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public var interpolation: Double { momentum }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            try Check.open01(momentum, path + "momentum")
            try Check.nonNegative(weightDecay, path + "weightDecay")
            try Check.scheduleFreeAverage(warmupSteps, averagingPower, weightLearningRatePower, path)
        }
    }

    public let state: OptimizerState<Hyperparameters, NoSharedHyperparameters, ScheduleFreeStatistics>
    /// A scheduler's momentum sets β, the interpolation.
    public static var momentumTarget: MomentumTarget<Hyperparameters, NoSharedHyperparameters> { .group(\.momentum) }

    public init(groups: [ParameterGroup<Hyperparameters>], shared: NoSharedHyperparameters) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.schedule-free-sgd", slotNames: ["z"], groups: groups, shared: shared,
            statistics: ScheduleFreeStatistics(groupCount: groups.count))
    }

    public func step() {
        requireTraining()
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let (rate, c) = advanceAverage(g)
            let decay = Float(h.weightDecay), averageWeight = Float(c)
            let yStep = Float(rate * (h.momentum * (1 - c) - 1)), zStep = -Float(rate)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                let zTensor = zBuffer(g, p, parameter)
                let z = zTensor.mutableBase()
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let y = data.baseAddress, let gradient = gradient.baseAddress else { return }
                    ElementBlocks.forEach(count: parameter.count) { range in
                        for i in range {
                            var u = gradient[i]
                            if decay != 0 { u = u.addingProduct(decay, y[i]) }
                            y[i] = ReferenceArithmetic.lerp(y[i], z[i], averageWeight).addingProduct(yStep, u)
                            z[i] = z[i].addingProduct(zStep, u)
                        }
                    }
                }
                withExtendedLifetime(zTensor) {}
            }
        }
    }
}
