/// A token ↔ index table built from a training split only.
///
/// Index 0 is ``paddingToken`` and index 1 ``unknownToken``; then every token seen at least
/// `minimumFrequency` times, most frequent first, ties broken by the token's Unicode scalar order (so
/// the table does not depend on hash order), cut to `maximumSize` entries in all. Tokens not in the
/// table encode as ``unknownIndex``.
public struct Vocabulary: Equatable, Sendable, Codable {
    public static let paddingToken = "<pad>"
    public static let unknownToken = "<unk>"
    public static let paddingIndex: Int32 = 0
    public static let unknownIndex: Int32 = 1

    /// The tokens in index order, starting with the two specials.
    public let tokens: [String]
    private let indexByToken: [String: Int32]

    /// - Parameters:
    ///   - tokenizedTexts: the training split's token lists.
    ///   - maximumSize: the most entries, specials included (≥ 2); nil for no limit.
    ///   - minimumFrequency: the fewest occurrences a token needs (≥ 1).
    public init(building tokenizedTexts: [[String]], maximumSize: Int?, minimumFrequency: Int = 1) throws(DataError) {
        if let maximumSize, maximumSize < 2 {
            throw DataError(
                file: "vocabulary",
                problem: .invalidArgument("maximum size \(maximumSize) leaves no room for <pad> and <unk>"))
        }
        guard minimumFrequency >= 1 else {
            throw DataError(
                file: "vocabulary", problem: .invalidArgument("minimum frequency \(minimumFrequency) is below 1"))
        }
        // Count in parallel chunks and add the partial counts: the totals do not depend on the chunking.
        let chunkSize = max(1, (tokenizedTexts.count + parallelism - 1) / parallelism)
        let starts = Array(stride(from: 0, to: tokenizedTexts.count, by: chunkSize))
        let partials = try parallelMap(starts) { (start: Int) throws(DataError) -> [String: Int] in
            var partial: [String: Int] = [:]
            for text in tokenizedTexts[start..<min(start + chunkSize, tokenizedTexts.count)] {
                for token in text { partial[token, default: 0] += 1 }
            }
            return partial
        }
        var counts = partials.first ?? [:]
        for partial in partials.dropFirst() {
            counts.merge(partial, uniquingKeysWith: +)
        }
        counts[Self.paddingToken] = nil
        counts[Self.unknownToken] = nil
        let ranked = counts.filter { $0.value >= minimumFrequency }.sorted { lhs, rhs in
            lhs.value != rhs.value
                ? lhs.value > rhs.value
                : lhs.key.unicodeScalars.lexicographicallyPrecedes(rhs.key.unicodeScalars)
        }
        let limit = maximumSize.map { $0 - 2 } ?? ranked.count
        self.init(tokens: [Self.paddingToken, Self.unknownToken] + ranked.prefix(limit).map(\.key))
    }

    private init(tokens: [String]) {
        self.tokens = tokens
        var table: [String: Int32] = [:]
        for (index, token) in tokens.enumerated() { table[token] = Int32(index) }
        indexByToken = table
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let tokens = try container.decode([String].self)
        guard tokens.count >= 2, tokens[0] == Self.paddingToken, tokens[1] == Self.unknownToken,
            Set(tokens).count == tokens.count
        else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a vocabulary starts with <pad>, <unk> and has no duplicate tokens")
        }
        self.init(tokens: tokens)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tokens)
    }

    /// The number of entries, specials included.
    public var count: Int { tokens.count }

    /// The index of `token`, or ``unknownIndex``.
    public func index(of token: String) -> Int32 { indexByToken[token] ?? Self.unknownIndex }
}

/// Token sequences padded or truncated to one length, with their true lengths.
public struct EncodedSequences: Equatable, Sendable {
    /// `count × maximumLength` indices, row-major; rows are padded on the right with
    /// ``Vocabulary/paddingIndex``.
    public var tokens: [Int32]
    /// Real tokens per row after truncation (0 for an empty text).
    public var lengths: [Int32]
    public var maximumLength: Int

    public init(tokens: [Int32], lengths: [Int32], maximumLength: Int) {
        precondition(
            tokens.count == lengths.count * maximumLength,
            "EncodedSequences: \(tokens.count) tokens for \(lengths.count) rows of \(maximumLength)")
        self.tokens = tokens
        self.lengths = lengths
        self.maximumLength = maximumLength
    }

    public var count: Int { lengths.count }
}

/// Which end of an over-long text to keep.
public enum Truncation: String, Codable, Sendable, CaseIterable {
    /// Keep the first `maximumLength` tokens (the common choice for IMDB with an LSTM).
    case keepFirst
    /// Keep the last `maximumLength` tokens.
    case keepLast
}

extension Vocabulary {
    /// Encodes token lists, truncating to `maximumLength` (≥ 1) and padding on the right.
    public func encode(_ tokenizedTexts: [[String]], maximumLength: Int, truncation: Truncation = .keepFirst)
        -> EncodedSequences
    {
        precondition(maximumLength >= 1, "encode: maximumLength \(maximumLength) must be at least 1")
        var tokens = [Int32](repeating: Self.paddingIndex, count: tokenizedTexts.count * maximumLength)
        var lengths = [Int32](repeating: 0, count: tokenizedTexts.count)
        for (row, text) in tokenizedTexts.enumerated() {
            let kept = truncation == .keepFirst ? text.prefix(maximumLength) : text.suffix(maximumLength)
            for (column, token) in kept.enumerated() { tokens[row * maximumLength + column] = index(of: token) }
            lengths[row] = Int32(kept.count)
        }
        return EncodedSequences(tokens: tokens, lengths: lengths, maximumLength: maximumLength)
    }
}
