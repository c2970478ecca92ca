import GlidepathData

/// The meta set and the training subset of a meta-training run, carved from **one** seeded permutation
/// of the task's training part, so they are disjoint by construction.
///
/// The training part is what remains of the official training split after the task's validation
/// holdout (`TaskSpecification.validationSplit`); the validation and test splits are never touched.
/// The meta set is stratified: class c gets a quota q_c ≈ M·n_c/N in proportion to its share of the
/// training part (largest-remainder rounding, ties to the lower class, at least 1 per class), so the
/// meta-loss measures the same distribution the model trains on — for a balanced dataset such as
/// CIFAR-10 this is the reference's 100 per class. The permutation (``Xoshiro256StarStar`` seeded with
/// the run's seed, stream `[101]`) is walked once: an example goes to the meta set while its class is
/// below its quota, every other example is available for training, of which the first
/// `trainingLimit` in permutation order are used (all when `nil`). Both lists are returned ascending.
///
/// **The reference's overlap bug, fixed.** In the original code (`docs/mlrsnet.md`, "Quirks of the original code",
/// item 5) the training and meta dataset objects each shuffle their per-class index lists with the
/// global NumPy generator *before* `np.random.seed(1)` runs, so the two splits come from different
/// permutations: an image can be in both sets (the meta-loss then rewards memorising training images)
/// or in neither. Here one permutation decides both, and the split is checked disjoint.
public struct MetaSetSplit: Sendable, Equatable {
    /// Indices into the training part used as the meta set (stratified by class, ascending).
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
            throw .invalidSetting(
                name: "meta-set-size", value: "\(metaCount)",
                reason: "must be at least the number of classes (\(classCount))")
        }
        if let trainingLimit, trainingLimit < 1 {
            throw .invalidSetting(name: "training-examples", value: "\(trainingLimit)", reason: "must be ≥ 1")
        }
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= classCount }) {
            throw .invalidSetting(name: "labels", value: "\(bad)", reason: "outside 0..<\(classCount)")
        }
        var quota = Self.quotas(labels: labels, classCount: classCount, metaCount: metaCount)
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
            throw .invalidSetting(
                name: "meta-set-size", value: "\(metaCount)",
                reason: "class \(short) has too few training examples for its share")
        }
        guard !training.isEmpty else {
            throw .invalidSetting(
                name: "meta-set-size", value: "\(metaCount)",
                reason: "leaves no training examples out of \(labels.count)")
        }
        metaIndices = meta.sorted()
        trainingIndices = training.sorted()
        // Disjoint by construction (each permuted index is placed once); checked because the whole
        // point of this type is that it cannot overlap.
        precondition(Set(metaIndices).isDisjoint(with: trainingIndices), "MetaSetSplit: meta and training sets overlap")
    }

    /// Per-class meta quotas: ⌊M·n_c/N⌋, then the remaining units to the largest remainders (ties to the
    /// lower class); a class with examples but a zero quota takes one unit from the largest quota.
    static func quotas(labels: [Int32], classCount: Int, metaCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels where label >= 0 && Int(label) < classCount { counts[Int(label)] += 1 }
        let total = max(counts.reduce(0, +), 1)
        var quotas = counts.map { metaCount * $0 / total }
        let remainders = counts.indices.map { (metaCount * counts[$0]) % total }
        let order = counts.indices.sorted {
            remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1
        }
        var left = min(metaCount, counts.reduce(0, +)) - quotas.reduce(0, +)
        for index in order where left > 0 {
            quotas[index] += 1
            left -= 1
        }
        for index in counts.indices where counts[index] > 0 && quotas[index] == 0 {
            if let largest = quotas.indices.max(by: { quotas[$0] < quotas[$1] }), quotas[largest] > 1 {
                quotas[largest] -= 1
                quotas[index] = 1
            }
        }
        return quotas
    }
}
