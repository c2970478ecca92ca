import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The landscape probes on problems with known answers (`docs/landscape.md`).
@Suite("Landscape probes")
struct LandscapeProbeTests {
    /// L(θ) = ½·Σᵢ aᵢθᵢ² over two identical "batches": H = diag(a), so λ_max = max a, tr H = Σ a, and the
    /// quadratic-model step along g = Aθ is ‖g‖²/(gᵀAg) — all exact (no truncation error for a quadratic).
    struct Quadratic {
        let theta: Tensor
        let curvatures: [Float]
        init(_ curvatures: [Float]) throws {
            self.curvatures = curvatures
            theta = try Tensor(shape: [curvatures.count], scalars: curvatures.indices.map { Float($0 % 3) - 0.7 })
                .requiringGradient()
        }
        func objective(batches: Int = 2) throws -> ProbeObjective {
            let a = Tensor(curvatures)
            let theta = theta
            return try ProbeObjective(parameters: [("theta", theta)], batchCount: batches, batchSize: 4) { _, _ in
                (a * theta * theta).sum() * 0.5
            }
        }
    }

    @Test func quadraticSpectrumTraceAndStep() throws {
        let problem = try Quadratic([5, 3, 2, 1, 0.5, 0.25])
        var state = ProbeState(seed: 1)
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = 200
        settings.powerTolerance = 1e-9
        settings.traceSamples = 64
        let before = problem.theta.scalars
        let m = try LandscapeProbe.measure(try problem.objective(), settings: settings, state: &state)
        #expect(problem.theta.scalars == before)
        // λ_max = 5 (power iteration converges like (3/5)^k).
        expectClose(m.lambdaMax?.value.value ?? 0, 5, relativeTolerance: 1e-4)
        // Rademacher z: zᵀDz = Σ aᵢ exactly for a diagonal D, so every sample equals tr H = 11.75.
        expectClose(m.trace?.value ?? 0, 11.75, relativeTolerance: 1e-4)
        expectClose(m.trace?.standardError ?? 1, 0, absoluteTolerance: 1e-3)
        let g = problem.curvatures.indices.map { Double(problem.curvatures[$0]) * Double(before[$0]) }
        let gg = g.reduce(0) { $0 + $1 * $1 }
        let gAg = g.indices.reduce(0.0) { $0 + g[$1] * Double(problem.curvatures[$1]) * g[$1] }
        expectClose(m.quadraticStep ?? 0, gg / gAg, relativeTolerance: 1e-4)
        expectClose(m.gradientCurvature?.value ?? 0, gAg / gg, relativeTolerance: 1e-4)
        expectClose(m.gradientNorm.value, gg.squareRoot(), relativeTolerance: 1e-6)
        // Per-layer trace of the single layer is the trace; two equal batches have zero spread.
        expectClose(m.trace?.layers["theta"] ?? 0, 11.75, relativeTolerance: 1e-4)
        #expect(m.loss.spread == 0)
        // Cost: 2 gradient evaluations, then 2 per batch per HVP.
        // 2 batches: 2 gradient evaluations, 2 per HVP on the first batch, 2 for λ_max's quotient on the second.
        #expect(m.cost.gradientEvaluations == 2 + 2 * m.cost.hessianVectorProducts + 2)
        // λ_max starts cold from g, so its first product is H·ĝ and gᵀHg costs no HVP of its own.
        #expect(m.cost.hessianVectorProducts == (m.lambdaMax?.iterations ?? 0) + 64)
    }

