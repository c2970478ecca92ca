import Foundation
import Glidepath
import GlidepathData

/// The full resolved configuration of one training run: every input that determines its result.
///
/// The run store records it as JSON (``json()``, sorted keys), so a run can be reproduced from the store
/// alone, and a resumed run checks it is continuing the same configuration.
public struct RunConfiguration: Sendable, Equatable, Codable {
    /// Format version of this record; bump when a field changes meaning.
    public var version: Int
    public var task: TrainingTask
    /// Scheduler name as `glidepath schedule` spells it (e.g. `cosine`, `dlrs`).
    public var scheduler: String
    /// The scheduler's fully resolved parameters (defaults filled in), as JSON-shaped state.
    public var schedulerConfiguration: StateValue
    /// The optimizer, with its weight-decay scope resolved (the task's unless the run chose one).
    public var optimizer: OptimizerConfiguration
    /// Epochs to train (the task's budget unless overridden), ≥ 1.
    public var epochs: Int
    public var batchSize: Int
    public var validationSplit: ValidationHoldout
    /// Seed of every random choice in the run (initialisation, shuffling, dropout).
    public var seed: UInt64
    /// The data directory the datasets were read from.
    public var dataDirectory: String
    /// Validation-loss target for epochs- and time-to-target, if any.
    public var targetValidationLoss: Double?
    /// Compute threads the run was configured with.
    public var threads: Int
    /// Train on only N examples of the training part (which: ``subsetSampling``), for quick runs; nil = all.
    /// Absent from the JSON when nil, so configurations written before it decode unchanged.
    public var trainingLimit: Int?
    /// Evaluate on only N examples of the validation and of the test set (which: ``subsetSampling``); nil = all.
    public var evaluationLimit: Int?
    /// Which N examples the limits keep (``SubsetSampling``): recorded by every new limited run
    /// (``SubsetSampling/stratified`` unless asked otherwise); nil without a limit, and for runs recorded
    /// before sampling existed, which kept the first N (``effectiveSubsetSampling``).
    public var subsetSampling: SubsetSampling?
    /// For `cifar10-cnn` only: the training batch files (1–5) the training split is read from; nil = all
    /// five. Set explicitly when a data directory holds only some batches, so a smaller training set is
    /// always a recorded choice, never a silent one. Absent from the JSON when nil.
    public var trainingBatches: [Int]?
    /// Landscape probing (`--probe-every`); nil for a run that does not probe (and for runs recorded
    /// before probing existed).
    public var probing: ProbeConfiguration?
    /// For the text tasks: how training batches are grouped and padded (`--text-batching`). New text runs
    /// record it (``TextBatching/bucketed`` unless asked otherwise); nil for the other tasks and for text
    /// runs recorded before it existed, which trained ``TextBatching/padded`` (``effectiveTextBatching``).
    public var textBatching: TextBatching?
    /// The dataset files the run read, `name → "<bytes>:<crc32>"` (``DataFingerprint``): a resume with
    /// changed data is refused unless forced. Absent for runs recorded before it existed (and nil).
    public var dataFingerprint: [String: String]?

    public static let currentVersion = 1

    public init(
        task: TrainingTask, scheduler: String, schedulerConfiguration: StateValue,
        optimizer: OptimizerConfiguration? = nil, epochs: Int? = nil, seed: UInt64,
        dataDirectory: String, targetValidationLoss: Double? = nil, threads: Int,
        trainingLimit: Int? = nil, evaluationLimit: Int? = nil, trainingBatches: [Int]? = nil,
        textBatching: TextBatching? = nil, subsetSampling: SubsetSampling? = nil
    ) {
        let specification = task.specification
        self.version = Self.currentVersion
        self.task = task
        self.scheduler = scheduler
        self.schedulerConfiguration = schedulerConfiguration
        self.optimizer = (optimizer ?? specification.optimizer)
            .resolvingScope(specification.optimizer.weightDecayScope ?? .all)
        self.epochs = epochs ?? specification.epochBudget
        self.batchSize = specification.batchSize
        self.validationSplit = specification.validationSplit
        self.seed = seed
        self.dataDirectory = dataDirectory
        self.targetValidationLoss = targetValidationLoss
        self.threads = threads
        self.trainingLimit = trainingLimit
        self.evaluationLimit = evaluationLimit
        self.subsetSampling =
            trainingLimit == nil && evaluationLimit == nil ? nil : (subsetSampling ?? .stratified)
        self.trainingBatches = trainingBatches
        self.textBatching = textBatching ?? (task.isText ? .bucketed : nil)
    }

