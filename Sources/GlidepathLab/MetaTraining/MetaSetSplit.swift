import GlidepathData

/// The meta set and the training subset of a meta-training run, carved from **one** seeded permutation
/// of the task's training part, so they are disjoint by construction.
///
/// The training part is what remains of the official training split after the task's validation
/// holdout (`TaskSpecification.validationSplit`); the validation and test splits are never touched.
/// The permutation (``Xoshiro256StarStar`` seeded with the run's seed, stream `[101]`) is walked once:
/// an example goes to the meta set while its class still has fewer than ⌊M/C⌋ meta examples (the first
/// M mod C classes get one more), every other example is available for training, of which the first
/// `trainingLimit` in permutation order are used (all when `nil`). Both lists are returned ascending.
///
/// **The reference's overlap bug, fixed.** In the original code (`shared/reference/mlrsnet.md` §8
/// item 5) the training and meta dataset objects each shuffle their per-class index lists with the
/// global NumPy generator *before* `np.random.seed(1)` runs, so the two splits come from different
/// permutations: an image can be in both sets (the meta-loss then rewards memorising training images)
/// or in neither. Here one permutation decides both, and the split is checked disjoint.
public struct MetaSetSplit: Sendable, Equatable {
    /// Indices into the training part used as the meta set (class-balanced, ascending).
    public var metaIndices: [Int]
    /// Indices into the training part trained on (ascending); disjoint from ``metaIndices``.
    public var trainingIndices: [Int]

    /// - Parameters:
    ///   - labels: the training part's labels, each in `0..<classCount`.
    ///   - classCount: C ≥ 2.
    ///   - metaCount: M ≥ C, the size of the meta set.
    ///   - trainingLimit: the most training examples to use (≥ 1), or `nil` for all that remain.
    ///   - seed: the run's seed.
    /// - Throws: ``MetaTrainingError/invalidSetting(name:value:reason:)`` when M < C, a class has fewer
    ///   than its share of examples, or nothing would remain for training.
    public init(labels: [Int32], classCount: Int, metaCount: Int, trainingLimit: Int?, seed: UInt64)
        throws(MetaTrainingError)
    {
        guard metaCount >= classCount else {
            throw .invalidSetting(name: "meta-set-size", value: "\(metaCount)",
                                  reason: "must be at least the number of classes (\(classCount))")
        }
        if let trainingLimit, trainingLimit < 1 {
            throw .invalidSetting(name: "training-examples", value: "\(trainingLimit)", reason: "must be ≥ 1")
        }
        var quota = (0..<classCount).map { metaCount / classCount + ($0 < metaCount % classCount ? 1 : 0) }
        var generator = Xoshiro256StarStar(seed: seed, stream: [101])
        var meta: [Int] = [], training: [Int] = []
        for index in generator.permutation(of: labels.count) {
            let label = Int(labels[index])
            if quota[label] > 0 {
                quota[label] -= 1
                meta.append(index)
            } else if trainingLimit.map({ training.count < $0 }) ?? true {
                training.append(index)
            }
        }
        if let short = quota.firstIndex(where: { $0 > 0 }) {
            throw .invalidSetting(name: "meta-set-size", value: "\(metaCount)",
                                  reason: "class \(short) has too few training examples for its share")
        }
        guard !training.isEmpty else {
            throw .invalidSetting(name: "meta-set-size", value: "\(metaCount)",
                                  reason: "leaves no training examples out of \(labels.count)")
        }
        metaIndices = meta.sorted()
        trainingIndices = training.sorted()
        // Disjoint by construction (each permuted index is placed once); checked because the whole
        // point of this type is that it cannot overlap.
        precondition(Set(metaIndices).isDisjoint(with: trainingIndices), "MetaSetSplit: meta and training sets overlap")
    }
}
