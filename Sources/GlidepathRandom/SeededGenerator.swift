/// SplitMix64 (Steele, Lea, Flood 2014, "Fast splittable pseudorandom number generators"; reference
/// implementation: Vigna, https://prng.di.unimi.it/splitmix64.c). Used to expand one 64-bit seed into
/// the state of ``Xoshiro256StarStar`` and to derive independent per-epoch and per-batch seeds.
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

/// xoshiro256** 1.0 (Blackman and Vigna 2021, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4); reference implementation https://prng.di.unimi.it/xoshiro256starstar.c).
///
/// The data layer's only source of randomness: shuffling, validation splits and augmentation all draw
/// from it through ``uniform(below:)`` and ``uniformUnit()``, whose definitions are fixed here rather
/// than taken from the standard library (whose `random(in:using:)` algorithm is not specified and may
/// change between Swift versions). Same seed → the same stream on every platform and toolchain.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from SplitMix64(seed), as the reference implementation recommends.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
    }

    /// A generator with the given raw state (not all zero); for checking against the reference
    /// implementation's published outputs.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    /// A generator for one stream derived from a base seed and a path of integers (for example
    /// `[purpose, epoch, batch]`): each component is folded in through SplitMix64, so nearby paths
    /// give unrelated streams.
    public init(seed: UInt64, stream path: [UInt64]) {
        var derived = seed
        for component in path {
            var mixer = SplitMix64(seed: derived ^ (component &* 0xD1B5_4A32_D192_ED03))
            derived = mixer.next()
        }
        self.init(seed: derived)
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` by Lemire's multiply-and-reject method ("Fast random integer
    /// generation in an interval", ACM TOMS 2019). `bound` must be positive.
    public mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "uniform(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func uniformUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Fisher–Yates shuffle (Durstenfeld's variant, from the last element down) driven by
    /// ``uniform(below:)``.
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            let other = uniform(below: index + 1)
            if other != index { elements.swapAt(index, other) }
        }
    }

    /// `0..<count` in a seeded random order.
    public mutating func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }

    @inline(__always)
    private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 &- amount))
    }
}
