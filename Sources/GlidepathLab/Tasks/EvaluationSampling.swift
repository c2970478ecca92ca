import GlidepathData

/// Which examples a run with an evaluation limit (``RunConfiguration/evaluationLimit``, `--eval-limit N`)
/// evaluates on: the same rule for the validation and the test set.
///
/// The first N examples in file order are no sample: IMDB's test files (and so its validation part, which
/// keeps file order) are sorted by label, so its first 500 are all negative reviews, and the accuracy of a
/// limited IMDB evaluation is then the fraction predicted negative. New limited runs therefore evaluate
/// on a seeded stratified sample (``EvaluationSample``). A recorded configuration without the field
/// evaluated on the first N (``fileOrder``), which keeps old runs resumable and their numbers unchanged.
public enum EvaluationSampling: String, Codable, Sendable, CaseIterable {
    /// The first N examples of each set, in file order (runs recorded before sampling existed).
    case fileOrder = "file-order"
    /// N examples drawn once per run from the run's seed, stratified by class (``EvaluationSample``):
    /// the default of a new limited run.
    case stratified
}

/// The seeded stratified evaluation sample: N of a set's examples, each class represented in proportion
/// to its share of the set.
///
/// For a set of n examples with class counts n_c and a limit N < n:
/// - quotas by largest remainder (Hamilton's apportionment): q_c = ⌊N·n_c / n⌋, and the N − Σ q_c left
///   over go one each to the classes with the largest remainders N·n_c mod n (ties to the smaller label),
///   so Σ q_c = N and |q_c − N·n_c/n| < 1;
/// - within each class, in ascending label order, a Fisher–Yates shuffle of the class's indices (file
///   order) by `Xoshiro256StarStar(seed: runSeed, stream: [``streamPurpose``, part])` keeps the first q_c;
/// - the chosen indices are returned in ascending (file) order, so the sample is a subsequence of the set.
///
/// The sample is a pure function of the labels, N, the run's seed and the part: the same seed gives every
/// arm of a study the same evaluation examples (paired seeds), a resumed run the same ones again. This is
/// scikit-learn's `train_test_split(…, stratify=labels)` idea with its own, documented, generator.
public enum EvaluationSample {
    /// The evaluated parts, each with its own stream.
    public enum Part: UInt64, Sendable, CaseIterable {
        case validation = 1
        case test = 2
    }

    /// The first component of the sample's stream path ("EVAL" in ASCII): apart from every other stream
    /// of a run (initialisation uses the bare seed; the loader and augmentation their own purposes).
    public static let streamPurpose: UInt64 = 0x4556_414C

    /// The indices (ascending) of the stratified sample of `limit` examples of a set with `labels`; all
    /// indices when `limit` ≥ the set's size.
    public static func indices(labels: [Int32], limit: Int, seed: UInt64, part: Part) -> [Int] {
        let count = labels.count
        guard limit < count else { return Array(0..<count) }
        guard limit > 0 else { return [] }
        var members: [Int32: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        let classes = members.keys.sorted()
        var quotas: [Int32: Int] = [:]
        var remainders: [(label: Int32, remainder: Int)] = []
        var assigned = 0
        for label in classes {
            let product = limit * (members[label]?.count ?? 0)
            quotas[label] = product / count
            assigned += product / count
            remainders.append((label, product % count))
        }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.label < $1.label }
        for entry in remainders.prefix(limit - assigned) { quotas[entry.label, default: 0] += 1 }
        var generator = Xoshiro256StarStar(seed: seed, stream: [streamPurpose, part.rawValue])
        var chosen: [Int] = []
        chosen.reserveCapacity(limit)
        for label in classes {
            var indices = members[label] ?? []
            generator.shuffle(&indices)
            chosen.append(contentsOf: indices.prefix(quotas[label] ?? 0))
        }
        return chosen.sorted()
    }
}
