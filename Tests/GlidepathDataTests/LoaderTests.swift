import GlidepathData
import GlidepathTestSupport
import Testing

@Suite("Deterministic data loader")
struct LoaderTests {
    /// 10 images of 1×2×3 with pixel value = 10·image + offset, labels image % 10.
    static func tinyImages(count: Int = 10, channels: Int = 1, height: Int = 2, width: Int = 3) -> ImageDataset {
        let size = channels * height * width
        var pixels: [UInt8] = []
        for image in 0..<count { for offset in 0..<size { pixels.append(UInt8((10 * image + offset) % 256)) } }
        return ImageDataset(
            pixels: pixels, labels: (0..<count).map { Int32($0 % 10) }, channels: channels,
            height: height, width: width, classNames: (0..<10).map(String.init))
    }

    @Test func unshuffledBatchesCoverInOrderWithRemainder() throws {
        let source = try ImageBatchSource(dataset: Self.tinyImages(), normalisation: nil)
        var loader = DataLoader(source: source, options: try BatchingOptions(batchSize: 4, shuffle: false))
        #expect(loader.batchesPerEpoch == 3)  // ceil(10 / 4)
        var seen: [[Int]] = []
        while let batch = loader.next() { seen.append(batch.indices) }
        #expect(seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(loader.position == LoaderPosition(epoch: 1, batch: 0))
        // Unnormalised pixels are scaled to [0, 1]: image 5, offset 2 → (50 + 2) / 255.
        let batch = loader.batch(epoch: 0, index: 1)
        expectClose(Double(batch.features[1 * 6 + 2]), 52.0 / 255, absoluteTolerance: 1e-6)
        #expect(batch.shape == [4, 1, 2, 3])
    }

    @Test func dropLastDropsTheShortBatch() throws {
        let source = try ImageBatchSource(dataset: Self.tinyImages(), normalisation: nil)
        var loader = DataLoader(
            source: source, options: try BatchingOptions(batchSize: 4, shuffle: true, dropLast: true, seed: 1))
        #expect(loader.batchesPerEpoch == 2)  // floor(10 / 4)
        var count = 0
        while let batch = loader.next() {
            #expect(batch.labels.count == 4)
            count += 1
        }
        #expect(count == 2)
    }

    @Test func shufflingIsSeededPerEpochAndCoversEveryExample() throws {
        let source = try ImageBatchSource(dataset: Self.tinyImages(count: 100), normalisation: nil)
        let options = try BatchingOptions(batchSize: 16, shuffle: true, seed: 99)
        let loader = DataLoader(source: source, options: options)
        let epoch0 = loader.order(epoch: 0), epoch1 = loader.order(epoch: 1)
        #expect(epoch0.sorted() == Array(0..<100))
        #expect(epoch0 != epoch1)
        #expect(epoch0 != Array(0..<100))
        let other = DataLoader(source: source, options: try BatchingOptions(batchSize: 16, shuffle: true, seed: 100))
        #expect(other.order(epoch: 0) != epoch0)
        #expect(DataLoader(source: source, options: options).order(epoch: 1) == epoch1)
    }

    /// A run stopped after 5 batches of epoch 1 and resumed from its saved position sees exactly the
    /// batches (indices, features, augmentation) of an uninterrupted run.
    @Test func resumingMidEpochReproducesTheBatches() throws {
        let dataset = Self.tinyImages(count: 50, channels: 3, height: 8, width: 8)
        let source = try ImageBatchSource(
            dataset: dataset,
            normalisation: try ChannelNormalisation(mean: [0.5, 0.4, 0.3], standardDeviation: [0.2, 0.25, 0.3]),
            augmentation: try ImageAugmentation(padding: 2))
        let options = try BatchingOptions(batchSize: 6, shuffle: true, seed: 2024)
        var uninterrupted = DataLoader(source: source, options: options)
        var reference: [ImageBatch] = []
        for _ in 0..<3 {
            while let batch = uninterrupted.next() { reference.append(batch) }
        }
        var first = DataLoader(source: source, options: options)
        var resumed: [ImageBatch] = []
        while let batch = first.next() { resumed.append(batch) }
        for _ in 0..<5 { if let batch = first.next() { resumed.append(batch) } }
        let saved = first.position
        #expect(saved == LoaderPosition(epoch: 1, batch: 5))
        var second = DataLoader(source: source, options: options, position: saved)
        for _ in 0..<2 {
            while let batch = second.next() { resumed.append(batch) }
        }
        #expect(resumed.count == reference.count)
        #expect(resumed == reference)
    }

    /// Augmentation against a hand computation: with padding 1 on a 1×2×3 image every draw's output
    /// pixel equals the padded-and-cropped (then flipped) source.
    @Test func augmentationMatchesDefinition() throws {
        let dataset = Self.tinyImages(count: 20)
        let augmentation = try ImageAugmentation(padding: 1, flipProbability: 0.5)
        let source = try ImageBatchSource(dataset: dataset, normalisation: nil, augmentation: augmentation)
        let options = try BatchingOptions(batchSize: 20, shuffle: false, seed: 5)
        let loader = DataLoader(source: source, options: options)
        let batch = loader.batch(epoch: 0, index: 0)
        // Replay the draws with the loader's documented per-batch stream [3, epoch, batch].
        var generator = Xoshiro256StarStar(seed: 5, stream: [3, 0, 0])
        var flips = 0, shifted = 0
        for image in 0..<20 {
            let draw = augmentation.draw(using: &generator)
            if draw.flip { flips += 1 }
            if draw.top != 1 || draw.left != 1 { shifted += 1 }
            for y in 0..<2 {
                for x in 0..<3 {
                    let column = draw.flip ? 2 - x : x
                    let sourceY = y + draw.top - 1, sourceX = column + draw.left - 1
                    let inside = (0..<2).contains(sourceY) && (0..<3).contains(sourceX)
                    let expected = inside ? Double(10 * image + sourceY * 3 + sourceX) / 255 : 0
                    expectClose(Double(batch.features[image * 6 + y * 3 + x]), expected, absoluteTolerance: 1e-6)
                }
            }
        }
        #expect(flips > 0 && flips < 20)
        #expect(shifted > 0)
    }

