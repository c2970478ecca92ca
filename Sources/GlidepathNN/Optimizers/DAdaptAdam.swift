import Foundation
import Glidepath
import GlidepathTensor

/// D-Adaptation Adam (Defazio & Mishchenko, "Learning-Rate-Free Learning by D-Adaptation", ICML 2023,
/// arXiv:2301.07733), identical in operation order to `dadaptation.DAdaptAdam` 3.2. With γ the largest
/// group rate, d_k the estimate, ρ_k Adam's bias correction (1 without), η_k = d_k·γ·ρ_k and a group's
/// layer scale ℓ:
/// ```
/// r_k = Σ ℓ·η_k·⟨g, s / (√v + ε)⟩                        (v and s before this update)
/// m ← β₁·m + ℓ·η_k(1 − β₁)·g ;  v ← β₂·v + (1 − β₂)·g² ;  s ← √β₂·s + η_k(1 − √β₂)·g
/// R ← √β₂·R + (1 − √β₂)·r_k ;  d̂ = R / ((1 − √β₂)·Σ ℓ‖s‖₁) ;  d_{k+1} = max(d_k, min(d̂, d_k·growth))
/// x ← x − λ·η_k·x (decoupled) ;  x ← x − m / (√v + ε)
/// ```
/// Coupled weight decay (the reference's default) adds λ·x to g first. An update with Σ‖s‖₁ = 0
/// changes the moments but neither d nor the parameters, as in the reference. The groups' rates must be
/// equal or 0 (``GroupRateRule/equalOrZero``); per-layer scaling is ``Hyperparameters/layerScale``.
public final class DAdaptAdam: GroupedOptimizer, StepSizeEstimating {
    public struct Hyperparameters: DefaultedHyperparameters {
        /// γ (`lr`), ≥ 0: the multiplier of the adapted step.
        public var learningRate: Double
        /// λ ≥ 0 (coupled or decoupled as ``Shared/decoupledWeightDecay`` says).
        public var weightDecay: Double
        /// ε > 0 added to √v.
        public var epsilon: Double
        /// ℓ ≥ 0, this group's scale of the step relative to the others (`layer_scale`).
        public var layerScale: Double

        /// The reference's defaults.
        public init(learningRate: Double = 1, weightDecay: Double = 0, epsilon: Double = 1e-8, layerScale: Double = 1) {
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.epsilon = epsilon
            self.layerScale = layerScale
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            try Check.nonNegative(weightDecay, path + "weightDecay")
            try Check.positive(epsilon, path + "epsilon")
            try Check.nonNegative(layerScale, path + "layerScale")
        }
    }

    /// What the reference reads from its first group, for all groups.
    public struct Shared: SharedHyperparameters {
        /// β₁ ∈ [0, 1).
        public var beta1: Double
        /// β₂ ∈ [0, 1).
        public var beta2: Double
        /// d₀ > 0, the initial estimate.
        public var d0: Double
        /// The largest factor d may grow by per update (`growth_rate`), ≥ 1; ∞ = unlimited.
        public var growthRate: Double
        /// AdamW-style decay (`decouple`) instead of the reference's default L2 in the gradient.
        public var decoupledWeightDecay: Bool
        /// Adam's bias correction ρ_k (`use_bias_correction`).
        public var biasCorrection: Bool

        /// The reference's defaults.
        public init(
            beta1: Double = 0.9, beta2: Double = 0.999, d0: Double = 1e-6, growthRate: Double = .infinity,
            decoupledWeightDecay: Bool = false, biasCorrection: Bool = false
        ) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.d0 = d0
            self.growthRate = growthRate
            self.decoupledWeightDecay = decoupledWeightDecay
            self.biasCorrection = biasCorrection
        }

        public static var defaults: Shared { Shared() }

