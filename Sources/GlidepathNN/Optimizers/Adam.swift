import Foundation
import Glidepath
import GlidepathTensor

/// Adam (Kingma & Ba 2015, arXiv:1412.6980) and AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101),
/// with optional AMSGrad (Reddi et al. 2018), identical in operation order to PyTorch's
/// `torch.optim.Adam` / `AdamW` (`_single_tensor_adam`, torch 2.15). At step t:
/// ```
/// θ ← θ·(1 − η·λ)                         (AdamW, decoupled decay)
/// g ← ∇θ + λ·θ                            (Adam, L2 decay; if λ ≠ 0)
/// m ← m + (1 − β₁)·(g − m)                (lerp)
/// v ← β₂·v + (1 − β₂)·g·g
/// v̂ ← max(v̂, v)                          (AMSGrad; the denominator then uses v̂)
/// θ ← θ − (η/(1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// Bias corrections and the step size are computed in Double (PyTorch computes them as Python floats)
/// and rounded to Float32 for the element loop.
public final class Adam: GroupedOptimizer {
    /// Whether weight decay is L2 added to the gradient (Adam) or decoupled (AdamW).
    public enum WeightDecayMode: String, Codable, Sendable { case coupled, decoupled }

    public struct Hyperparameters: DefaultedHyperparameters {
        public var learningRate: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var weightDecay: Double
        public var weightDecayMode: WeightDecayMode
        public var amsgrad: Bool

        /// Adam's defaults are PyTorch's: β = (0.9, 0.999), ε = 1e-8, no decay. For AdamW use
        /// ``adamW(learningRate:beta1:beta2:epsilon:weightDecay:amsgrad:)``.
        public init(
            learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
            weightDecay: Double = 0, weightDecayMode: WeightDecayMode = .coupled, amsgrad: Bool = false
        ) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.weightDecayMode = weightDecayMode
            self.amsgrad = amsgrad
        }

