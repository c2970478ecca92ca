import Foundation
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathNN

/// What the lean training probe computes and costs, and the power iteration's residual test
/// (`docs/landscape.md`, "What a probe computes").
@Suite("Landscape probe cost")
struct LandscapeProbeCostTests {
    /// L(θ) = ½·Σᵢ aᵢθᵢ² on `batches` identical batches: H = diag(a).
    static func quadratic(_ curvatures: [Float], batches: Int = 2) throws -> (ProbeObjective, Tensor) {
        let theta = try Tensor(shape: [curvatures.count], scalars: curvatures.indices.map { Float($0 % 3) - 0.7 })
            .requiringGradient()
        let a = Tensor(curvatures)
        let objective = try ProbeObjective(parameters: [("theta", theta)], batchCount: batches, batchSize: 4) { _, _ in
            (a * theta * theta).sum() * 0.5
        }
        return (objective, theta)
    }

    /// A diagonal operator: A·v = diag(d)·v (one "batch", quotient vᵀAv).
    static func diagonal(_ d: [Double]) -> ([Float]) -> HessianVectorProduct.Product {
        { v in
            let values = zip(d, v).map { $0 * Double($1) }
            let quotient = zip(values, v).reduce(0) { $0 + $1.0 * Double($1.1) } / v.reduce(0) { $0 + Double($1 * $1) }
            return HessianVectorProduct.Product(values: values, batchQuotients: [quotient])
        }
    }

    @Test("a start that is an eigenvector stops after one product with a residual tolerance, two without")
    func residualToleranceStopsAnExactStartAtOneProduct() throws {
        let apply = Self.diagonal([4, 2, 1])
        var generator = SeededGenerator(seed: 1)
        let withResidual = try PowerIteration.run(
            dimension: 3, start: [1, 0, 0], limit: 20, tolerance: 1e-2, residualTolerance: 0.1,
            using: &generator, apply: apply)
        #expect(withResidual.products == 1 && withResidual.estimate.converged)
        #expect(withResidual.estimate.value.value == 4 && withResidual.estimate.residual == 0)
        let changeOnly = try PowerIteration.run(
            dimension: 3, start: [1, 0, 0], limit: 20, tolerance: 1e-2, using: &generator, apply: apply)
        #expect(changeOnly.products == 2 && changeOnly.estimate.converged)
        // A start with residual ‖Av − λv‖/λ above the tolerance goes on until it is met (or the change test).
        let rough = try PowerIteration.run(
            dimension: 3, start: [1, 1, 0], limit: 50, tolerance: 1e-12, residualTolerance: 1e-3,
            using: &generator, apply: apply)
        #expect(rough.products > 1 && rough.estimate.converged && rough.estimate.residual <= 1e-3)
        // Kato–Temple: |λ − 4| ≤ ‖r‖²/δ = (1e-3·4)²/(4 − 2) = 8e-6.
        expectClose(rough.estimate.value.value, 4, absoluteTolerance: 8e-6)
    }

    @Test("the training probe: λ_max and λ_max(P⁻¹H) only, cold from the gradient, cost counted exactly")
    func trainingSettingsComputeOnlyWhatRunsRecord() throws {
        let (objective, _) = try Self.quadratic([5, 3, 2, 1, 0.5, 0.25])
        var state = ProbeState(seed: 7)
        var settings = LandscapeProbeSettings.training
        settings.powerIterationLimit = 200
        settings.powerTolerance = 1e-9
        settings.residualTolerance = 1e-6
        let preconditioner: [Float] = [2.5, 1.5, 1, 0.5, 0.25, 0.125]  // P⁻¹H = 2·I
        let cold = try LandscapeProbe.measure(
            objective, settings: settings, state: &state, preconditioner: preconditioner)
        expectClose(cold.lambdaMax?.value.value ?? 0, 5, relativeTolerance: 1e-4)
        expectClose(cold.preconditionedLambdaMax?.value.value ?? 0, 2, relativeTolerance: 1e-4)
        #expect(cold.trace == nil && cold.quadraticStep == nil && cold.updateCurvature == nil)
        // Cold from g: the first product is H·ĝ, so gᵀHg/‖g‖² comes free (θ = (−0.7, 0.3, 1.3, −0.7, 0.3, 1.3)).
        let theta: [Double] = [-0.7, 0.3, 1.3, -0.7, 0.3, 1.3], a: [Double] = [5, 3, 2, 1, 0.5, 0.25]
        let gg = zip(a, theta).reduce(0) { $0 + $1.0 * $1.0 * $1.1 * $1.1 }
        let gAg = zip(a, theta).reduce(0) { $0 + $1.0 * $1.0 * $1.0 * $1.1 * $1.1 }
        expectClose(cold.gradientCurvature?.value ?? 0, gAg / gg, relativeTolerance: 1e-4)
        // λ_max's spread from the HVP batch only: no extra evaluations on the second batch.
        let products = (cold.lambdaMax?.iterations ?? 0) + (cold.preconditionedLambdaMax?.iterations ?? 0)
        #expect(cold.cost.hessianVectorProducts == products)
        #expect(cold.cost.gradientEvaluations == 2 + 2 * products)
        #expect(cold.cost.cpuSeconds != nil && cold.lambdaMax?.cpuSeconds != nil)
        // Warm: the vectors are eigenvectors already, so the residual test stops each after one product.
        let warm = try LandscapeProbe.measure(
            objective, settings: settings, state: &state, preconditioner: preconditioner)
        #expect(warm.lambdaMax?.iterations == 1 && warm.preconditionedLambdaMax?.iterations == 1)
        #expect(warm.cost.gradientEvaluations == 2 + 2 * 2)
        #expect(warm.gradientCurvature == nil, "warm: gᵀHg would cost an HVP nobody asked for")
        expectClose(warm.lambdaMax?.value.value ?? 0, 5, relativeTolerance: 1e-4)
    }

    @Test("settings recorded before the new keys decode to the old behaviour and encode byte for byte as before")
    func legacySettingsKeepTheirBehaviourAndEncoding() throws {
        let legacy = """
            {"hessianBatches":1,"hessianStep":0.001,"noiseSmoothing":0.9,"powerIterationLimit":20,\
            "powerTolerance":0.01,"preconditionedLambda":true,"quadraticStep":true,"traceSamples":2}
            """
        let decoded = try JSONDecoder().decode(LandscapeProbeSettings.self, from: Data(legacy.utf8))
        #expect(decoded == LandscapeProbeSettings())
        #expect(decoded.residualTolerance == nil && decoded.gradientCurvature && decoded.lambdaSpread)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == legacy)
        let training = try encoder.encode(LandscapeProbeSettings.training)
        #expect(try JSONDecoder().decode(LandscapeProbeSettings.self, from: training) == .training)
        #expect(throws: NNError.self) {
            var bad = LandscapeProbeSettings.training
            bad.residualTolerance = 0
            try bad.validate()
        }
    }
}
