import Foundation
import Glidepath
import GlidepathTensor

/// Prodigy, the Adam variant (Mishchenko & Defazio, "Prodigy: An Expeditiously Adaptive
/// Parameter-Free Learner", ICML 2024, arXiv:2306.06101), identical in operation order to
/// `prodigyopt.Prodigy` 1.1.2. With γ the largest group rate (the reference's `lr`), d_k the estimate,
/// ρ_k = (1 − β₂^{k+1})^{1/2} / (1 − β₁^{k+1}) with bias correction and 1 without, and x₀ the initial
/// parameters (every `sliceStride`-th element):
/// ```
/// η_k = d_k·γ·ρ_k
/// r ← β₃·r + (d_k/d₀)·η_k·⟨g, x₀ − x⟩                        (summed over groups with γ > 0)
/// m ← β₁·m + d_k(1 − β₁)·g ;  v ← β₂·v + d_k²(1 − β₂)·g²
/// s ← β₃·s + (d_k/d₀)·η_k·g      (safeguard warmup: (d_k/d₀)·d_k·g)
/// d̂ = dCoef·r / ‖s‖₁ ;  d ← max(d, d̂) while d = d₀ ;  d_max ← max(d_max, d̂) ;  d_{k+1} = min(d_max, d·growth)
/// x ← x − λ·η_k·x (decoupled) ;  x ← x − η_k·m / (√v + d_{k+1}·ε)     (β₁ = 0: g·d_{k+1} for m)
/// ```
/// Coupled weight decay adds λ·x to g first. β₃ defaults to √β₂. An update in which ‖s‖₁ = 0 (no
/// gradient information yet) changes the moments but neither d nor the parameters, as in the reference.
///
/// A scheduler's rate is the reference's `lr`, the multiplier γ of the adapted step; the groups' rates
/// must be equal or 0 (``GroupRateRule/equalOrZero``).
public final class Prodigy: GroupedOptimizer, StepSizeEstimating {
    public struct Hyperparameters: DefaultedHyperparameters {
        /// γ (`lr`), ≥ 0: the multiplier of the adapted step.
        public var learningRate: Double
        /// λ ≥ 0 (coupled or decoupled as ``Shared/decoupledWeightDecay`` says).
        public var weightDecay: Double
        /// ε > 0; the denominator adds d·ε.
        public var epsilon: Double

        /// The reference's defaults.
        public init(learningRate: Double = 1, weightDecay: Double = 0, epsilon: Double = 1e-8) {
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.epsilon = epsilon
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            try Check.nonNegative(weightDecay, path + "weightDecay")
            try Check.positive(epsilon, path + "epsilon")
        }
    }

    /// What the reference reads from its first group, for all groups.
    public struct Shared: SharedHyperparameters {
        /// β₁ ∈ [0, 1); 0 keeps no first moment.
        public var beta1: Double
        /// β₂ ∈ [0, 1).
        public var beta2: Double
        /// β₃ ∈ [0, 1) of the estimate's running sums; nil = √β₂.
        public var beta3: Double?
        /// d₀ > 0, the initial estimate.
        public var d0: Double
        /// The factor of d̂ (`d_coef`), > 0: the preferred way to tune Prodigy.
        public var dCoef: Double
        /// The largest factor d may grow by per update (`growth_rate`), ≥ 1; ∞ = unlimited.
        public var growthRate: Double
        /// AdamW-style decay θ ← θ − λ·η·θ (`decouple`, the reference's default) instead of L2 in the gradient.
        public var decoupledWeightDecay: Bool
        /// Adam's bias correction ρ_k (`use_bias_correction`).
        public var biasCorrection: Bool
        /// Leave γ out of s's increment, against a too-small d during warmup (`safeguard_warmup`).
        public var safeguardWarmup: Bool
        /// Estimate from every n-th element only (`slice_p`), ≥ 1; 1 = all.
        public var sliceStride: Int

        /// The reference's defaults.
        public init(
            beta1: Double = 0.9, beta2: Double = 0.999, beta3: Double? = nil, d0: Double = 1e-6, dCoef: Double = 1,
            growthRate: Double = .infinity, decoupledWeightDecay: Bool = true, biasCorrection: Bool = false,
            safeguardWarmup: Bool = false, sliceStride: Int = 1
        ) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.beta3 = beta3
            self.d0 = d0
            self.dCoef = dCoef
            self.growthRate = growthRate
            self.decoupledWeightDecay = decoupledWeightDecay
            self.biasCorrection = biasCorrection
            self.safeguardWarmup = safeguardWarmup
            self.sliceStride = sliceStride
        }

