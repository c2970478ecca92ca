import GlidepathTestSupport
import Testing

@testable import GlidepathNN

/// Power iteration on operators given in closed form (`docs/landscape.md`, "λ_max").
@Suite("Power iteration")
struct PowerIterationTests {
    /// A = diag(3, 1): λ_max = 3 (the diagonal's largest entry), reached from a cold start.
    @Test func findsTheLargestEigenvalueOfADiagonalOperator() throws {
        var generator = SeededGenerator(seed: 1)
        let result = try PowerIteration.run(dimension: 2, start: nil, limit: 200, tolerance: 1e-10, using: &generator) {
            (v: [Float]) throws(NNError) in
            HessianVectorProduct.Product(values: [3 * Double(v[0]), Double(v[1])], batchQuotients: [])
        }
        #expect(abs(result.estimate.value.value - 3) < 1e-6)
        #expect(result.estimate.converged)
    }

    /// A = 0 (a flat direction, e.g. saturated units late in training): A·v = 0 is λ = 0, not converged,
    /// and never an error — a study cell once failed at its last probe on exactly this.
    @Test func aZeroProductIsEigenvalueZeroNotAnError() throws {
        var generator = SeededGenerator(seed: 1)
        let result = try PowerIteration.run(
            dimension: 3, start: [1, 0, 0], limit: 20, tolerance: 1e-6, using: &generator
        ) { (v: [Float]) throws(NNError) in
            HessianVectorProduct.Product(values: [0, 0, 0], batchQuotients: [0])
        }
        #expect(result.estimate.value.value == 0)
        #expect(!result.estimate.converged)
        #expect(result.vector == [1, 0, 0], "the warm start is kept")
    }

    /// A non-finite product is still refused, naming the product.
    @Test func aNonFiniteProductIsRefused() {
        var generator = SeededGenerator(seed: 1)
        #expect(throws: NNError.self) {
            _ = try PowerIteration.run(dimension: 1, start: [1], limit: 5, tolerance: 1e-6, using: &generator) {
                (v: [Float]) throws(NNError) in
                HessianVectorProduct.Product(values: [.nan], batchQuotients: [.nan])
            }
        }
    }
}
