import GlidepathTensor

/// The top eigenvalue (largest in magnitude) of a symmetric operator by power iteration
/// (`docs/landscape.md`, "λ_max"; PyHessian's `hessian.eigenvalues`, Yao et al. 2020):
/// ```
/// w = A·v_k,  λ_k = v_kᵀw,  v_{k+1} = w/‖w‖,
/// stop when |λ_k − λ_{k−1}| ≤ tol·(|λ_{k−1}| + 1e-6), or ‖w − λ_k·v_k‖ ≤ ρ·|λ_k| (a residual tolerance ρ,
/// optional), or k = limit
/// ```
/// The residual test can stop after the first product, so a good warm start costs one HVP: a unit vector with
/// relative residual ρ has its Rayleigh quotient within ρ·|λ_k| of an eigenvalue of A, and within ρ²·|λ_k|²/δ of
/// it when the other eigenvalues are at least δ away (the residual bounds for symmetric operators in Parlett,
/// *The Symmetric Eigenvalue Problem*, ch. 4, and the Kato–Temple inequality). The change test needs two
/// products at least.
/// Converges like (|λ₂|/|λ₁|)^k; a warm start from the previous probe's vector brings a probe down to a
/// few iterations. The result may be negative (largest |λ| negative, early in training or near a saddle).
public enum PowerIteration {
    /// The outcome and the final unit vector (Float32, for the next warm start).
    public struct Result: Sendable, Equatable {
        public var estimate: EigenvalueEstimate
        /// The normalised last product A·v (the next warm start).
        public var vector: [Float]
        /// The unit vector whose quotient is reported, and its per-batch quotients.
        public var evaluatedVector: [Float]
        public var batchQuotients: [Double]
        public var products: Int
    }

    /// Runs power iteration on `apply`, which returns A·v and each batch's quotient vᵀA_b v/‖v‖².
    /// - Parameters:
    ///   - start: the warm-start vector (any length-P non-zero vector), or nil for a Rademacher start drawn from `generator`.
    /// - Throws: what `apply` throws; ``NNError/invalidInput(name:value:reason:)`` when A·v is non-finite.
    ///   A·v = 0 returns λ = 0, not converged (a flat direction), rather than throwing.
    public static func run<G: RandomNumberGenerator>(
        dimension: Int, start: [Float]?, limit: Int, tolerance: Double, residualTolerance: Double? = nil,
        using generator: inout G, apply: ([Float]) throws(NNError) -> HessianVectorProduct.Product
    ) throws(NNError) -> Result {
        var v: [Float]
        if let start, start.count == dimension, start.contains(where: { $0 != 0 }), start.allSatisfy(\.isFinite) {
            v = normalized(start.map(Double.init))
        } else {
            v = normalized((0..<dimension).map { _ in generator.next() & 1 == 0 ? -1.0 : 1.0 })
        }
        var previous: Double? = nil
        var iterations = 0
        while true {
            iterations += 1
            let product = try apply(v)
            var lambda = 0.0, norm = 0.0
            for i in 0..<dimension {
                lambda += Double(v[i]) * product.values[i]
                norm += product.values[i] * product.values[i]
            }
            norm = norm.squareRoot()
            // A·v = 0 exactly (a flat direction: saturated or dead units late in training): v is an
            // eigenvector of eigenvalue 0 and the iteration cannot go on. Reported as λ = 0, not converged,
            // which the landscape scheduler holds on (λ ≤ 0 gives no stability threshold), instead of
            // failing the run's probe.
            if norm == 0 {
                return Result(
                    estimate: EigenvalueEstimate(
                        value: ProbeEstimate(value: 0, perBatch: product.batchQuotients),
                        iterations: iterations, residual: 0, converged: false, seconds: nil,
                        negativeEigenvalue: nil),
                    vector: v, evaluatedVector: v, batchQuotients: product.batchQuotients, products: iterations)
            }
            guard norm.isFinite, lambda.isFinite else {
                throw .invalidInput(
                    name: "hessianVectorProduct", value: "norm \(norm)", reason: "must be finite and > 0")
            }
            var residual = 0.0
            for i in 0..<dimension {
                let difference = product.values[i] - lambda * Double(v[i])
                residual += difference * difference
            }
            residual = residual.squareRoot() / Swift.max(abs(lambda), 1e-30)
            let converged =
                (previous.map { abs(lambda - $0) <= tolerance * (abs($0) + 1e-6) } ?? false)
                || (residualTolerance.map { residual <= $0 } ?? false)
            let quotients = product.batchQuotients
            let next = normalized(product.values)
            if converged || iterations >= limit {
                // Keep the vector whose quotient was reported only if A·v is no better; the normalised
                // product is the better warm start for the next probe.
                return Result(
                    estimate: EigenvalueEstimate(
                        value: ProbeEstimate(value: lambda, perBatch: quotients),
                        iterations: iterations, residual: residual, converged: converged, seconds: nil,
                        negativeEigenvalue: nil),
                    vector: next, evaluatedVector: v, batchQuotients: quotients, products: iterations)
            }
            previous = lambda
            v = next
        }
    }

    /// The largest (algebraic) eigenvalue: power iteration finds the largest |λ|; when that is negative
    /// (λ₋ < 0, common for Adam's preconditioned Hessian early on, where tiny √v̂ amplify negative
    /// curvature), a second run on A − λ₋·I, whose spectrum is shifted to ≥ 0, finds λ_max − λ₋
    /// (`docs/landscape.md`, "λ_max"). Iterations of both runs are counted.
    public static func runLargest<G: RandomNumberGenerator>(
        dimension: Int, start: [Float]?, limit: Int, tolerance: Double, residualTolerance: Double? = nil,
        using generator: inout G, apply: ([Float]) throws(NNError) -> HessianVectorProduct.Product
    ) throws(NNError) -> Result {
        let first = try run(
            dimension: dimension, start: start, limit: limit, tolerance: tolerance,
            residualTolerance: residualTolerance, using: &generator, apply: apply)
        let shift = first.estimate.value.value
        guard shift < 0 else { return first }
        var second = try run(
            dimension: dimension, start: start, limit: limit, tolerance: tolerance,
            residualTolerance: residualTolerance, using: &generator
        ) {
            (v: [Float]) throws(NNError) -> HessianVectorProduct.Product in
            var product = try apply(v)
            for i in 0..<dimension { product.values[i] -= shift * Double(v[i]) }
            product.batchQuotients = product.batchQuotients.map { $0 - shift }
            return product
        }
        let shiftedValue = second.estimate.value.value
        second.estimate.value = ProbeEstimate(value: shiftedValue + shift, spread: second.estimate.value.spread)
        second.batchQuotients = second.batchQuotients.map { $0 + shift }
        // The residual ‖(A − λ₋I)v − μv‖ = ‖Av − (μ + λ₋)v‖, relative to the unshifted value.
        second.estimate.residual *= abs(shiftedValue) / max(abs(shiftedValue + shift), 1e-30)
        second.estimate.iterations += first.estimate.iterations
        second.estimate.negativeEigenvalue = shift
        second.products += first.products
        return second
    }

    /// v/‖v‖ rounded to Float32.
    static func normalized(_ values: [Double]) -> [Float] {
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return values.map { Float($0) } }
        return values.map { Float($0 / norm) }
    }
}
