import GlidepathData
import GlidepathTestSupport
import Testing

/// Length bucketing and dynamic padding (`LengthBucketing`, `TextPadding`): the properties
/// `docs/data.md` ("Length bucketing") states, over seeded sweeps of lengths.
@Suite("Length bucketing and dynamic padding")
struct LengthBucketingTests {
    /// `count` texts with seeded lengths in 0...maximumLength; token j of text i is 2 + (i + j) % 50
    /// (never the padding id 0), the rest of the row 0.
    static func texts(count: Int, maximumLength: Int, seed: UInt64) throws -> TextBatchSource {
        var generator = SeededGenerator(seed: seed)
        var tokens: [Int32] = [], lengths: [Int32] = []
        for i in 0..<count {
            let length = Int.random(in: 0...maximumLength, using: &generator)
            lengths.append(Int32(length))
            for j in 0..<maximumLength { tokens.append(j < length ? Int32(2 + (i + j) % 50) : 0) }
        }
        return try TextBatchSource(
            sequences: EncodedSequences(tokens: tokens, lengths: lengths, maximumLength: maximumLength),
            labels: (0..<count).map { Int32($0 % 2) }, padding: .longestInBatch)
    }

    static func options(batchSize: Int, seed: UInt64, chunk: Int) throws -> BatchingOptions {
        try BatchingOptions(
            batchSize: batchSize, shuffle: true, seed: seed, bucketing: LengthBucketing(chunkBatches: chunk))
    }

