import Foundation
import Glidepath
import GlidepathTensor

/// D-Adaptation SGD (Defazio & Mishchenko 2023, arXiv:2301.07733, the dual-averaging form with
/// momentum), identical in operation order to `dadaptation.DAdaptSGD` 3.2. With γ the largest group
/// rate, d_k the estimate, ‖g₀‖ the norm of the first gradient, η_k = d_k·γ/‖g₀‖ and c = 1 − μ:
/// ```
/// g ← g + λ·x
/// R ← R + η_k·⟨g, s⟩ ;  s ← s + η_k·g
/// d̂ = 2R / ‖s‖ ;  d_{k+1} = max(d_k, min(d̂, d_k·growth))
/// z = x₀ − s ;  x ← (1 − c)·x + c·z
/// ```
/// ‖g₀‖ is taken without weight decay (the reference's `grad.add` there is not in place).
///
/// Differences from the reference: each group uses its own weight decay (the reference applies the
/// first group's to all); an update with ‖g₀‖ = 0 or ‖s‖ = 0 changes nothing (the reference raises
/// ZeroDivisionError). The groups' rates must be equal or 0 (``GroupRateRule/equalOrZero``).
public final class DAdaptSGD: GroupedOptimizer, StepSizeEstimating {
    public struct Hyperparameters: DefaultedHyperparameters {
        /// γ (`lr`), ≥ 0: the multiplier of the adapted step.
        public var learningRate: Double
        /// λ ≥ 0, added to the gradient.
        public var weightDecay: Double

        /// The reference's defaults.
        public init(learningRate: Double = 1, weightDecay: Double = 0) {
            self.learningRate = learningRate
            self.weightDecay = weightDecay
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            try Check.nonNegative(weightDecay, path + "weightDecay")
        }
    }

    /// What the reference reads from its first group, for all groups.
    public struct Shared: SharedHyperparameters {
        /// μ ∈ [0, 1): x moves a fraction 1 − μ toward z each update.
        public var momentum: Double
        /// d₀ > 0, the initial estimate.
        public var d0: Double
        /// The largest factor d may grow by per update (`growth_rate`), ≥ 1; ∞ = unlimited.
        public var growthRate: Double

        /// The reference's defaults.
        public init(momentum: Double = 0, d0: Double = 1e-6, growthRate: Double = .infinity) {
            self.momentum = momentum
            self.d0 = d0
            self.growthRate = growthRate
        }

        public static var defaults: Shared { Shared() }

        public func validate(path: String) throws(NNError) {
            try Check.unitInterval(momentum, path + "momentum")
            try Check.positive(d0, path + "d0")
            try Check.growthRate(growthRate, path + "growthRate")
        }
    }

    public let state: OptimizerState<Hyperparameters, Shared, DAdaptationStatistics>
    /// A scheduler's momentum sets μ (shared; the first group's value).
    public static var momentumTarget: MomentumTarget<Hyperparameters, Shared> { .shared(\.momentum) }
    public static var estimateName: String { "d" }

    static let z = 0, s = 1, x0 = 2

    public init(groups: [ParameterGroup<Hyperparameters>], shared: Shared) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.dadapt-sgd", slotNames: ["z", "s", "x0"], groups: groups, shared: shared,
            statistics: DAdaptationStatistics(d0: shared.d0), rule: .equalOrZero)
    }

    public var stepSizeEstimates: [Double] { state.groups.map { _ in state.statistics.d } }

    public func step() {
        let shared = state.shared, statistics = state.statistics
        let rate = state.groups.map(\.hyperparameters.learningRate).reduce(0, ReferenceArithmetic.pythonMax)
        let d = statistics.d
        var initialNorm = statistics.initialGradientNorm
        if statistics.step == 0 {
            var squares = 0.0
            for group in state.groups where group.hyperparameters.learningRate > 0 {
                for parameter in group.parameters {
                    guard let gradient = parameter.grad else { continue }
                    squares += ReferenceArithmetic.float32(Self.sumOfSquares(gradient))
                }
            }
            initialNorm = squares.squareRoot()
        }
        guard initialNorm > 0 else { return }
        let stepSize = d * rate / initialNorm
        var numerator = statistics.numeratorWeighted, norm = 0.0
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let decay = Float(h.weightDecay), increment = Float(stepSize)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                _ = state.buffer(g, p, Self.z) { Tensor.copy(of: parameter) }
                _ = state.buffer(g, p, Self.x0) { Tensor.copy(of: parameter) }
                let sTensor = state.buffer(g, p, Self.s) { Tensor.zeros(shape: parameter.shape) }
                guard h.learningRate > 0 else { continue }
                let s = sTensor.mutableBase()
                var dot = 0.0, squares = 0.0
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let x = data.baseAddress, let raw = gradient.baseAddress else { return }
                    dot = ElementBlocks.sum(count: parameter.count) {
                        ElementBlocks.lanes($0) { (i: Int) -> Double in
                            Double(raw[i].addingProduct(decay, x[i])) * Double(s[i])
                        }
                    }
                    squares = ElementBlocks.sum(count: parameter.count) {
                        ElementBlocks.lanes($0) { (i: Int) -> Double in
                            s[i] = s[i].addingProduct(increment, raw[i].addingProduct(decay, x[i]))
                            return Double(s[i] * s[i])
                        }
                    }
                }
                numerator += stepSize * ReferenceArithmetic.float32(dot)
                norm += ReferenceArithmetic.float32(squares)
                withExtendedLifetime(sTensor) {}
            }
        }
        guard norm != 0 else { return }
        var next = statistics
        next.numeratorWeighted = numerator
        next.initialGradientNorm = initialNorm
        next.dHat = 2 * numerator / norm.squareRoot()
        next.d = ReferenceArithmetic.pythonMax(d, ReferenceArithmetic.pythonMin(next.dHat, d * shared.growthRate))
        next.step = statistics.step + 1
        state.statistics = next
        let c = 1 - shared.momentum
        let keep = Float(1 - c), toward = Float(c)
        for (g, group) in state.groups.enumerated() {
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                state.slots[g][p].step += 1
                let buffers = state.slots[g][p].buffers
                guard let zTensor = buffers[Self.z], let sTensor = buffers[Self.s], let x0Tensor = buffers[Self.x0]
                else { continue }
                let z = zTensor.mutableBase(), s = sTensor.mutableBase(), start = x0Tensor.mutableBase()
                parameter.withUnsafeMutableBufferPointer { data in
                    guard let x = data.baseAddress else { return }
                    ElementBlocks.forEach(count: parameter.count) { range in
                        for i in range {
                            z[i] = start[i] - s[i]
                            x[i] = (x[i] * keep).addingProduct(toward, z[i])
                        }
                    }
                }
                withExtendedLifetime(buffers) {}
            }
        }
    }

    /// Σ g² with each square rounded to Float32 (the reference's `(grad * grad).sum()`).
    static func sumOfSquares(_ tensor: Tensor) -> Double {
        tensor.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return ElementBlocks.sum(count: buffer.count) {
                ElementBlocks.lanes($0) { (i: Int) -> Double in Double(base[i] * base[i]) }
            }
        }
    }
}