        public func validate(path: String) throws(NNError) {
            try Check.unitInterval(beta1, path + "beta1")
            try Check.unitInterval(beta2, path + "beta2")
            try Check.positive(d0, path + "d0")
            try Check.growthRate(growthRate, path + "growthRate")
        }
    }

    public let state: OptimizerState<Hyperparameters, Shared, DAdaptationStatistics>
    /// A scheduler's momentum sets β₁ (shared; the first group's value).
    public static var momentumTarget: MomentumTarget<Hyperparameters, Shared> { .shared(\.beta1) }
    public static var estimateName: String { "d" }

    static let s = 0, firstMoment = 1, secondMoment = 2

    public init(groups: [ParameterGroup<Hyperparameters>], shared: Shared) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.dadapt-adam", slotNames: ["s", "exp_avg", "exp_avg_sq"], groups: groups,
            shared: shared, statistics: DAdaptationStatistics(d0: shared.d0), rule: .equalOrZero)
    }

    public var stepSizeEstimates: [Double] { state.groups.map { _ in state.statistics.d } }

    public func step() {
        let shared = state.shared, statistics = state.statistics
        let k = Double(statistics.step), d = statistics.d
        let rate = state.groups.map(\.hyperparameters.learningRate).reduce(0, ReferenceArithmetic.pythonMax)
        let correction =
            shared.biasCorrection
            ? Foundation.pow(1 - Foundation.pow(shared.beta2, k + 1), 0.5) / (1 - Foundation.pow(shared.beta1, k + 1))
            : 1
        let stepSize = d * rate * correction
        let rootBeta2 = Foundation.pow(shared.beta2, 0.5)
        var numerator = 0.0, norm = 0.0
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let coupled = h.weightDecay != 0 && !shared.decoupledWeightDecay ? Float(h.weightDecay) : 0
            let epsilon = Float(h.epsilon), scale = h.layerScale
            let b1 = Float(shared.beta1), mStep = Float(scale * stepSize * (1 - shared.beta1))
            let b2 = Float(shared.beta2), vStep = Float(1 - shared.beta2)
            let sDecay = Float(rootBeta2), sStep = Float(stepSize * (1 - rootBeta2))
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                let sTensor = state.buffer(g, p, Self.s) { Tensor.zeros(shape: parameter.shape) }
                let mTensor = state.buffer(g, p, Self.firstMoment) { Tensor.zeros(shape: parameter.shape) }
                let vTensor = state.buffer(g, p, Self.secondMoment) { Tensor.zeros(shape: parameter.shape) }
                guard h.learningRate > 0 else { continue }
                let s = sTensor.mutableBase(), m = mTensor.mutableBase(), v = vTensor.mutableBase()
                var dot = 0.0, absolute = 0.0
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let x = data.baseAddress, let raw = gradient.baseAddress else { return }
                    dot = ElementBlocks.sum(count: parameter.count) {
                        ElementBlocks.lanes($0) { (i: Int) -> Double in
                            Double(raw[i].addingProduct(coupled, x[i])) * Double(s[i] / (v[i].squareRoot() + epsilon))
                        }
                    }
                    absolute = ElementBlocks.sum(count: parameter.count) {
                        ElementBlocks.lanes($0) { (i: Int) -> Double in
                            let grad = raw[i].addingProduct(coupled, x[i])
                            m[i] = (m[i] * b1).addingProduct(mStep, grad)
                            v[i] = (v[i] * b2).addingProduct(vStep * grad, grad)
                            s[i] = (s[i] * sDecay).addingProduct(sStep, grad)
                            return Double(Swift.abs(s[i]))
                        }
                    }
                }
                numerator += scale * stepSize * ReferenceArithmetic.float32(dot)
                norm += scale * ReferenceArithmetic.float32(absolute)
                withExtendedLifetime((sTensor, mTensor, vTensor)) {}
            }
        }
        let weighted = rootBeta2 * statistics.numeratorWeighted + (1 - rootBeta2) * numerator
        // No gradient information yet: the reference returns before d and the parameters change.
        guard norm != 0 else { return }
        var next = statistics
        next.numeratorWeighted = weighted
        next.dHat = weighted / ((1 - rootBeta2) * norm)
        next.d = ReferenceArithmetic.pythonMax(d, ReferenceArithmetic.pythonMin(next.dHat, d * shared.growthRate))
        next.step = statistics.step + 1
        state.statistics = next
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let epsilon = Float(h.epsilon), decay = Float(-h.weightDecay * stepSize)
            let decoupled = shared.decoupledWeightDecay && h.weightDecay != 0
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                state.slots[g][p].step += 1
                let buffers = state.slots[g][p].buffers
                guard let mTensor = buffers[Self.firstMoment], let vTensor = buffers[Self.secondMoment] else {
                    continue
                }
                let m = mTensor.mutableBase(), v = vTensor.mutableBase()
                parameter.withUnsafeMutableBufferPointer { data in
                    guard let x = data.baseAddress else { return }
                    ElementBlocks.forEach(count: parameter.count) { range in
                        for i in range {
                            if decoupled { x[i] = x[i].addingProduct(decay, x[i]) }
                            x[i] = x[i] + -m[i] / (v[i].squareRoot() + epsilon)
                        }
                    }
                }
                withExtendedLifetime(buffers) {}
            }
        }
    }
}

/// The D-Adaptation estimate and its running sums (``DAdaptAdam``, ``DAdaptSGD``).
public struct DAdaptationStatistics: OptimizerStatistics {
    /// Updates taken (`k`).
    public var step: Int = 0
    /// The estimate d (`d`).
    public var d: Double
    /// The running numerator (`numerator_weighted`).
    public var numeratorWeighted: Double = 0
    /// The latest d̂.
    public var dHat: Double
    /// ‖g₀‖ of the first update (`g0_norm`; D-Adaptation SGD only, 0 before it).
    public var initialGradientNorm: Double = 0

    init(d0: Double) {
        d = d0
        dHat = d0
    }

    public func validate(parameterCounts: [Int]) throws(StateFileError) {
        guard step >= 0, d > 0, initialGradientNorm >= 0 else {
            throw .incompatible(
                field: "statistics", expected: "step ≥ 0, d > 0, initialGradientNorm ≥ 0", found: "\(self)")
        }
    }
}