        public static var defaults: Shared { Shared() }

        public func validate(path: String) throws(NNError) {
            try Check.unitInterval(beta1, path + "beta1")
            try Check.unitInterval(beta2, path + "beta2")
            if let beta3 { try Check.unitInterval(beta3, path + "beta3") }
            try Check.positive(d0, path + "d0")
            try Check.positive(dCoef, path + "dCoef")
            try Check.growthRate(growthRate, path + "growthRate")
            try NNError.require(sliceStride >= 1, path + "sliceStride", sliceStride, "must be ≥ 1")
        }
    }

    /// The estimate and its running sums.
    public struct Statistics: OptimizerStatistics {
        /// Updates taken (`k`).
        public var step: Int = 0
        /// The estimate d (`d`).
        public var d: Double
        /// The largest d̂ so far (`d_max`).
        public var dMax: Double
        /// The running numerator r (`d_numerator`).
        public var dNumerator: Double = 0
        /// The latest ‖s‖₁ (`d_denom`).
        public var dDenominator: Double = 0
        /// The latest d̂ (`d_hat`).
        public var dHat: Double

        init(d0: Double) {
            d = d0
            dMax = d0
            dHat = d0
        }

        public func validate(parameterCounts: [Int]) throws(StateFileError) {
            guard step >= 0, d > 0, dMax > 0 else {
                throw .incompatible(field: "statistics", expected: "step ≥ 0, d > 0, dMax > 0", found: "\(self)")
            }
        }
    }

    public let state: OptimizerState<Hyperparameters, Shared, Statistics>
    /// A scheduler's momentum sets β₁ (shared; the first group's value).
    public static var momentumTarget: MomentumTarget<Hyperparameters, Shared> { .shared(\.beta1) }
    public static var estimateName: String { "d" }

    static let s = 0, x0 = 1, firstMoment = 2, secondMoment = 3

    public init(groups: [ParameterGroup<Hyperparameters>], shared: Shared) throws(NNError) {
        let stride = SlotShape.strided(max(1, shared.sliceStride))
        state = try OptimizerState(
            kind: "optimizer.prodigy", slotNames: ["s", "p0", "exp_avg", "exp_avg_sq"],
            slotShapes: [stride, stride, .parameter, .parameter], groups: groups, shared: shared,
            statistics: Statistics(d0: shared.d0), rule: .equalOrZero)
    }

    public var stepSizeEstimates: [Double] { state.groups.map { _ in state.statistics.d } }

    public func step() {
        let shared = state.shared, statistics = state.statistics
        let beta1 = shared.beta1, beta2 = shared.beta2, beta3 = shared.beta3 ?? beta2.squareRoot()
        let k = Double(statistics.step), d = statistics.d
        let rate = state.groups.map(\.hyperparameters.learningRate).reduce(0, ReferenceArithmetic.pythonMax)
        let correction =
            shared.biasCorrection
            ? Foundation.pow(1 - Foundation.pow(beta2, k + 1), 0.5) / (1 - Foundation.pow(beta1, k + 1)) : 1
        let stepSize = d * rate * correction
        let sIncrement = (d / shared.d0) * (shared.safeguardWarmup ? d : stepSize)
        var deltaNumerator = 0.0, denominator = 0.0
        let stride = shared.sliceStride
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let coupled = h.weightDecay != 0 && !shared.decoupledWeightDecay ? Float(h.weightDecay) : 0
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                let buffers = makeBuffers(g, p, parameter, firstMoment: beta1 > 0)
                guard h.learningRate > 0 else { continue }
                let sBase = buffers.s.mutableBase(), x0Base = buffers.x0.mutableBase(), vBase = buffers.v.mutableBase()
                let mBase = buffers.m?.mutableBase()
                let m1 = Float(beta1), m1Step = Float(d * (1 - beta1))
                let v2 = Float(beta2), v2Step = Float(d * d * (1 - beta2))
                let b3 = Float(beta3), sStep = Float(sIncrement)
                var dot = 0.0, norm = 0.0
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let x = data.baseAddress, let raw = gradient.baseAddress else { return }
                    let sliced = (parameter.count + stride - 1) / stride
                    dot = ElementBlocks.sum(count: sliced) {
                        ElementBlocks.lanes($0) { (j: Int) -> Double in
                            let i = j * stride
                            return Double(raw[i].addingProduct(coupled, x[i])) * Double(x0Base[j] - x[i])
                        }
                    }
                    // Separate loops for with and without a first moment, so each vectorises.
                    ElementBlocks.forEach(count: parameter.count) { range in
                        if let mBase {
                            for i in range {
                                let grad = raw[i].addingProduct(coupled, x[i])
                                mBase[i] = (mBase[i] * m1).addingProduct(m1Step, grad)
                                vBase[i] = (vBase[i] * v2).addingProduct(v2Step * grad, grad)
                            }
                        } else {
                            for i in range {
                                let grad = raw[i].addingProduct(coupled, x[i])
                                vBase[i] = (vBase[i] * v2).addingProduct(v2Step * grad, grad)
                            }
                        }
                    }
                    norm = ElementBlocks.sum(count: sliced) {
                        ElementBlocks.lanes($0) { (j: Int) -> Double in
                            let i = j * stride
                            sBase[j] = (sBase[j] * b3).addingProduct(sStep, raw[i].addingProduct(coupled, x[i]))
                            return Double(Swift.abs(sBase[j]))
                        }
                    }
                }
                deltaNumerator += (d / shared.d0) * stepSize * ReferenceArithmetic.float32(dot)
                denominator += ReferenceArithmetic.float32(norm)
                withExtendedLifetime(buffers) {}
            }
        }
        // No gradient information yet: the reference returns before d and the parameters change.
        guard denominator != 0 else { return }
        var next = statistics
        next.dNumerator = statistics.dNumerator * beta3 + deltaNumerator
        next.dDenominator = denominator
        next.dHat = shared.dCoef * next.dNumerator / denominator
        var newD = d
        if d == shared.d0 { newD = ReferenceArithmetic.pythonMax(d, next.dHat) }
        next.dMax = ReferenceArithmetic.pythonMax(statistics.dMax, next.dHat)
        next.d = ReferenceArithmetic.pythonMin(next.dMax, newD * shared.growthRate)
        next.step = statistics.step + 1
        state.statistics = next
        applyUpdate(stepSize: stepSize, d: next.d, firstMoment: beta1 > 0)
    }

    private func makeBuffers(_ g: Int, _ p: Int, _ parameter: Tensor, firstMoment: Bool)
        -> (s: Tensor, x0: Tensor, m: Tensor?, v: Tensor)
    {
        let stride = state.shared.sliceStride
        let s = state.buffer(g, p, Self.s) { state.zeros(Self.s, like: parameter) }
        let x0 = state.buffer(g, p, Self.x0) {
            let values = parameter.scalars
            return Tensor.make(shape: SlotShape.strided(stride).shape(of: parameter)) { copy in
                for j in copy.indices { copy[j] = values[j * stride] }
            }
        }
        let m = firstMoment ? state.buffer(g, p, Self.firstMoment) { Tensor.zeros(shape: parameter.shape) } : nil
        let v = state.buffer(g, p, Self.secondMoment) { Tensor.zeros(shape: parameter.shape) }
        return (s, x0, m, v)
    }

    /// The reference's second loop: every parameter with a gradient moves with the new d.
    private func applyUpdate(stepSize: Double, d: Double, firstMoment: Bool) {
        let decoupled = state.shared.decoupledWeightDecay
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let epsilon = Float(d * h.epsilon), decay = Float(-h.weightDecay * stepSize)
            let coupled = h.weightDecay != 0 && !decoupled ? Float(h.weightDecay) : 0
            let momentStep = Float(-stepSize), gradientStep = Float(-stepSize * d)
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                state.slots[g][p].step += 1
                let buffers = state.slots[g][p].buffers
                guard let vTensor = buffers[Self.secondMoment] else { continue }
                let v = vTensor.mutableBase()
                let m = firstMoment ? buffers[Self.firstMoment]?.mutableBase() : nil
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let x = data.baseAddress, let raw = gradient.baseAddress else { return }
                    // The decay factor is 0 unless decoupled decay applies: x + 0·x = x, as the reference's
                    // skipped step (finite x). One loop per moment case, so each vectorises.
                    let factor = decoupled && h.weightDecay != 0 ? decay : 0
                    ElementBlocks.forEach(count: parameter.count) { range in
                        if let m {
                            for i in range {
                                let decayed = x[i].addingProduct(factor, x[i])
                                x[i] = decayed + (momentStep * m[i]) / (v[i].squareRoot() + epsilon)
                            }
                        } else {
                            for i in range {
                                let decayed = x[i].addingProduct(factor, x[i])
                                x[i] =
                                    decayed + (gradientStep * raw[i].addingProduct(coupled, decayed))
                                    / (v[i].squareRoot() + epsilon)
                            }
                        }
                    }
                }
                withExtendedLifetime(buffers) {}
            }
        }
    }
}
