import GlidepathNN
import GlidepathTensor
import Testing

@testable import GlidepathLab

/// What the probes read from Adam's state (`OptimizerProbeInputs`): P = (1−β₁ᵗ)·(√v̂ + ε) and
/// u = m̂/(√v̂ + ε), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (Cohen et al. 2022, arXiv 2207.14484, §3), and
/// nothing a probe cannot use.
@Suite("Optimizer state read by the landscape probes")
struct OptimizerProbeInputsTests {
    /// One Adam step (β₁ 0.9, β₂ 0.999, ε 10⁻⁸) on loss = Σ c·pᵢ, so every gradient entry is c.
    func adamAfterOneStep(gradient c: Float) throws -> (Adam, Tensor) {
        let p = Tensor([1, 2]).requiringGradient()
        let adam = try Adam(parameters: [p], .init(learningRate: 1e-3))
        (p * c).sum().backward()
        adam.step()
        return (adam, p)
    }

    @Test("a finite state: P = 0.1·(√9 + 10⁻⁸) ≈ 0.3 and u = 3/3 = 1 after one step with gradient 3")
    func finiteState() throws {
        // t = 1: m = 0.1·3 = 0.3, v = 0.001·9 = 0.009; 1−β₁ = 0.1, 1−β₂ = 0.001, so v̂ = 9, √v̂ = 3,
        // P = 0.1·(3 + 10⁻⁸), u = (0.3/0.1)/(3 + 10⁻⁸).
        let (adam, p) = try adamAfterOneStep(gradient: 3)
        let inputs = OptimizerProbeInputs.read(adam, parameters: [p])
        let preconditioner = try #require(inputs.preconditioner)
        let direction = try #require(inputs.direction)
        #expect(preconditioner.count == 2 && direction.count == 2)
        for value in preconditioner { #expect(abs(value - 0.3) < 1e-6) }
        for value in direction { #expect(abs(value - 1) < 1e-6) }
    }

    @Test("a v that overflowed to +∞ gives no preconditioner (the probe skips λ_max(P⁻¹H)); the finite u stays")
    func overflowedSecondMoment() throws {
        // Gradient 10³⁰: (1−β₂)·g² = 10⁵⁷ > Float.greatestFiniteMagnitude, so v = +∞ and P = +∞; before the
        // fix the probe refused P and failed the run ("invalid configuration: probe after update 71", an
        // MLR-SNet cell of the IMDB study). m = 10²⁹ is finite and u = m̂/(√v̂ + ε) = 10³⁰/∞ = 0.
        let (adam, p) = try adamAfterOneStep(gradient: 1e30)
        let inputs = OptimizerProbeInputs.read(adam, parameters: [p])
        #expect(inputs.preconditioner == nil)
        #expect(inputs.direction == [0, 0])
    }

    @Test("a NaN in the state drops both P and u")
    func notANumber() throws {
        let (adam, p) = try adamAfterOneStep(gradient: .nan)
        let inputs = OptimizerProbeInputs.read(adam, parameters: [p])
        #expect(inputs.preconditioner == nil)
        #expect(inputs.direction == nil)
    }
}
