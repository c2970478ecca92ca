import Foundation
import GlidepathNN
import GlidepathTensor

/// What the probes need from the optimizer: Adam's diagonal preconditioner and its step direction.
///
/// From Adam's state (m, v, t and β₁, β₂, ε per group): m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
/// u = m̂/(√v̂ + ε) (the update is −η·u), and P = (1−β₁ᵗ)·(√v̂ + ε) — the preconditioner of Cohen et
/// al. 2022 (arXiv 2207.14484, §3), whose λ_max(P⁻¹H) Adam's stability threshold (2+2β₁)/((1−β₁)η) bounds.
/// For any other optimizer both are nil (the probes then use u = g and skip λ_max(P⁻¹H)).
///
/// Adam's state can hold values no probe can use after a rate that blew training up (an MLR-SNet rate of
/// 0.08 under Adam on IMDB did): a gradient above ≈1.8·10¹⁹ squares to +∞ in v, or NaN spreads into m.
/// Then P (non-finite) and u (non-finite) are dropped, each on its own, so the probe measures what it can
/// (u = g, no λ_max(P⁻¹H)) and the run's own divergence checks decide its fate — a probe does not fail it.
struct OptimizerProbeInputs {
    var preconditioner: [Float]?
    var direction: [Float]?

    private struct Hyperparameters: Decodable {
        var beta1: Double
        var beta2: Double
        var epsilon: Double
    }

    /// Reads `optimizer`'s state and lays it out in the order of `parameters` (matched by storage).
    static func read(_ optimizer: any Optimizer, parameters: [Tensor]) -> OptimizerProbeInputs {
        let base = (optimizer as? SharedRateOptimizer)?.base ?? optimizer
        let archive = base.stateArchive()
        guard archive.kind == "optimizer.adam",
            let hyperText = archive.metadata["hyperparameters"], let stepsText = archive.metadata["steps"],
            let hyper = try? JSONDecoder().decode([Hyperparameters].self, from: Data(hyperText.utf8)),
            let steps = try? JSONDecoder().decode([[Int]].self, from: Data(stepsText.utf8))
        else { return OptimizerProbeInputs() }
        var entries: [String: [Float]] = [:]
        for entry in archive.entries { entries[entry.name] = entry.values }
        var slots: [Int: (group: Int, index: Int)] = [:]
        for (g, group) in base.groupParameters.enumerated() {
            for (p, tensor) in group.enumerated() { slots[address(tensor)] = (g, p) }
        }
        var preconditioner: [Float] = [], direction: [Float] = []
        for tensor in parameters {
            guard let (g, p) = slots[address(tensor)], g < hyper.count, g < steps.count, p < steps[g].count,
                let m = entries["group\(g).param\(p).exp_avg"], let v = entries["group\(g).param\(p).exp_avg_sq"],
                m.count == tensor.count, v.count == tensor.count, steps[g][p] >= 1
            else { return OptimizerProbeInputs() }  // before the first update (or a parameter without state)
            let h = hyper[g], t = Double(steps[g][p])
            let c1 = 1 - Foundation.pow(h.beta1, t), c2 = 1 - Foundation.pow(h.beta2, t)
            for i in 0..<tensor.count {
                let denominator = (Double(v[i]) / c2).squareRoot() + h.epsilon
                preconditioner.append(Float(c1 * denominator))
                direction.append(Float(Double(m[i]) / c1 / denominator))
            }
        }
        return OptimizerProbeInputs(
            preconditioner: preconditioner.allSatisfy(LandscapeProbe.isUsablePreconditionerEntry)
                ? preconditioner : nil,
            direction: direction.allSatisfy(\.isFinite) ? direction : nil)
    }

    /// A parameter's identity: the address of its storage (optimizers update parameters in place).
    private static func address(_ tensor: Tensor) -> Int {
        tensor.withUnsafeMutableBufferPointer { Int(bitPattern: $0.baseAddress) }
    }
}
