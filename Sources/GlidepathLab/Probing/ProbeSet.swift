import GlidepathData
import GlidepathTensor

/// The fixed probe set of a run: `batches` batches of `batchSize` training examples drawn once, without
/// replacement, from the training split with the run's seed **from a stream of its own**, so a run's data
/// order, initialisation and every other random draw are identical with and without probing.
public struct ProbeSet: Sendable {
    /// The training indices of each batch.
    public let indices: [[Int]]
    public let batches: [TrainingBatch]

    /// The stream key mixed into the run's seed ("PROBESET").
    static let stream: UInt64 = 0x5052_4F42_4553_4554

    /// Draws the set; with fewer than `batches·batchSize` examples it shrinks the batch count, then the
    /// batch size, so every batch keeps the same size.
    public init(source: any TrainingBatchSource, seed: UInt64, batches batchLimit: Int, batchSize: Int) {
        var generator = SeededGenerator(seed: seed ^ Self.stream)
        let count = source.count
        let size = max(1, min(batchSize, count))
        let batchCount = max(1, min(batchLimit, count / size))
        var pool = Array(0..<count)
        for i in 0..<(batchCount * size) {
            let j = i + Int(generator.next() % UInt64(count - i))
            pool.swapAt(i, j)
        }
        indices = (0..<batchCount).map { Array(pool[($0 * size)..<(($0 + 1) * size)]) }
        var draws = Xoshiro256StarStar(seed: seed ^ Self.stream)
        self.batches = indices.map { source.trainingBatch(at: $0, generator: &draws) }
    }

    /// The first `examples` examples of `source` in file order, as one batch (`glidepath probe`).
    public init(firstOf source: any TrainingBatchSource, examples: Int) {
        let count = max(1, min(examples, source.count))
        indices = [Array(0..<count)]
        var draws = Xoshiro256StarStar(seed: 0)
        batches = [source.trainingBatch(at: indices[0], generator: &draws)]
    }
}
