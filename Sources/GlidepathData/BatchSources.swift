/// A batch of images as `Float`s, ready to become an NCHW tensor.
public struct ImageBatch: Equatable, Sendable {
    /// `shape[0] × shape[1] × shape[2] × shape[3]` values, NCHW.
    public var features: [Float]
    /// [batch, channels, height, width].
    public var shape: [Int]
    public var labels: [Int32]
    /// The dataset indices of the examples, in batch order.
    public var indices: [Int]
}

/// Images → normalised (and optionally augmented) `Float` batches.
public struct ImageBatchSource: BatchSource {
    public let dataset: ImageDataset
    /// Applied to every image; without it pixels are scaled to [0, 1].
    public let normalisation: ChannelNormalisation?
    /// Training-time augmentation; nil for evaluation.
    public let augmentation: ImageAugmentation?
    /// The seed's training transforms (flip, rotation, colour jitter on the [0, 1] image, then the
    /// normalisation); nil for evaluation. Not with ``augmentation``.
    public let seedAugmentation: SeedAugmentation?
    private let scale: [Float]
    private let shift: [Float]

    public init(
        dataset: ImageDataset, normalisation: ChannelNormalisation?, augmentation: ImageAugmentation? = nil,
        seedAugmentation: SeedAugmentation? = nil
    ) throws(DataError) {
        if seedAugmentation != nil && (augmentation != nil || dataset.channels != 3) {
            throw DataError(
                file: "loader",
                problem: .invalidArgument("the seed's augmentation needs RGB images and no crop augmentation"))
        }
        self.seedAugmentation = seedAugmentation
        if let normalisation, normalisation.mean.count != dataset.channels {
            throw DataError(
                file: "loader",
                problem: .invalidArgument(
                    "normalisation has \(normalisation.mean.count) channels, images have \(dataset.channels)"))
        }
        self.dataset = dataset
        self.normalisation = normalisation
        self.augmentation = augmentation
        // (p/255 − m)/s = p·(1/(255 s)) + (−m/s): one multiply-add per pixel.
        let means = normalisation?.mean ?? [Float](repeating: 0, count: dataset.channels)
        let deviations = normalisation?.standardDeviation ?? [Float](repeating: 1, count: dataset.channels)
        scale = deviations.map { 1 / (255 * $0) }
        shift = zip(means, deviations).map { -$0 / $1 }
    }

    public var count: Int { dataset.count }

    public func batch(at indices: [Int], generator: inout Xoshiro256StarStar) -> ImageBatch {
        let size = dataset.imageSize
        let plane = dataset.height * dataset.width
        var features = [Float](repeating: 0, count: indices.count * size)
        dataset.pixels.withUnsafeBufferPointer { pixels in
            features.withUnsafeMutableBufferPointer { output in
                for (row, index) in indices.enumerated() {
                    let source = UnsafeBufferPointer(rebasing: pixels[(index * size)..<((index + 1) * size)])
                    let destination = UnsafeMutableBufferPointer(rebasing: output[(row * size)..<((row + 1) * size)])
                    if let seedAugmentation {
                        // ToTensor (p / 255), the seed's transforms, then the normalisation.
                        let draw = seedAugmentation.draw(using: &generator)
                        let image = SeedAugmentation.apply(
                            draw, to: source.map { Float($0) / 255 }, height: dataset.height, width: dataset.width)
                        for channel in 0..<dataset.channels {
                            let a = scale[channel] * 255, b = shift[channel]
                            for offset in (channel * plane)..<((channel + 1) * plane) {
                                destination[offset] = image[offset] * a + b
                            }
                        }
                    } else if let augmentation {
                        let draw = augmentation.draw(using: &generator)
                        augmentation.apply(
                            draw, source: source, channels: dataset.channels, height: dataset.height,
                            width: dataset.width, scale: scale, shift: shift, destination: destination)
                    } else {
                        for channel in 0..<dataset.channels {
                            let a = scale[channel], b = shift[channel]
                            for offset in (channel * plane)..<((channel + 1) * plane) {
                                destination[offset] = Float(source[offset]) * a + b
                            }
                        }
                    }
                }
            }
        }
        return ImageBatch(
            features: features, shape: [indices.count, dataset.channels, dataset.height, dataset.width],
            labels: indices.map { dataset.labels[$0] }, indices: indices)
    }
}

/// A batch of padded token sequences with their true lengths (for masking or packing in an LSTM).
public struct TextBatch: Equatable, Sendable {
    /// `shape[0] × shape[1]` token ids, row-major, padded with ``Vocabulary/paddingIndex``.
    public var tokens: [Int32]
    /// [batch, padded length]: the pipeline's maximum length, or the batch's longest text
    /// (``TextPadding``).
    public var shape: [Int]
    /// The number of real tokens in each row (≤ maximum length).
    public var lengths: [Int32]
    public var labels: [Int32]
    public var indices: [Int]
}

/// Encoded texts → batches, padded to the maximum length or to each batch's longest text.
public struct TextBatchSource: BatchSource {
    public let sequences: EncodedSequences
    public let labels: [Int32]
    public let padding: TextPadding

    public init(sequences: EncodedSequences, labels: [Int32], padding: TextPadding = .maximumLength) throws(DataError) {
        guard sequences.count == labels.count else {
            throw DataError(
                file: "loader", problem: .invalidArgument("\(sequences.count) sequences for \(labels.count) labels"))
        }
        self.sequences = sequences
        self.labels = labels
        self.padding = padding
    }

    public var count: Int { labels.count }

    public var exampleLengths: [Int32]? { sequences.lengths }

    public func batch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TextBatch {
        let stride = sequences.maximumLength
        let length: Int
        switch padding {
        case .maximumLength: length = stride
        case .longestInBatch: length = max(1, indices.map { Int(sequences.lengths[$0]) }.max() ?? 1)
        }
        var tokens = [Int32](repeating: 0, count: indices.count * length)
        for (row, index) in indices.enumerated() {
            tokens.replaceSubrange(
                (row * length)..<((row + 1) * length),
                with: sequences.tokens[(index * stride)..<(index * stride + length)])
        }
        return TextBatch(
            tokens: tokens, shape: [indices.count, length],
            lengths: indices.map { sequences.lengths[$0] }, labels: indices.map { labels[$0] },
            indices: indices)
    }
}

/// A batch of tabular rows.
public struct TabularBatch: Equatable, Sendable {
    /// `shape[0] × shape[1]` features, row-major.
    public var features: [Float]
    /// [batch, features].
    public var shape: [Int]
    public var labels: [Int32]
    public var indices: [Int]
}

/// A ``TabularDataset`` → batches.
public struct TabularBatchSource: BatchSource {
    public let dataset: TabularDataset

    public init(dataset: TabularDataset) { self.dataset = dataset }

    public var count: Int { dataset.count }

    public func batch(at indices: [Int], generator: inout Xoshiro256StarStar) -> TabularBatch {
        let width = dataset.featureCount
        var features = [Float](repeating: 0, count: indices.count * width)
        for (row, index) in indices.enumerated() {
            features.replaceSubrange(
                (row * width)..<((row + 1) * width),
                with: dataset.features[(index * width)..<((index + 1) * width)])
        }
        return TabularBatch(
            features: features, shape: [indices.count, width],
            labels: indices.map { dataset.labels[$0] }, indices: indices)
    }
}