    @Test func warmStartConvergesFasterAndPreconditionerRescales() throws {
        let problem = try Quadratic([4, 3.5, 1, 0.5])
        var state = ProbeState(seed: 2)
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = 500
        settings.powerTolerance = 1e-7
        settings.traceSamples = 0
        let first = try LandscapeProbe.measure(try problem.objective(), settings: settings, state: &state)
        let second = try LandscapeProbe.measure(try problem.objective(), settings: settings, state: &state)
        #expect((second.lambdaMax?.iterations ?? 99) < (first.lambdaMax?.iterations ?? 0))
        #expect(second.gradientCosine.map { abs($0 - 1) < 1e-9 } == true, "same θ, same gradient")
        // P = diag(4, 3.5, 1, 0.5)·(1/2): P^{-½}HP^{-½} = 2·I, so λ_max(P⁻¹H) = 2.
        let preconditioner: [Float] = [2, 1.75, 0.5, 0.25]
        let m = try LandscapeProbe.measure(
            try problem.objective(), settings: settings, state: &state,
            preconditioner: preconditioner)
        expectClose(m.preconditionedLambdaMax?.value.value ?? 0, 2, relativeTolerance: 1e-4)
        #expect(throws: NNError.self) {
            try LandscapeProbe.measure(
                try problem.objective(), settings: settings, state: &state, preconditioner: [1, 1])
        }
        // A non-finite entry is named with its index and value (not "a value ≤ 0").
        do {
            _ = try LandscapeProbe.measure(
                try problem.objective(), settings: settings, state: &state, preconditioner: [2, .infinity, 0.5, 0.25])
            Issue.record("an infinite preconditioner entry was accepted")
        } catch {
            #expect("\(error)".contains("preconditioner[1]") && "\(error)".contains("inf"), "\(error)")
        }
    }

    @Test func negativeCurvatureHasNoQuadraticStepAndTheLargestEigenvalueIsFound() throws {
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = 400
        settings.powerTolerance = 1e-9
        // Negative definite: λ_max = −0.5, found after the largest |λ| = −3.
        var state = ProbeState(seed: 3)
        let m = try LandscapeProbe.measure(
            try Quadratic([-3, -1, -0.5]).objective(), settings: settings, state: &state)
        #expect(m.quadraticStep == nil)
        expectClose(m.lambdaMax?.value.value ?? 0, -0.5, relativeTolerance: 1e-4)
        expectClose(m.lambdaMax?.negativeEigenvalue ?? 0, -3, relativeTolerance: 1e-4)
        // Indefinite with the larger magnitude negative: λ_max = 2, not −5.
        var indefinite = ProbeState(seed: 4)
        let n = try LandscapeProbe.measure(
            try Quadratic([2, -5, 0.5]).objective(), settings: settings, state: &indefinite)
        expectClose(n.lambdaMax?.value.value ?? 0, 2, relativeTolerance: 1e-4)
        expectClose(n.lambdaMax?.negativeEigenvalue ?? 0, -5, relativeTolerance: 1e-4)
    }

    /// Logistic regression has the closed-form Hessian H = (1/N)·Σ p(1−p)·aaᵀ, a = [x, 1].
    @Test func logisticRegressionAgainstClosedForm() throws {
        var generator = SeededGenerator(seed: 44)
        let layer = try Linear(inputFeatures: 2, outputFeatures: 1, using: &generator)
        let x = randomTensor([12, 2], seed: 45, low: -2, high: 2)
        let targets = (0..<12).map { Float($0 % 2) }
        let loss = try BinaryCrossEntropyWithLogitsLoss()
        let objective = try ProbeObjective(parameters: layer.namedParameters, batchCount: 1, batchSize: 12) {
            (_: Int, _: ActivationPatternMode) throws(NNError) -> Tensor in
            try loss(layer(x), targets)
        }
        let w = layer.weight.scalars.map(Double.init), b = Double(layer.bias?.scalar ?? 0)
        let xs = x.scalars.map(Double.init)
        var h = [[Double]](repeating: [0, 0, 0], count: 3)
        for row in 0..<12 {
            let a = [xs[2 * row], xs[2 * row + 1], 1.0]
            let p = 1 / (1 + exp(-(w[0] * a[0] + w[1] * a[1] + b)))
            for i in 0..<3 { for j in 0..<3 { h[i][j] += p * (1 - p) * a[i] * a[j] / 12 } }
        }
        // λ_max of the 3×3 matrix by Double power iteration (converged to rounding).
        var v = [1.0, 1.0, 1.0], lambda = 0.0
        for _ in 0..<2000 {
            let w = (0..<3).map { i in (0..<3).reduce(0.0) { $0 + h[i][$1] * v[$1] } }
            lambda = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = w.map { $0 / norm }
        }
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = 300
        settings.powerTolerance = 1e-8
        settings.traceSamples = 400
        var state = ProbeState(seed: 4)
        let m = try LandscapeProbe.measure(objective, settings: settings, state: &state)
        expectClose(m.lambdaMax?.value.value ?? 0, lambda, relativeTolerance: 2e-3)
        // Hutchinson: within 4 reported standard errors of the exact trace.
        let trace = h[0][0] + h[1][1] + h[2][2]
        let error = try #require(m.trace?.standardError)
        #expect(error > 0)
        #expect(abs((m.trace?.value ?? 0) - trace) <= 4 * error, "trace \(m.trace?.value ?? 0) vs \(trace) ± \(error)")
    }

    /// Synthetic per-example gradients G + ξ, ξ ~ N(0, σ²I) in D dimensions: tr Σ = Dσ², so the true
    /// B_simple = Dσ²/‖G‖². The two-size estimator on k batches of b examples recovers it.
    @Test func noiseScaleRecoversTrueValueWithinItsError() {
        var generator = SeededGenerator(seed: 9)
        let dimension = 50, batchSize = 16, batches = 8, sigma = 0.5
        let g = (0..<dimension).map { Double($0 % 5) * 0.1 + 0.05 }
        let truth = Double(dimension) * sigma * sigma / g.reduce(0) { $0 + $1 * $1 }
        var state = ProbeState(seed: 1).scalars
        var within = 0, final = 0.0
        let trials = 200
        for _ in 0..<trials {
            var squares: [Double] = []
            var mean = [Double](repeating: 0, count: dimension)
            for _ in 0..<batches {
                var batch = [Double](repeating: 0, count: dimension)
                for _ in 0..<batchSize {
                    for i in 0..<dimension {
                        let (z, _) = generator.nextNormalPair()
                        batch[i] += (g[i] + sigma * Double(z)) / Double(batchSize)
                    }
                }
                squares.append(batch.reduce(0) { $0 + $1 * $1 })
                for i in 0..<dimension { mean[i] += batch[i] / Double(batches) }
            }
            let estimate = NoiseScale.update(
                &state, batchSquares: squares, meanSquare: mean.reduce(0) { $0 + $1 * $1 },
                batchSize: batchSize, smoothing: 0.95)
            guard let estimate, let error = estimate.standardError else { continue }
            if abs(estimate.raw - truth) <= 2 * error { within += 1 }
            final = estimate.value
        }
        // The raw estimate lies within two reported standard errors of the truth in ≥ 80% of trials
        // (≈ 95% if the delta-method error were exact), and the EMA ratio within 10% of the truth.
        #expect(Double(within) / Double(trials) >= 0.8, "\(within)/\(trials) within 2 SE")
        expectClose(final, truth, relativeTolerance: 0.1)
    }
}
