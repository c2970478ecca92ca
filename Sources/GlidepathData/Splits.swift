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
        guard fraction >= 0, fraction < 1, fraction.isFinite else {
            throw DataError(file: "validation split", problem: .invalidArgument("fraction \(fraction) is outside [0, 1)"))
        }
        guard count >= 0 else {
            throw DataError(file: "validation split", problem: .invalidArgument("count \(count) is negative"))
        }
        let validationCount = Int((fraction * Double(count)).rounded())
        var generator = Xoshiro256StarStar(seed: seed, stream: [1])
        let order = generator.permutation(of: count)
        validationIndices = order.prefix(validationCount).sorted()
        trainingIndices = order.dropFirst(validationCount).sorted()
    }
}
