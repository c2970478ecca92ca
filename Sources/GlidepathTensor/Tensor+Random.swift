// The generators and their draws (`SeededGenerator`, `nextUnitFloat`, `nextNormalPair`) live in
// GlidepathRandom, which this module re-exports (Exports.swift).

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
