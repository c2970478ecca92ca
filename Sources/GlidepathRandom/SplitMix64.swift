/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
/// reference implementation: Vigna, https://prng.di.unimi.it/splitmix64.c).
///
/// One 64-bit word of state, advanced by the golden-ratio increment 0x9E3779B97F4A7C15 and finalised by
/// two xor-shift-multiply rounds. Glidepath uses it to expand one seed into the state of
/// ``SeededGenerator``, to derive independent streams from a seed, and as the small generator of the
/// tests' seeded sweeps.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
