import Foundation
import GlidepathData

/// Task data read once per process and reused by later runs of the same task and data (issue 13 item 5):
/// the study's many short cells, `glidepath demo`'s three runs and a test process then pay the reading,
/// decoding and tokenising (IMDB: seconds) once.
///
/// A run's data is a pure function of its key — the task, the dataset directory, the limits, the CIFAR-10
/// batches, the text padding — and of the files, so the key also holds a **fingerprint** of the dataset
/// directory: name, size and modification time of every entry in it and in its immediate subfolders
/// (`aclImdb/train`, `cifar-10-batches-bin`, …). A file replaced, added or removed there is a new key;
/// a file rewritten in place with the same size and time stamp is not noticed (the cache trusts the
/// file system's time stamps, as `make` does). The cache holds the ``capacity`` most recently used
/// entries (each a few MiB to 150 MiB for CIFAR-10's pixels). Values are immutable, so sharing one
/// between runs changes nothing in a run's results.
public final class TaskDataCache: @unchecked Sendable {
    /// What a run's data depends on.
    public struct Key: Hashable, Sendable {
        public var task: TrainingTask
        public var directory: String
        public var trainingLimit: Int?
        public var evaluationLimit: Int?
        public var trainingBatches: [Int]?
        public var textPadding: TextPadding
        public var sampling: SubsetSampling
        /// (relative path, size, modification time) of the dataset's files, sorted by path.
        public var fingerprint: [FileStamp]
    }

    /// One entry of a ``Key/fingerprint``.
    public struct FileStamp: Hashable, Sendable {
        public var path: String
        public var size: UInt64
        public var modified: Double
    }

    /// The process's cache, used by ``TrainingSession/start(_:storePath:clock:)`` and
    /// ``TrainingSession/resume(_:storePath:dataDirectory:clock:)``.
    public static let shared = TaskDataCache(capacity: 2)

    /// The most entries kept (least recently used dropped first); at least 1.
    public let capacity: Int
    private let lock = NSLock()
    private var entries: [(key: Key, data: TaskData)] = []
    /// Loads served from memory and loads that read the files, since creation (for tests and reports).
    public private(set) var hits = 0, misses = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The data of a run with `configuration` (its limits under its ``RunConfiguration/effectiveSubsetSampling``),
    /// from `dataDirectory` (the recorded one unless given).
    public func load(for configuration: RunConfiguration, dataDirectory: String? = nil) throws(TrainingError)
        -> TaskData
    {
        try load(
            task: configuration.task, dataDirectory: dataDirectory ?? configuration.dataDirectory,
            trainingLimit: configuration.trainingLimit, evaluationLimit: configuration.evaluationLimit,
            trainingBatches: configuration.trainingBatches,
            textPadding: configuration.effectiveTextBatching?.padding ?? .maximumLength,
            sampling: configuration.effectiveSubsetSampling)
    }

    /// The task's data (``TaskData/load(task:dataDirectory:trainingLimit:evaluationLimit:trainingBatches:textPadding:sampling:)``),
    /// from memory when an entry with the same key exists.
    public func load(
        task: TrainingTask, dataDirectory: String, trainingLimit: Int? = nil, evaluationLimit: Int? = nil,
        trainingBatches: [Int]? = nil, textPadding: TextPadding = .maximumLength, sampling: SubsetSampling = .first
    ) throws(TrainingError) -> TaskData {
        let directory = DatasetCatalog.directory(for: task.specification.dataset, in: dataDirectory)
        let key = Key(
            task: task, directory: directory, trainingLimit: trainingLimit, evaluationLimit: evaluationLimit,
            trainingBatches: trainingBatches, textPadding: textPadding,
            sampling: trainingLimit == nil && evaluationLimit == nil ? .first : sampling,
            fingerprint: Self.fingerprint(of: directory))
        if let data = lookUp(key) { return data }
        let data = try TaskData.load(
            task: task, dataDirectory: dataDirectory, trainingLimit: trainingLimit,
            evaluationLimit: evaluationLimit, trainingBatches: trainingBatches,
            textPadding: textPadding, sampling: sampling)
        store(data, for: key)
        return data
    }

    /// Drops every entry.
    public func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll()
    }

    private func lookUp(_ key: Key) -> TaskData? {
        lock.lock()
        defer { lock.unlock() }
        guard let index = entries.firstIndex(where: { $0.key == key }) else {
            misses += 1
            return nil
        }
        hits += 1
        let entry = entries.remove(at: index)
        entries.append(entry)
        return entry.data
    }

    private func store(_ data: TaskData, for key: Key) {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.key == key }
        entries.append((key, data))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The stamps of the entries of `directory` and of its immediate subfolders; empty when it cannot be
    /// listed (then loading reports the problem).
    static func fingerprint(of directory: String) -> [FileStamp] {
        let manager = FileManager.default
        var stamps: [FileStamp] = []
        func add(_ relative: String) -> Bool {
            let path = directory + "/" + relative
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { return false }
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            stamps.append(FileStamp(path: relative, size: size, modified: modified))
            return (attributes[.type] as? FileAttributeType) == .typeDirectory
        }
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
            guard add(name) else { continue }
            for inner in (try? manager.contentsOfDirectory(atPath: directory + "/" + name)) ?? [] {
                _ = add(name + "/" + inner)
            }
        }
        return stamps.sorted { $0.path < $1.path }
    }
}
