import GlidepathData

/// How a text task's training examples are grouped into batches and padded (`--text-batching`,
/// `docs/tasks.md` "Text batches").
///
/// Results do not depend on the padding: the BiLSTM computes only each text's real tokens (packed
/// sequences), so only the *grouping* of examples into batches differs between the two.
public enum TextBatching: String, Codable, Sendable, CaseIterable {
    /// Plain shuffled batches, every batch padded to the task's sequence length (64 or 200 tokens): the
    /// recipe before bucketing existed, and what a recorded configuration without the field means.
    case padded
    /// Length bucketing (``LengthBucketing``, chunks of ``chunkBatches`` batches sorted by length, the
    /// batches shuffled) with each batch padded to its longest text: the text tasks' default.
    case bucketed

    /// Batches per sorted chunk under ``bucketed`` (torchtext's `BucketIterator` pool; Hugging Face's
    /// `group_by_length` uses 50).
    public static let chunkBatches = 100

    /// The loader's bucketing for this mode.
    public var bucketing: LengthBucketing? {
        switch self {
        case .padded: return nil
        case .bucketed: return try? LengthBucketing(chunkBatches: Self.chunkBatches)
        }
    }

    /// How the training part's batches are padded in this mode.
    public var padding: TextPadding {
        switch self {
        case .padded: return .maximumLength
        case .bucketed: return .longestInBatch
        }
    }
}
