import GlidepathData

/// Which examples a run with a limit (``RunConfiguration/trainingLimit`` `--train-limit N`,
/// ``RunConfiguration/evaluationLimit`` `--eval-limit N`) keeps of its training, validation and test parts.
///
/// The first N examples in file order are no sample: IMDB's files are sorted by label and every part keeps
/// file order (``DatasetSplits``), so IMDB's first 2,250 training reviews and its first 500 test reviews
/// are each one class. New limited runs therefore keep a seeded stratified sample (``SubsetSample``). A
/// recorded configuration without the field kept the first N (``first``), which keeps old runs resumable
/// and their numbers, and old study plans their cells, unchanged.
public enum SubsetSampling: String, Codable, Sendable, CaseIterable {
    /// The first N examples of each limited part, in file order (runs and plans recorded before sampling).
    case first
    /// N examples of each limited part, stratified by class, drawn from the task's fixed split seed
    /// (``SubsetSample``): the default of a new limited run and of the built-in plans.
    case stratified
}

/// The seeded stratified subset: N of a part's examples, each class represented in proportion to its share.
///
/// For a part of n examples with class counts n_c and a limit N < n:
/// - quotas by largest remainder (Hamilton's apportionment): q_c = ⌊N·n_c / n⌋, and the N − Σ q_c left
///   over go one each to the classes with the largest remainders N·n_c mod n (ties to the smaller label),
///   so Σ q_c = N and |q_c − N·n_c/n| < 1;
/// - within each class, in ascending label order, a Fisher–Yates shuffle of the class's indices (file
///   order) by `Xoshiro256StarStar(seed: seed, stream: [``streamPurpose``, part])` keeps the first q_c;
/// - the chosen indices are returned ascending (file order), so the subset is a subsequence of the part
///   and its batching stays deterministic.
///
/// The lab draws it from the task's fixed split seed (``ValidationHoldout/seed``, recorded with every run):
/// every arm and every seed of a study sees the same examples, and a resumed run the same ones again. This
/// is scikit-learn's `train_test_split(…, train_size=N, stratify=labels)` idea with a documented generator.
public enum SubsetSample {
    /// The parts, each with its own stream.
    public enum Part: UInt64, Sendable, CaseIterable {
        case training = 0
        case validation = 1
        case test = 2
    }

    /// The first component of the subset's stream path ("EVAL" in ASCII), apart from the split's own
    /// stream (`[1]`) and every stream of a run (the loader's and augmentation's purposes).
    public static let streamPurpose: UInt64 = 0x4556_414C

    /// The indices (ascending) of the stratified sample of `limit` examples of a part with `labels`; all
    /// indices when `limit` ≥ the part's size.
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