    /// The text batching the run trains with: the recorded one, ``TextBatching/padded`` for a text run
    /// recorded without it; nil for the other tasks.
    public var effectiveTextBatching: TextBatching? {
        task.isText ? (textBatching ?? .padded) : nil
    }

    /// The subset sampling the run uses: the recorded one, ``SubsetSampling/first`` when none is recorded.
    public var effectiveSubsetSampling: SubsetSampling {
        subsetSampling ?? .first
    }

    /// Checks every field.
    ///
    /// - Throws: ``TaskError`` naming the first bad field and value.
    /// The most epochs a run may have (`docs/limits.md`): far above any budget, and small enough that
    /// epochs × updates per epoch, and the progress arithmetic on them, can never overflow.
    public static let maximumEpochs = 1_000_000
    /// The most compute threads a run may ask for.
    public static let maximumThreads = 1024

    public func validate() throws(TaskError) {
        func fail(_ field: String, _ value: String, _ reason: String) -> TaskError {
            .invalidConfiguration(field: field, value: value, reason: reason)
        }
        guard version == Self.currentVersion else {
            throw fail("version", "\(version)", "this build reads configuration version \(Self.currentVersion)")
        }
        guard !scheduler.isEmpty else { throw fail("scheduler", "\"\"", "must name a scheduler") }
        // Counts are checked before anything is read or recorded (no orphan `running` run).
        guard epochs >= 1 else { throw fail("epochs", "\(epochs)", "must be ≥ 1") }
        guard epochs <= Self.maximumEpochs else { throw fail("epochs", "\(epochs)", "must be ≤ \(Self.maximumEpochs)") }
        guard batchSize >= 1 else { throw fail("batchSize", "\(batchSize)", "must be ≥ 1") }
        guard threads >= 1 else { throw fail("threads", "\(threads)", "must be ≥ 1") }
        guard threads <= Self.maximumThreads else {
            throw fail("threads", "\(threads)", "must be ≤ \(Self.maximumThreads)")
        }
        guard validationSplit.fraction > 0 && validationSplit.fraction < 1 else {
            throw fail("validationSplit.fraction", "\(validationSplit.fraction)", "must be in (0, 1)")
        }
        if let target = targetValidationLoss, !(target.isFinite && target > 0) {
            throw fail("targetValidationLoss", "\(target)", "must be finite and > 0")
        }
        if let limit = trainingLimit, limit < 2 { throw fail("trainingLimit", "\(limit)", "must be ≥ 2") }
        if let limit = evaluationLimit, limit < 1 { throw fail("evaluationLimit", "\(limit)", "must be ≥ 1") }
        if let subsetSampling, trainingLimit == nil && evaluationLimit == nil {
            throw fail(
                "subsetSampling", subsetSampling.rawValue, "applies only with a trainingLimit or evaluationLimit")
        }
        if let batches = trainingBatches {
            let text = "\(batches)"
            guard task == .cifar10CNN else { throw fail("trainingBatches", text, "applies to cifar10-cnn only") }
            guard !batches.isEmpty, batches.allSatisfy((1...5).contains), Set(batches).count == batches.count else {
                throw fail("trainingBatches", text, "must list distinct CIFAR-10 training batches from 1 to 5")
            }
        }
        if let textBatching, !task.isText {
            throw fail(
                "textBatching", textBatching.rawValue, "applies to the text tasks (imdb-bilstm, sst2-bilstm) only")
        }
        guard optimizer.weightDecayScope != nil else {
            throw fail("optimizer.weightDecayScope", "nil", "a run records its resolved scope")
        }
        try optimizer.validate()
        try probing?.validate()
    }

    /// The training loader's options: the run's batch size and seed, shuffled, bucketed by length when
    /// the run's text batching says so.
    public func batchingOptions() throws(DataError) -> BatchingOptions {
        try BatchingOptions(
            batchSize: batchSize, shuffle: true, seed: seed, bucketing: effectiveTextBatching?.bucketing)
    }

    /// The configuration as one line of JSON with sorted keys (``StateCoding``).
    public func json() throws(TaskError) -> String {
        do {
            return String(decoding: try StateCoding.encoder().encode(self), as: UTF8.self)
        } catch {
            throw .invalidConfiguration(field: "configuration", value: "<unencodable>", reason: "\(error)")
        }
    }

    /// Decodes a configuration written by ``json()``.
    public static func decode(json: String) throws(TaskError) -> RunConfiguration {
        do {
            return try StateCoding.decoder().decode(RunConfiguration.self, from: Data(json.utf8))
        } catch {
            throw .invalidConfiguration(field: "configuration", value: "<json>", reason: StateCoding.describe(error))
        }
    }
}
