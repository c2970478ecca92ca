/// The seeded generator behind every random choice Glidepath makes — initialisation, data order,
/// validation splits, augmentation, meta sets: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear
/// pseudorandom number generators", ACM TOMS 47(4), 2021; reference implementation
/// https://prng.di.unimi.it/xoshiro256starstar.c), its four state words filled from the seed by
/// ``SplitMix64``, as the authors recommend.
///
/// The same seed gives the same sequence on every run, platform and toolchain: integers in a range
/// (``uniform(below:)``), unit doubles (``uniformUnit()``), shuffles and permutations are defined here
/// rather than taken from the standard library, whose `random(in:using:)` algorithm is not specified and
/// may change between Swift versions. Differs from PyTorch: its CPU generator is MT19937, so seeded draws
/// are not the numbers `torch.manual_seed` gives.
///
/// Every random operation takes its generator `inout`, so a run's randomness comes only from the seeds it
/// records. The state is `Codable` (`{"state": [4 words]}`), so a checkpoint can hold a generator mid-run.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose sequence is determined by `seed`: the state is four draws of
    /// `SplitMix64(seed: seed)`.
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

    private enum CodingKeys: String, CodingKey { case state }

    /// Decodes `{"state": [s0, s1, s2, s3]}`; refuses another word count and the all-zero state.
    public init(from decoder: any Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "SeededGenerator state needs 4 words, not all zero"))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([s0, s1, s2, s3], forKey: .state)
    }
}

/// The name of ``SeededGenerator``'s algorithm, for code that wants to say which generator it relies on
/// (the data loader's documented streams, the reference-output tests).
public typealias Xoshiro256StarStar = SeededGenerator
