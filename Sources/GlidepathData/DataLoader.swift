/// Something a ``DataLoader`` can cut into batches: a fixed number of examples and a way to gather
/// any subset of them into one batch value.
public protocol BatchSource: Sendable {
    associatedtype Batch: Sendable
    /// The number of examples.
    var count: Int { get }
    /// The examples at `indices`, in that order. `generator` is seeded for this batch alone (see
    /// ``DataLoader``); sources without augmentation ignore it.
    func batch(at indices: [Int], generator: inout Xoshiro256StarStar) -> Batch
    /// Every example's length, for ``LengthBucketing``; nil for sources whose examples have none (the
    /// default).
    var exampleLengths: [Int32]? { get }
}

extension BatchSource {
    public var exampleLengths: [Int32]? { nil }
}

/// Where a ``DataLoader`` is: the epoch and the index of the next batch within it. Saving it with a
/// run and restoring it later resumes the exact batch sequence, mid-epoch included.
public struct LoaderPosition: Equatable, Codable, Sendable {
    public var epoch: Int
    public var batch: Int

    public init(epoch: Int = 0, batch: Int = 0) {
        self.epoch = epoch
        self.batch = batch
    }
}

/// How examples are ordered and grouped into batches.
public struct BatchingOptions: Equatable, Codable, Sendable {
    /// Examples per batch (the last batch may be smaller unless ``dropLast``); at least 1.
    public var batchSize: Int
    /// Whether each epoch visits the examples in a fresh seeded order.
    public var shuffle: Bool
    /// Whether to drop the final batch of an epoch when it is smaller than ``batchSize``.
    public var dropLast: Bool
    /// The seed of every random choice the loader makes (order and augmentation).
    public var seed: UInt64
    /// Groups examples of similar length into batches (``LengthBucketing``), for sources with
    /// ``BatchSource/exampleLengths``; nil (and for sources without lengths) keeps the plain order.
    public var bucketing: LengthBucketing?

    public init(
        batchSize: Int, shuffle: Bool, dropLast: Bool = false, seed: UInt64 = 0,
        bucketing: LengthBucketing? = nil
    ) throws(DataError) {
        guard batchSize >= 1 else {
            throw DataError(file: "loader", problem: .invalidArgument("batch size \(batchSize) is not positive"))
        }
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.bucketing = bucketing
    }
}

/// The first components of the random streams a ``DataLoader`` draws from (see
/// ``SeededGenerator/init(seed:stream:)``).
public struct LoaderStreams: Equatable, Sendable {
    /// Epoch e's order comes from stream `[order, e]`.
    public var order: UInt64
    /// Batch b of epoch e is augmented from stream `[augmentation, e, b]`.
    public var augmentation: UInt64

    public init(order: UInt64 = 2, augmentation: UInt64 = 3) {
        self.order = order
        self.augmentation = augmentation
    }
}

/// A deterministic, resumable batch iterator.
///
/// Epoch `e`'s order is the identity (no shuffle) or a Fisher–Yates permutation from
/// ``Xoshiro256StarStar`` seeded with `(seed, stream [2, e])`; batch `b` of the epoch holds positions
/// `b·batchSize ..< min((b+1)·batchSize, count)` of that order; its generator for augmentation is
/// seeded with `(seed, stream [3, e, b])` — 2 and 3 by default (``LoaderStreams``): two loaders that share
/// a seed, such as meta-training's training and meta sets, draw from different streams. Everything is a
/// pure function of (seed, epoch, batch), so a loader restored at a ``LoaderPosition`` produces exactly the
/// batches an uninterrupted run would, and a batch can be recomputed on its own with
/// ``batch(epoch:index:)``. With ``BatchingOptions/bucketing`` and a source with lengths, the epoch's
/// order is regrouped by length (``LengthBucketing``: sorted chunks, shuffled batches from stream
/// `[2, e, 1]`), still a pure function of (seed, epoch).
///
/// Differs from PyTorch's `DataLoader`: PyTorch draws each epoch's permutation from a generator whose
/// state carries over between epochs, so resuming mid-epoch needs the saved generator state and
/// replaying the epoch; here only the position is saved.
public struct DataLoader<Source: BatchSource>: Sendable {
    public let source: Source
    public let options: BatchingOptions
    public let streams: LoaderStreams
    /// The next batch to produce.
    public var position: LoaderPosition {
        didSet { if position.epoch != cachedEpoch { cachedOrder = nil } }
    }

    private var cachedEpoch = -1
    private var cachedOrder: [Int]?

    public init(
        source: Source, options: BatchingOptions, position: LoaderPosition = LoaderPosition(),
        streams: LoaderStreams = LoaderStreams()
    ) {
        self.source = source
        self.options = options
        self.position = position
        self.streams = streams
    }

    /// Batches in every epoch.
    public var batchesPerEpoch: Int {
        options.dropLast
            ? source.count / options.batchSize
            : (source.count + options.batchSize - 1) / options.batchSize
    }

    /// The example order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        let plain: [Int]
        if options.shuffle {
            var generator = Xoshiro256StarStar(seed: options.seed, stream: [streams.order, UInt64(epoch)])
            plain = generator.permutation(of: source.count)
        } else {
            plain = Array(0..<source.count)
        }
        guard let bucketing = options.bucketing, let lengths = source.exampleLengths else { return plain }
        precondition(lengths.count == source.count, "loader: \(lengths.count) lengths for \(source.count) examples")
        var generator = Xoshiro256StarStar(seed: options.seed, stream: [streams.order, UInt64(epoch), 1])
        return bucketing.bucketed(plain, lengths: lengths, batchSize: options.batchSize, generator: &generator)
    }

    /// The indices of batch `index` of `epoch`.
    public func indices(epoch: Int, index: Int) -> [Int] {
        indices(in: order(epoch: epoch), index: index)
    }

    /// Batch `index` of `epoch`, computed without touching ``position``.
    public func batch(epoch: Int, index: Int) -> Source.Batch {
        makeBatch(indices(epoch: epoch, index: index), epoch: epoch, index: index)
    }

    /// The batch at ``position``, advancing it; nil at the end of an epoch, after which ``position``
    /// is the start of the next epoch.
    public mutating func next() -> Source.Batch? {
        guard position.batch < batchesPerEpoch else {
            position = LoaderPosition(epoch: position.epoch + 1, batch: 0)
            return nil
        }
        if cachedOrder == nil || cachedEpoch != position.epoch {
            cachedOrder = order(epoch: position.epoch)
            cachedEpoch = position.epoch
        }
        let current = position
        let batchIndices = indices(in: cachedOrder ?? [], index: current.batch)
        position.batch += 1
        return makeBatch(batchIndices, epoch: current.epoch, index: current.batch)
    }

    private func indices(in order: [Int], index: Int) -> [Int] {
        precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) outside 0..<\(batchesPerEpoch)")
        let start = index * options.batchSize
        return Array(order[start..<min(start + options.batchSize, order.count)])
    }

    private func makeBatch(_ indices: [Int], epoch: Int, index: Int) -> Source.Batch {
        var generator = Xoshiro256StarStar(
            seed: options.seed, stream: [streams.augmentation, UInt64(epoch), UInt64(index)])
        return source.batch(at: indices, generator: &generator)
    }
}
