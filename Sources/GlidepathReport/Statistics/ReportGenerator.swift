/// The report's own seeded generator: SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable
/// pseudorandom number generators", OOPSLA; the constants of Vigna's reference `splitmix64.c`).
///
/// `GlidepathReport` depends on Foundation only, so it carries this ten-line generator instead of
/// `GlidepathRandom`'s; the bootstrap and permutation resamples of a report are therefore a pure function
/// of ``ReportOptions/bootstrapSeed``. `scripts/fixtures/report_statistics.py` re-implements it to produce
/// the bootstrap fixtures.
struct ReportGenerator: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// x ← x + 0x9E3779B97F4A7C15; z = x; z = (z ⊕ z≫30)·0xBF58476D1CE4E5B9; z = (z ⊕ z≫27)·0x94D049BB133111EB;
    /// return z ⊕ z≫31.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n (n ≥ 1), without modulo bias: a draw r is rejected while it falls in
    /// the last, incomplete block of n values (r > 2⁶⁴ − 1 − (2⁶⁴ mod n)); then r mod n.
    mutating func below(_ n: Int) -> Int {
        let bound = UInt64(n)
        let remainder = (UInt64.max % bound &+ 1) % bound  // 2⁶⁴ mod n
        while true {
            let draw = next()
            if remainder == 0 || draw <= UInt64.max - remainder { return Int(draw % bound) }
        }
    }

    /// A fair sign: +1 when the top bit of the next draw is 0, −1 otherwise.
    mutating func sign() -> Double { next() >> 63 == 0 ? 1 : -1 }
}