    /// Each epoch's order is a permutation; each full batch lies inside one chunk of the plain order and
    /// is sorted by decreasing length; the short batch stays last; the batches are not in chunk order.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func orderIsAPermutationOfSortedChunkBatches(seed: UInt64) throws {
        let source = try Self.texts(count: 203, maximumLength: 40, seed: seed)
        let batchSize = 8, chunk = 5
        let loader = DataLoader(
            source: source, options: try Self.options(batchSize: batchSize, seed: seed, chunk: chunk))
        let plain = DataLoader(
            source: source, options: try BatchingOptions(batchSize: batchSize, shuffle: true, seed: seed))
        let lengths = source.sequences.lengths
        for epoch in 0..<2 {
            let order = loader.order(epoch: epoch)
            #expect(order.sorted() == Array(0..<203))
            // The chunk (of the plain order) each example fell in.
            var chunkOf = [Int](repeating: 0, count: 203)
            for (position, example) in plain.order(epoch: epoch).enumerated() {
                chunkOf[example] = position / (chunk * batchSize)
            }
            var chunkSequence: [Int] = []
            for b in 0..<loader.batchesPerEpoch {
                let indices = loader.indices(epoch: epoch, index: b)
                #expect(indices.count == (b < 25 ? batchSize : 3))  // 203 = 25·8 + 3
                #expect(Set(indices.map { chunkOf[$0] }).count == 1, "batch \(b) spans chunks")
                let batchLengths = indices.map { lengths[$0] }
                #expect(batchLengths == batchLengths.sorted(by: >))
                if b < 25 { chunkSequence.append(chunkOf[indices[0]]) }
            }
            // The short batch holds the shortest examples of the last chunk; the full batches are shuffled.
            #expect(chunkOf[order[202]] == 5)
            #expect(chunkSequence != chunkSequence.sorted())
        }
        #expect(loader.order(epoch: 0) != loader.order(epoch: 1))
    }

    /// Same seed → same batches; another seed → other batches.
    @Test func deterministicPerSeed() throws {
        let source = try Self.texts(count: 300, maximumLength: 30, seed: 7)
        let a = DataLoader(source: source, options: try Self.options(batchSize: 10, seed: 11, chunk: 4))
        let b = DataLoader(source: source, options: try Self.options(batchSize: 10, seed: 11, chunk: 4))
        let c = DataLoader(source: source, options: try Self.options(batchSize: 10, seed: 12, chunk: 4))
        #expect(a.order(epoch: 3) == b.order(epoch: 3))
        #expect(a.order(epoch: 3) != c.order(epoch: 3))
    }

    /// A loader restored at a mid-epoch position produces exactly the batches of an uninterrupted one.
    @Test func resumingMidEpochReproducesTheBatches() throws {
        let source = try Self.texts(count: 150, maximumLength: 25, seed: 3)
        let options = try Self.options(batchSize: 7, seed: 5, chunk: 3)
        var uninterrupted = DataLoader(source: source, options: options, position: LoaderPosition(epoch: 1, batch: 0))
        var expected: [TextBatch] = []
        while let batch = uninterrupted.next() { expected.append(batch) }
        var resumed = DataLoader(source: source, options: options, position: LoaderPosition(epoch: 1, batch: 9))
        var seen: [TextBatch] = []
        while let batch = resumed.next() { seen.append(batch) }
        #expect(seen == Array(expected[9...]))
    }

    /// Bucketing cuts the padding: over an epoch, padded positions (B·T − ΣL) are fewer than a tenth
    /// of those of plain shuffled batches padded to their longest text, for lengths uniform in 0...60.
    @Test func bucketingCutsPadding() throws {
        let source = try Self.texts(count: 3200, maximumLength: 60, seed: 9)
        func padding(_ options: BatchingOptions) -> Int {
            let loader = DataLoader(source: source, options: options)
            var total = 0
            for b in 0..<loader.batchesPerEpoch {
                let batch = loader.batch(epoch: 0, index: b)
                total += batch.shape[0] * batch.shape[1] - batch.lengths.reduce(0) { $0 + Int($1) }
            }
            return total
        }
        let bucketed = padding(try Self.options(batchSize: 32, seed: 1, chunk: 100))
        let plain = padding(try BatchingOptions(batchSize: 32, shuffle: true, seed: 1))
        #expect(bucketed * 10 < plain, "bucketed \(bucketed) vs plain \(plain) padded positions")
    }

    /// Dynamic padding: a batch is as wide as its longest text (1 when every text is empty), and each
    /// row is the fixed-length row's prefix.
    @Test func dynamicPaddingKeepsTheRealTokens() throws {
        let sequences = EncodedSequences(
            tokens: [5, 6, 0, 0, 7, 0, 0, 0, 8, 9, 10, 0, 0, 0, 0, 0],
            lengths: [2, 1, 3, 0], maximumLength: 4)
        let dynamic = try TextBatchSource(sequences: sequences, labels: [1, 0, 1, 0], padding: .longestInBatch)
        let fixed = try TextBatchSource(sequences: sequences, labels: [1, 0, 1, 0])
        var generator = Xoshiro256StarStar(seed: 0, stream: [])
        let batch = dynamic.batch(at: [0, 2, 1], generator: &generator)
        #expect(batch.shape == [3, 3])
        #expect(batch.tokens == [5, 6, 0, 8, 9, 10, 7, 0, 0])
        #expect(batch.lengths == [2, 3, 1])
        #expect(fixed.batch(at: [0, 2, 1], generator: &generator).shape == [3, 4])
        let empty = dynamic.batch(at: [3], generator: &generator)
        #expect(empty.shape == [1, 1] && empty.tokens == [0] && empty.lengths == [0])
    }

    /// Sources without lengths (images, tables) keep the plain order under a bucketing option.
    @Test func sourcesWithoutLengthsKeepThePlainOrder() throws {
        let table = TabularDataset(
            features: (0..<40).map(Float.init), labels: (0..<20).map { Int32($0 % 2) },
            featureNames: ["a", "b"], classNames: ["n", "p"])
        let source = TabularBatchSource(dataset: table)
        let bucketed = DataLoader(source: source, options: try Self.options(batchSize: 4, seed: 2, chunk: 2))
        let plain = DataLoader(source: source, options: try BatchingOptions(batchSize: 4, shuffle: true, seed: 2))
        #expect(bucketed.order(epoch: 0) == plain.order(epoch: 0))
    }

    @Test func invalidChunkIsRejected() {
        #expect(throws: DataError.self) { try LengthBucketing(chunkBatches: 0) }
    }
}
