import GlidepathData

/// The examples of `base` at `indices`, in that order, as a source of their own: example j of the
/// subset is example `indices[j]` of `base`. Meta-training trains on one subset of a task's training part
/// and measures the meta-loss on another (``MetaSetSplit``).
public struct SubsetSource: TrainingBatchSource {
    public let base: any TrainingBatchSource
    public let indices: [Int]

    /// - Precondition: every index is in `0..<base.count`.
    public init(_ base: any TrainingBatchSource, indices: [Int]) {
        precondition(
            indices.allSatisfy { $0 >= 0 && $0 < base.count },
            "SubsetSource: an index is outside 0..<\(base.count)")
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }

    public var labels: [Int32] {
        let all = base.labels
        return indices.map { all[$0] }
    }

    public var exampleLengths: [Int32]? {
        base.exampleLengths.map { all in indices.map { all[$0] } }
    }

    public func trainingBatch(at positions: [Int], generator: inout Xoshiro256StarStar) -> TrainingBatch {
        base.trainingBatch(at: positions.map { indices[$0] }, generator: &generator)
    }
}
