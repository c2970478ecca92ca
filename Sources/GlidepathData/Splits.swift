/// How a validation set is drawn from an official training split: the share held out and the seed of
/// the split's permutation (``ValidationSplit`` draws it). A task fixes one (the same for every run of
/// the task, so all schedulers are compared on the same validation set) and a run records it.
public struct ValidationHoldout: Sendable, Equatable, Codable {
    /// Fraction of the training split held out, in [0, 1).
    public var fraction: Double
    /// Seed of the split permutation; independent of a run's seed.
    public var seed: UInt64

    public init(fraction: Double, seed: UInt64) {
        self.fraction = fraction
        self.seed = seed
    }

    /// Number of validation examples out of `trainingCount`: round(fraction·N), halves away from zero.
    public func validationCount(of trainingCount: Int) -> Int {
        Int((fraction * Double(trainingCount)).rounded())
    }
}

/// A validation split carved from a training split with a fixed seed.
///
/// The `validationCount = round(fraction · count)` validation examples are the first entries of a
/// seeded permutation of `0..<count` (``Xoshiro256StarStar`` seeded with `seed`, stream `[1]`); both
/// index lists are returned in ascending order, so the examples keep their file order. The official
/// test split is never touched. For SST-2, whose GLUE test labels are private, the GLUE dev set is
/// the test split and validation comes from train the same way.
public struct ValidationSplit: Equatable, Sendable {
    /// Indices into the original training split that remain for training (ascending).
    public var trainingIndices: [Int]
    /// Indices into the original training split held out for validation (ascending).
    public var validationIndices: [Int]

    /// - Parameters:
    ///   - count: the training split's size.
    ///   - fraction: the validation share, in [0, 1).
    ///   - seed: any 64-bit seed; same seed and count → same split.
    public init(count: Int, fraction: Double, seed: UInt64) throws(DataError) {
        try self.init(count: count, holdout: ValidationHoldout(fraction: fraction, seed: seed))
    }

    /// The split `holdout` describes of a training split of `count` examples.
    public init(count: Int, holdout: ValidationHoldout) throws(DataError) {
        let fraction = holdout.fraction
        guard fraction >= 0, fraction < 1, fraction.isFinite else {
            throw DataError(
                file: "validation split", problem: .invalidArgument("fraction \(fraction) is outside [0, 1)"))
        }
        guard count >= 0 else {
            throw DataError(file: "validation split", problem: .invalidArgument("count \(count) is negative"))
        }
        let validationCount = holdout.validationCount(of: count)
        var generator = Xoshiro256StarStar(seed: holdout.seed, stream: [1])
        let order = generator.permutation(of: count)
        validationIndices = order.prefix(validationCount).sorted()
        trainingIndices = order.dropFirst(validationCount).sorted()
    }
}
