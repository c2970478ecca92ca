/// Length bucketing: batches of examples of similar length, so that a batch padded to its longest
/// example (``TextPadding/longestInBatch``) carries little padding.
///
/// Epoch `e`'s order is built from the plain order (identity, or the seeded permutation of
/// ``DataLoader``, stream `[2, e]`) in three steps:
/// 1. cut it into chunks of `chunkBatches · batchSize` consecutive examples;
/// 2. sort each chunk by decreasing length (stable: ties keep the shuffled order) and cut it into
///    batches of `batchSize`;
/// 3. shuffle the full batches with a Fisher–Yates permutation from stream `[2, e, 1]`; a final short
///    batch (when the example count is not a multiple of the batch size) stays last, so batch `b` is
///    still positions `b·batchSize ..< (b+1)·batchSize` of the epoch's order.
///
/// Every batch holds examples of one chunk, so a batch's lengths lie close together, while the chunk
/// (drawn from the shuffled order) and the batch order keep the epoch random. The result is a pure
/// function of (seed, epoch, lengths): deterministic and resumable mid-epoch like the plain order.
///
/// The idea of torchtext's `BucketIterator` (sort within a pool of batches, then shuffle the batches) and
/// of Hugging Face's `LengthGroupedSampler` (`group_by_length`: megabatches of 50 batches sorted by
/// decreasing length). Differences: the chunk is 100 batches by default in the lab (`docs/tasks.md`), and
/// the order is derived from the seed alone.
public struct LengthBucketing: Equatable, Codable, Sendable {
    /// Batches per sorted chunk; at least 1 (1 sorts within each batch only, which changes nothing but
    /// the order inside batches).
    public var chunkBatches: Int

    public init(chunkBatches: Int) throws(DataError) {
        guard chunkBatches >= 1 else {
            throw DataError(
                file: "loader", problem: .invalidArgument("bucketing chunk of \(chunkBatches) batches is not positive"))
        }
        self.chunkBatches = chunkBatches
    }

    /// `order` regrouped as described above.
    ///
    /// - Parameters:
    ///   - order: the epoch's plain order (a permutation of the example indices).
    ///   - lengths: every example's length, indexed by example.
    ///   - generator: the stream the batches are shuffled with.
    public func bucketed(_ order: [Int], lengths: [Int32], batchSize: Int, generator: inout Xoshiro256StarStar) -> [Int]
    {
        precondition(batchSize >= 1, "bucketed: batch size \(batchSize)")
        let chunk = chunkBatches * batchSize
        var sorted: [Int] = []
        sorted.reserveCapacity(order.count)
        var start = 0
        while start < order.count {
            let part = order[start..<min(start + chunk, order.count)]
            // Stable by construction: ties compare their positions in the shuffled order.
            let ranked = part.enumerated().sorted { a, b in
                let la = lengths[a.element], lb = lengths[b.element]
                return la > lb || (la == lb && a.offset < b.offset)
            }
            sorted += ranked.map(\.element)
            start += chunk
        }
        let fullBatches = order.count / batchSize
        let batchOrder = generator.permutation(of: fullBatches)
        var result: [Int] = []
        result.reserveCapacity(order.count)
        for batch in batchOrder { result += sorted[(batch * batchSize)..<((batch + 1) * batchSize)] }
        result += sorted[(fullBatches * batchSize)...]
        return result
    }
}

/// How far a text batch is padded.
public enum TextPadding: String, Equatable, Codable, Sendable {
    /// To the pipeline's maximum length (every batch `[B, maximumLength]`).
    case maximumLength
    /// To the longest text in the batch (at least 1): dynamic padding, as `pad_sequence` in PyTorch.
    case longestInBatch
}
