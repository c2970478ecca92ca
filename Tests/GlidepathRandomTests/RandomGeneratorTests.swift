import GlidepathRandom
import Testing

@Suite("Seeded random generators")
struct RandomGeneratorTests {
    /// SplitMix64 with seed 1234567: the values of Rosetta Code's "Pseudo-random numbers/Splitmix64"
    /// task, reproduced by a direct Python transcription of Vigna's splitmix64.c.
    @Test func splitMixMatchesReference() {
        var generator = SplitMix64(seed: 1_234_567)
        let values = (0..<5).map { _ in generator.next() }
        #expect(
            values == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ])
    }

    /// xoshiro256** from state (1, 2, 3, 4): values from a Python transcription of Vigna's
    /// xoshiro256starstar.c (the first is rotl(2·5, 7)·9 = 11520 by hand).
    @Test func xoshiroMatchesReference() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let values = (0..<6).map { _ in generator.next() }
        #expect(
            values == [
                11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360, 607_988_272_756_665_600,
            ])
    }

    @Test(arguments: [1, 2, 3, 7, 10, 1000])
    func uniformStaysInRangeAndCoversIt(bound: Int) {
        var generator = Xoshiro256StarStar(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<(bound * 50) {
            let value = generator.uniform(below: bound)
            #expect(value >= 0 && value < bound)
            seen.insert(value)
        }
        // With 50·bound draws every value appears with probability > 1 − bound·e^−50.
        #expect(seen.count == bound)
    }

    /// A permutation is a permutation, depends on the seed and is reproducible.
    @Test func permutationIsSeededAndComplete() {
        var first = Xoshiro256StarStar(seed: 7), again = Xoshiro256StarStar(seed: 7),
            other = Xoshiro256StarStar(seed: 8)
        let order = first.permutation(of: 1000)
        #expect(order.sorted() == Array(0..<1000))
        #expect(again.permutation(of: 1000) == order)
        #expect(other.permutation(of: 1000) != order)
        // Streams derived from one seed differ.
        var streamA = Xoshiro256StarStar(seed: 7, stream: [2, 0]),
            streamB = Xoshiro256StarStar(seed: 7, stream: [2, 1])
        #expect(streamA.next() != streamB.next())
    }

    @Test func unitIsInHalfOpenInterval() {
        var generator = Xoshiro256StarStar(seed: 3)
        var sum = 0.0
        for _ in 0..<10_000 {
            let value = generator.uniformUnit()
            #expect(value >= 0 && value < 1)
            sum += value
        }
        // Mean of 10,000 uniforms: 0.5 ± 5σ, σ = sqrt(1/12/10000) ≈ 0.0029.
        #expect(abs(sum / 10_000 - 0.5) < 0.0145)
    }
}