        /// AdamW with PyTorch's defaults (weight decay 0.01).
        public static func adamW(
            learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
            epsilon: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false
        ) -> Hyperparameters {
            Hyperparameters(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                weightDecay: weightDecay, weightDecayMode: .decoupled, amsgrad: amsgrad)
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path prefix: String) throws(NNError) {
            try Check.nonNegative(learningRate, prefix + "learningRate")
            try Check.unitInterval(beta1, prefix + "beta1")
            try Check.unitInterval(beta2, prefix + "beta2")
            try Check.nonNegative(epsilon, prefix + "epsilon")
            try Check.nonNegative(weightDecay, prefix + "weightDecay")
        }
    }

    public let state: OptimizerState<Hyperparameters, NoSharedHyperparameters, NoStatistics>
    /// A scheduler's momentum sets β₁ (what PyTorch's cyclic schedulers move for Adam).
    public static var momentumTarget: MomentumTarget<Hyperparameters, NoSharedHyperparameters> { .group(\.beta1) }

    public init(groups: [ParameterGroup<Hyperparameters>], shared: NoSharedHyperparameters) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.adam", slotNames: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
            groups: groups, shared: shared, statistics: NoStatistics())
    }

    public func step() {
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                if state.slots[g][p].buffers[0] == nil {
                    state.slots[g][p].buffers[0] = Tensor.zeros(shape: parameter.shape)
                    state.slots[g][p].buffers[1] = Tensor.zeros(shape: parameter.shape)
                    if h.amsgrad { state.slots[g][p].buffers[2] = Tensor.zeros(shape: parameter.shape) }
                }
                if h.amsgrad && state.slots[g][p].buffers[2] == nil {
                    state.slots[g][p].buffers[2] = Tensor.zeros(shape: parameter.shape)
                }
                state.slots[g][p].step += 1
                let buffers = state.slots[g][p].buffers
                guard let first = buffers[0], let second = buffers[1] else { continue }
                let t = Double(state.slots[g][p].step)
                let correction1 = 1 - Foundation.pow(h.beta1, t)
                let correction2 = 1 - Foundation.pow(h.beta2, t)
                let stepSize = h.learningRate / correction1
                let constants = AdamConstants(
                    weightDecay: Float(h.weightDecay), decoupled: h.weightDecayMode == .decoupled && h.weightDecay != 0,
                    coupled: h.weightDecayMode == .coupled && h.weightDecay != 0,
                    decayFactor: Float(1 - h.learningRate * h.weightDecay), lerpWeight: Float(1 - h.beta1),
                    beta2: Float(h.beta2), oneMinusBeta2: Float(1 - h.beta2),
                    correction2Root: Float(correction2.squareRoot()), epsilon: Float(h.epsilon),
                    negativeStepSize: Float(-stepSize))
                let maximum = h.amsgrad ? buffers[2]?.mutableBase() : nil
                let m = first.mutableBase(), v = second.mutableBase()
                parameter.withUnsafeMutableDataAndGradient { theta, gradient in
                    guard let theta = theta.baseAddress, let gradient = gradient.baseAddress else { return }
                    // Large tensors (the BiLSTM's 2M-row embedding) are split over the engine's threads
                    // in fixed chunks; element-wise, so the result is the same for any split.
                    let count = parameter.count, chunks = count >= 1 << 16 ? Engine.threadCount : 1
                    Engine.parallelFor(chunks) { chunk in
                        let start = chunk * count / chunks, end = (chunk + 1) * count / chunks
                        Self.update(
                            theta + start, gradient + start, m + start, v + start, maximum.map { $0 + start },
                            count: end - start, constants)
                    }
                }
                withExtendedLifetime(buffers) {}
            }
        }
    }

    struct AdamConstants {
        let weightDecay: Float
        let decoupled, coupled: Bool
        let decayFactor, lerpWeight, beta2, oneMinusBeta2, correction2Root, epsilon, negativeStepSize: Float
    }

    /// The element loop; plain pointer arithmetic so it vectorises (with `-fno-math-errno` for √).
    @inline(__always)
    static func update(
        _ theta: UnsafeMutablePointer<Float>, _ gradient: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ maximum: UnsafeMutablePointer<Float>?, count: Int, _ k: AdamConstants
    ) {
        let smallWeight = k.lerpWeight < 0.5
        if !k.decoupled && !k.coupled && maximum == nil && smallWeight {
            // The common configuration without per-element branches, so the loop vectorises.
            for i in 0..<count {
                let g = gradient[i]
                m[i] = m[i] + k.lerpWeight * (g - m[i])
                v[i] = v[i] * k.beta2 + k.oneMinusBeta2 * g * g
                let denominator = v[i].squareRoot() / k.correction2Root + k.epsilon
                theta[i] = theta[i] + k.negativeStepSize * m[i] / denominator
            }
            return
        }
        if k.coupled && maximum == nil && smallWeight {
            // The study's configuration (coupled L2, no AMSGrad): the same operations as the general loop
            // below, without its per-element branches, so it vectorises.
            for i in 0..<count {
                let g = gradient[i] + k.weightDecay * theta[i]
                m[i] = m[i] + k.lerpWeight * (g - m[i])
                v[i] = v[i] * k.beta2 + k.oneMinusBeta2 * g * g
                let denominator = v[i].squareRoot() / k.correction2Root + k.epsilon
                theta[i] = theta[i] + k.negativeStepSize * m[i] / denominator
            }
            return
        }
        for i in 0..<count {
            if k.decoupled { theta[i] = theta[i] * k.decayFactor }
            var g = gradient[i]
            if k.coupled { g = g + k.weightDecay * theta[i] }
            // torch.lerp: self + w·(end − self) for w < 0.5, else end − (end − self)·(1 − w).
            m[i] = smallWeight ? m[i] + k.lerpWeight * (g - m[i]) : g - (g - m[i]) * (1 - k.lerpWeight)
            v[i] = v[i] * k.beta2 + k.oneMinusBeta2 * g * g
            var second = v[i]
            if let maximum {
                maximum[i] = Swift.max(maximum[i], v[i])
                second = maximum[i]
            }
            let denominator = second.squareRoot() / k.correction2Root + k.epsilon
            theta[i] = theta[i] + k.negativeStepSize * m[i] / denominator
        }
    }

}
