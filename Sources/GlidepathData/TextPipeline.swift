import Foundation

/// Labelled texts as read from IMDB or SST-2.
public struct TextDataset: Equatable, Sendable {
    public var texts: [String]
    /// Class index per text (1 = positive, 0 = negative for both IMDB and SST-2).
    public var labels: [Int32]
    public var classNames: [String]

    public init(texts: [String], labels: [Int32], classNames: [String]) {
        precondition(texts.count == labels.count, "TextDataset: \(texts.count) texts for \(labels.count) labels")
        self.texts = texts
        self.labels = labels
        self.classNames = classNames
    }

    public var count: Int { texts.count }

    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    public func subset(_ indices: [Int]) -> TextDataset {
        TextDataset(texts: indices.map { texts[$0] }, labels: indices.map { labels[$0] }, classNames: classNames)
    }
}

/// Tokenizer + training-split vocabulary + fixed length: texts in, ``EncodedSequences`` out.
public struct TextPipeline: Equatable, Sendable, Codable {
    /// Options of the pipeline; recorded with a run.
    public struct Options: Equatable, Codable, Sendable {
        /// Vocabulary entries including `<pad>` and `<unk>`; nil for no limit.
        public var maximumVocabularySize: Int?
        /// Occurrences in the training split a token needs to enter the vocabulary.
        public var minimumFrequency: Int
        /// Tokens per sequence after padding/truncation.
        public var maximumLength: Int
        public var truncation: Truncation

        public init(
            maximumVocabularySize: Int?, minimumFrequency: Int = 1, maximumLength: Int,
            truncation: Truncation = .keepFirst
        ) throws(DataError) {
            guard maximumLength >= 1 else {
                throw DataError(
                    file: "text pipeline", problem: .invalidArgument("maximum length \(maximumLength) is below 1"))
            }
            self.maximumVocabularySize = maximumVocabularySize
            self.minimumFrequency = minimumFrequency
            self.maximumLength = maximumLength
            self.truncation = truncation
        }
    }

    public var tokenizer: Tokenizer
    public var vocabulary: Vocabulary
    public var options: Options

    /// Builds the vocabulary from `trainingTexts` (the training split only, never validation or test).
    public static func fit(trainingTexts: [String], options: Options, tokenizer: Tokenizer = Tokenizer())
        throws(DataError) -> TextPipeline
    {
        let tokenized = tokenize(trainingTexts, with: tokenizer)
        let vocabulary = try Vocabulary(
            building: tokenized, maximumSize: options.maximumVocabularySize,
            minimumFrequency: options.minimumFrequency)
        return TextPipeline(tokenizer: tokenizer, vocabulary: vocabulary, options: options)
    }

    /// Fits on `trainingTexts` and returns their encoding too, tokenizing them once instead of twice.
    public static func fitAndEncode(trainingTexts: [String], options: Options, tokenizer: Tokenizer = Tokenizer())
        throws(DataError) -> (pipeline: TextPipeline, training: EncodedSequences)
    {
        let tokenized = tokenize(trainingTexts, with: tokenizer)
        let vocabulary = try Vocabulary(
            building: tokenized, maximumSize: options.maximumVocabularySize,
            minimumFrequency: options.minimumFrequency)
        let pipeline = TextPipeline(tokenizer: tokenizer, vocabulary: vocabulary, options: options)
        let encoded = vocabulary.encode(tokenized, maximumLength: options.maximumLength, truncation: options.truncation)
        return (pipeline, encoded)
    }

    /// Encodes texts with the fitted vocabulary.
    public func encode(_ texts: [String]) -> EncodedSequences {
        vocabulary.encode(
            Self.tokenize(texts, with: tokenizer), maximumLength: options.maximumLength,
            truncation: options.truncation)
    }

    /// Tokenizes in parallel chunks; the result does not depend on the number of cores.
    public static func tokenize(_ texts: [String], with tokenizer: Tokenizer) -> [[String]] {
        let chunkSize = 512
        let starts = Array(stride(from: 0, to: texts.count, by: chunkSize))
        // The closure cannot throw; parallelMap's typed throws are never exercised here.
        let chunks =
            (try? parallelMap(starts) { (start: Int) throws(DataError) -> [[String]] in
                texts[start..<min(start + chunkSize, texts.count)].map(tokenizer.tokens)
            }) ?? []
        return chunks.flatMap { $0 }
    }
}