    @Test func normalisationStatisticsAndApplication() throws {
        // Two 1×1×2 images: pixels 0, 255, 255, 255 → mean 191.25/255 = 0.75, population std
        // sqrt(0.75·0.25) = 0.4330127 on the [0, 1] scale.
        let dataset = ImageDataset(
            pixels: [0, 255, 255, 255], labels: [0, 1], channels: 1, height: 1, width: 2,
            classNames: ["a", "b"])
        let statistics = try ChannelNormalisation.statistics(of: dataset)
        expectClose(Double(statistics.mean[0]), 0.75, absoluteTolerance: 1e-6)
        expectClose(Double(statistics.standardDeviation[0]), 0.4330127, absoluteTolerance: 1e-6)
        let source = try ImageBatchSource(dataset: dataset, normalisation: statistics)
        let batch = DataLoader(source: source, options: try BatchingOptions(batchSize: 2, shuffle: false)).batch(
            epoch: 0, index: 0)
        // (0 − 0.75)/0.4330127 = −1.7320508 and (1 − 0.75)/0.4330127 = 0.5773503.
        expectClose(
            batch.features.map(Double.init), [-1.7320508, 0.5773503, 0.5773503, 0.5773503], absoluteTolerance: 1e-5)
    }

    @Test func invalidOptionsAreRejected() throws {
        #expect(throws: DataError.self) { try BatchingOptions(batchSize: 0, shuffle: false) }
        #expect(throws: DataError.self) { try ImageAugmentation(padding: -1) }
        #expect(throws: DataError.self) { try ImageAugmentation(flipProbability: 1.5) }
        #expect(throws: DataError.self) { try ChannelNormalisation(mean: [0.5], standardDeviation: [0]) }
        #expect(throws: DataError.self) {
            try ImageBatchSource(dataset: Self.tinyImages(), normalisation: .cifar10)  // 3 channels for 1
        }
    }

    @Test func validationSplitIsSeededDisjointAndComplete() throws {
        let split = try ValidationSplit(count: 1000, fraction: 0.1, seed: 11)
        #expect(split.validationIndices.count == 100)
        #expect(split.trainingIndices.count == 900)
        #expect(Set(split.validationIndices).isDisjoint(with: split.trainingIndices))
        #expect((split.validationIndices + split.trainingIndices).sorted() == Array(0..<1000))
        #expect(try ValidationSplit(count: 1000, fraction: 0.1, seed: 11) == split)
        #expect(try ValidationSplit(count: 1000, fraction: 0.1, seed: 12) != split)
        #expect(try ValidationSplit(count: 10, fraction: 0, seed: 1).validationIndices.isEmpty)
        #expect(throws: DataError.self) { try ValidationSplit(count: 10, fraction: 1, seed: 1) }
        #expect(throws: DataError.self) { try ValidationSplit(count: 10, fraction: -0.1, seed: 1) }
    }

    @Test func textAndTabularBatches() throws {
        let sequences = EncodedSequences(tokens: [5, 6, 0, 7, 0, 0, 8, 9, 10], lengths: [2, 1, 3], maximumLength: 3)
        let text = try TextBatchSource(sequences: sequences, labels: [1, 0, 1])
        let textBatch = DataLoader(source: text, options: try BatchingOptions(batchSize: 2, shuffle: false)).batch(
            epoch: 0, index: 1)
        #expect(textBatch.tokens == [8, 9, 10])
        #expect(textBatch.lengths == [3] && textBatch.shape == [1, 3])
        let table = TabularDataset(
            features: [1, 2, 3, 4, 5, 6], labels: [0, 1, 0], featureNames: ["a", "b"], classNames: ["n", "p"])
        let tabular = DataLoader(
            source: TabularBatchSource(dataset: table), options: try BatchingOptions(batchSize: 2, shuffle: false))
        #expect(tabular.batch(epoch: 0, index: 0).features == [1, 2, 3, 4])
    }
}

@Suite("Train / validation / test splits")
struct DatasetSplitsTests {
    @Test func carvesValidationFromTrainOnly() throws {
        let train = LoaderTests.tinyImages(count: 40)
        let test = LoaderTests.tinyImages(count: 7)
        let splits = try DatasetSplits(officialTrain: train, officialTest: test, validationFraction: 0.25, seed: 3)
        #expect(splits.validation.count == 10 && splits.train.count == 30)  // round(0.25 · 40)
        #expect(splits.test == test)
        // Every example of the official training split lands in exactly one part, pixels intact.
        for (position, index) in splits.split.validationIndices.enumerated() {
            #expect(splits.validation.labels[position] == train.labels[index])
            #expect(splits.validation.pixels[position * 6] == train.pixels[index * 6])
        }
        let again = try DatasetSplits(officialTrain: train, officialTest: test, validationFraction: 0.25, seed: 3)
        #expect(again.validation == splits.validation)
        let text = TextDataset(texts: ["a", "b", "c", "d"], labels: [0, 1, 0, 1], classNames: ["n", "p"])
        let textSplits = try DatasetSplits(officialTrain: text, officialTest: text, validationFraction: 0.5, seed: 1)
        #expect(Set(textSplits.train.texts + textSplits.validation.texts) == ["a", "b", "c", "d"])
    }
}
