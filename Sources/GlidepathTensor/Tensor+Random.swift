#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded, deterministic random number generator: xoshiro256** (Blackman & Vigna, "Scrambled linear
/// pseudorandom number generators", ACM TOMS 2021; reference `xoshiro256starstar.c`), its state filled
/// from the seed by SplitMix64 as the authors recommend. The same seed gives the same sequence on every
/// run and platform. Differs from PyTorch: PyTorch's CPU generator is MT19937, so seeded draws are not
/// the same numbers as `torch.manual_seed`.
///
/// Every random op takes the generator `inout`, so a run's randomness comes only from seeds it records.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }

    private enum CodingKeys: String, CodingKey { case state }

    public init(from decoder: any Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "SeededGenerator state needs 4 words, not all zero"))
        }
        state = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }
}

extension RandomNumberGenerator {
    /// A uniform `Float` in `[0, 1)` from the top 24 bits of one draw (every value a multiple of 2⁻²⁴).
    @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Two independent standard normal values from two draws (Box–Muller in `Double`).
    @inline(__always)
    public mutating func nextNormalPair() -> (Float, Float) {
        let u1 = 1 - Double(next() >> 11) * 0x1p-53  // (0, 1]: log stays finite
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * cos(angle)), Float(radius * sin(angle)))
    }
}

extension Tensor {
    /// Independent uniform values in `[lowerBound, upperBound)`.
    public static func uniform<G: RandomNumberGenerator>(
        shape: [Int], lowerBound: Float = 0, upperBound: Float = 1, using generator: inout G
    ) -> Tensor {
        let width = upperBound - lowerBound
        return make(shape: shape) { buffer in
            for index in buffer.indices { buffer[index] = lowerBound + width * generator.nextUnitFloat() }
        }
    }

    /// Independent normal values with the given mean and standard deviation (Box–Muller, values drawn
    /// in pairs).
    public static func normal<G: RandomNumberGenerator>(
        shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout G
    ) -> Tensor {
        make(shape: shape) { buffer in
            var index = 0
            while index < buffer.count {
                let (first, second) = generator.nextNormalPair()
                buffer[index] = mean + standardDeviation * first
                if index + 1 < buffer.count { buffer[index + 1] = mean + standardDeviation * second }
                index += 2
            }
        }
    }

    /// Independent 0/1 values that are 1 with `probability` (clamped to [0, 1]).
    public static func bernoulli<G: RandomNumberGenerator>(
        shape: [Int], probability: Float, using generator: inout G
    ) -> Tensor {
        make(shape: shape) { buffer in
            for index in buffer.indices { buffer[index] = generator.nextUnitFloat() < probability ? 1 : 0 }
        }
    }
}
