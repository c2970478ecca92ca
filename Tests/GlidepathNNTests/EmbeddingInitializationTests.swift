import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// `Embedding.Initialization`: each choice draws the table from the layer's generator exactly as the
/// corresponding `Tensor` factory does (the expected tables are those factories' output from a generator
/// with the same seed), and the padding row is zero either way.
@Suite("Embedding initialisation")
struct EmbeddingInitializationTests {
    @Test("standard normal (PyTorch's default) and U(-b, b) draw the factory's values; padding row zeroed")
    func drawsFromTheGenerator() throws {
        var layerGenerator = SeededGenerator(seed: 71)
        var referenceGenerator = SeededGenerator(seed: 71)
        let normal = try Embedding(vocabularySize: 50, dimension: 4, using: &layerGenerator)
        #expect(normal.weight.scalars == Tensor.normal(shape: [50, 4], using: &referenceGenerator).scalars)

        let uniform = try Embedding(
            vocabularySize: 50, dimension: 4, paddingIndex: 0,
            initialization: .uniform(bound: 0.1), using: &layerGenerator)
        var expected = Tensor.uniform(shape: [50, 4], lowerBound: -0.1, upperBound: 0.1, using: &referenceGenerator)
            .scalars
        for i in 0..<4 { expected[i] = 0 }
        #expect(uniform.weight.scalars == expected)
        #expect(uniform.weight.scalars.allSatisfy { abs($0) <= 0.1 })
        // 196 draws from U(-0.1, 0.1) (σ = 0.0577): some must be beyond ±0.05, which N(0, 1) scaled
        // wrongly or a zero table would not satisfy in this shape.
        #expect(uniform.weight.scalars.contains { abs($0) > 0.05 })
    }

    @Test("a uniform bound that is not finite and positive is refused, naming the field")
    func badBound() {
        var generator = SeededGenerator(seed: 72)
        for bound: Float in [0, -0.1, .infinity, .nan] {
            #expect {
                _ = try Embedding(
                    vocabularySize: 3, dimension: 2, initialization: .uniform(bound: bound), using: &generator)
            } throws: { error in
                guard case NNError.invalidArgument(let name, _, _) = error else { return false }
                return name == "initialization.bound"
            }
        }
    }
}
