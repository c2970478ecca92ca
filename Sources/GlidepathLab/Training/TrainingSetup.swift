import Foundation
import Glidepath
import GlidepathData
import GlidepathNN
import GlidepathTensor

/// What a new run needs besides the task: the command line's choices.
public struct TrainingRequest: Sendable {
    public var task: TrainingTask
    /// The scheduler's configuration, decoded (`--scheduler NAME [--scheduler-config FILE]`); resolved
    /// against the run when it starts.
    public var scheduler: SchedulerConfiguration
    /// `--optimizer` / `--optimizer-config`; nil = the task's (``TaskSpecification/optimizer``).
    public var optimizer: OptimizerConfiguration?
    /// `--weight-decay-scope`; nil = the optimizer configuration's, else the task's.
    public var weightDecayScope: WeightDecayScope?
    public var epochs: Int?
    public var seed: UInt64
    public var dataDirectory: String
    public var targetValidationLoss: Double?
    public var threads: Int
    public var trainingLimit: Int?
    public var evaluationLimit: Int?
    /// Which examples the limits keep; nil = ``SubsetSampling/stratified`` when there is a limit.
    public var subsetSampling: SubsetSampling?
    /// `--cifar-model`; nil = ``CIFARModel/standard`` (recorded for `cifar10-cnn` runs).
    public var cifarModel: CIFARModel?
    public var trainingBatches: [Int]?
    /// `--text-batching`; nil = the task's default (``TextBatching/bucketed`` for the text tasks).
    public var textBatching: TextBatching?
    /// Landscape probing; nil probes only when the scheduler reads the landscape (then automatically).
    public var probing: ProbeConfiguration?
    /// Examples per update; nil = the task's (``TaskSpecification/batchSize``). A study plan sets it
    /// (`dlrs-validation` trains the CNNs at 128); the run records it.
    public var batchSize: Int?

    public init(
        task: TrainingTask, scheduler: SchedulerConfiguration, optimizer: OptimizerConfiguration? = nil,
        weightDecayScope: WeightDecayScope? = nil, epochs: Int? = nil, seed: UInt64 = 0, dataDirectory: String,
        targetValidationLoss: Double? = nil, threads: Int = 1, trainingLimit: Int? = nil,
        evaluationLimit: Int? = nil, trainingBatches: [Int]? = nil, textBatching: TextBatching? = nil,
        probing: ProbeConfiguration? = nil
    ) {
        self.probing = probing
        self.textBatching = textBatching
        self.task = task
        self.scheduler = scheduler
        self.optimizer = optimizer
        self.weightDecayScope = weightDecayScope
        self.epochs = epochs
        self.seed = seed
        self.dataDirectory = dataDirectory
        self.targetValidationLoss = targetValidationLoss
        self.threads = threads
        self.trainingLimit = trainingLimit
        self.trainingBatches = trainingBatches
        self.evaluationLimit = evaluationLimit
    }

    /// The same, decoding `--scheduler scheduler` with the parsed `--scheduler-config` document
    /// `schedulerFile` (``SchedulerSetup/configuration(name:file:)``).
    public init(
        task: TrainingTask, scheduler: String, schedulerFile: StateValue? = nil,
        optimizer: OptimizerConfiguration? = nil,
        weightDecayScope: WeightDecayScope? = nil, epochs: Int? = nil, seed: UInt64 = 0, dataDirectory: String,
        targetValidationLoss: Double? = nil, threads: Int = 1, trainingLimit: Int? = nil,
        evaluationLimit: Int? = nil, trainingBatches: [Int]? = nil, textBatching: TextBatching? = nil,
        probing: ProbeConfiguration? = nil
    )
        throws(TrainingError)
    {
        self.init(
            task: task, scheduler: try SchedulerSetup.configuration(name: scheduler, file: schedulerFile),
            optimizer: optimizer, weightDecayScope: weightDecayScope, epochs: epochs, seed: seed,
            dataDirectory: dataDirectory, targetValidationLoss: targetValidationLoss, threads: threads,
            trainingLimit: trainingLimit, evaluationLimit: evaluationLimit, trainingBatches: trainingBatches,
            textBatching: textBatching, probing: probing)
    }
}

extension TrainingSession {
    /// Prepares a new run: validates everything, reads the data, builds model, optimizer and scheduler,
    /// and only then records the run in the store (so a bad input never leaves a run or a store behind).
    ///
    /// The scheduler's configuration, decoded once by the request, is resolved once against the run's
    /// real shape (its epochs, the updates per epoch of the data actually read, the task's classes and,
    /// when asked for, the untrained loss) and built once, before the store records anything.
    ///
    /// - Parameter storePath: the run store; checked read-only before the data is read when it exists,
    ///   and opened for writing (created, migrated) only once everything else has succeeded.
    public static func start(_ request: TrainingRequest, storePath: String, clock: any LabClock = SystemClock())
        throws(TrainingError) -> TrainingSession
    {
        let specification = request.task.specification
        // The task's default is the study's Adam; --optimizer picks another (with its type's defaults for
        // what --optimizer-config leaves out), and --weight-decay-scope overrides the scope.
        var optimizerSettings = request.optimizer ?? specification.optimizer
        if let scope = request.weightDecayScope { optimizerSettings.weightDecayScope = scope }
        var configuration = RunConfiguration(
            task: request.task, scheduler: request.scheduler.name.rawValue, schedulerConfiguration: .null,
            optimizer: optimizerSettings, epochs: request.epochs, seed: request.seed,
            dataDirectory: request.dataDirectory, targetValidationLoss: request.targetValidationLoss,
            threads: request.threads, trainingLimit: request.trainingLimit, evaluationLimit: request.evaluationLimit,
            trainingBatches: request.trainingBatches, textBatching: request.textBatching,
            subsetSampling: request.subsetSampling, cifarModel: request.cifarModel)
        if let batchSize = request.batchSize { configuration.batchSize = batchSize }
        // A scheduler that reads the landscape turns probing on (automatic cadence) unless asked otherwise,
        // and its open optimizer fields come from the run's optimizer.
        configuration.probing =
            request.probing
            ?? (LandscapeScheduler.Configuration.isUsed(in: request.scheduler) ? .schedulerDefault : nil)
        // The probes compute what the landscape rules read (recorded, so a resume computes the same).
        if var probing = configuration.probing {
            probing.settings = probing.settings.adding(
                readsOf: LandscapeScheduler.Configuration.rules(in: request.scheduler))
            configuration.probing = probing
        }
        let requestedScheduler = LandscapeScheduler.Configuration.filling(
            request.scheduler, optimizer: optimizerSettings)
        do { try configuration.validate() } catch { throw .task(error) }
        // The store is checked now, read-only (identity, schema version, every table and column, that this
        // process may write it or create it), so a store that would be refused is refused before any work;
        // it is opened for writing (which writes: WAL set-up, an older schema's migration) only once
        // everything else has succeeded.
        do {
            let exists = FileManager.default.fileExists(atPath: storePath)
            if exists { _ = try openForChecking(storePath, clock: clock) }
            try RunStore.checkWritable(path: storePath, exists: exists)
        } catch {
            throw .store(error)
        }

        try setThreads(configuration.threads)
        let data = try TaskDataCache.shared.load(for: configuration)
        configuration.dataFingerprint = DataFingerprint.of(task: request.task, dataDirectory: request.dataDirectory)
        var generator = SeededGenerator(seed: request.seed)
        let model = try TaskModelFactory.makeModel(for: configuration, using: &generator)
        let optimizer = try configuration.optimizer.makeOptimizer(for: model)
        let updatesPerEpoch = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
        let scheduler: AnyScheduler
        (configuration.schedulerConfiguration, scheduler) = try SchedulerSetup.resolve(
            requestedScheduler, epochs: configuration.epochs, updatesPerEpoch: updatesPerEpoch,
            classCount: specification.classCount,
            initialLoss: { () throws(TrainingError) -> Double in
                try initialLoss(model: model, data: data, options: try batchingOptions(configuration))
            },
            baseRates: optimizer.learningRates, momenta: configuration.optimizer.schedulerMomenta)
        try SchedulerSetup.checkFiniteRates(
            scheduler, name: configuration.scheduler, epochs: configuration.epochs, updatesPerEpoch: updatesPerEpoch)
        let openedStore = try openStore(storePath, clock: clock)
        let run: RunIdentifier
        do {
            run = try openedStore.createRun(
                configuration: configuration, codeVersion: .detect(),
                machine: .current(computeThreads: configuration.threads))
        } catch {
            throw .wrapping(error)
        }
        let recorder: RunRecorder
        do {
            recorder = try RunRecorder(store: openedStore, run: run, clock: clock)
        } catch {
            // The checkpoint directory cannot be created or locked: the run row exists but will never
            // train, so it is marked failed rather than left looking like a live run.
            try? openedStore.commit(RunCommit(status: .failed), to: run)
            throw .wrapping(error)
        }
        let session = try TrainingSession(
            configuration: configuration, run: run, store: openedStore, recorder: recorder, data: data, model: model,
            optimizer: optimizer, scheduler: scheduler, random: RandomState(initialization: generator),
            counters: TrainingCounters(completedEpochs: 0, stepsIntoEpoch: 0, completedSteps: 0, runId: run.rawValue),
            clock: clock)
        try session.attachProbes()
        return session
    }

    /// Prepares to continue run `runText` (an identifier or unique prefix) from its newest checkpoint
    /// that verifies, or from the beginning when it has none yet (killed during its first epoch).
    ///
    /// Model, optimizer, scheduler, random state, loader position and the epoch's bookkeeping are all
    /// restored and checked *before* the store is rewound, so a checkpoint that does not fit leaves the
    /// run exactly as it was.
    ///
    /// - Parameters:
    ///   - dataDirectory: overrides the recorded data directory (the data moved); the data must be the
    ///     same: its files' sizes and CRC-32s (``DataFingerprint``) are compared with the recorded ones.
    ///   - force: resume even when the data's fingerprint differs.
    /// - Returns: the session, and the checkpoints skipped because they failed verification.
    public static func resume(
        _ runText: String, storePath: String, dataDirectory: String? = nil,
        force: Bool = false, clock: any LabClock = SystemClock()
    )
        throws(TrainingError) -> (session: TrainingSession, skipped: [String])
    {
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw .store(.missingStore(path: storePath))
        }
        // Everything that can refuse the resume is checked on a read-only connection first, so a refused
        // resume (a completed run, a damaged or empty or foreign file) writes nothing at all.
        let record: RunRecord
        let configuration: RunConfiguration
        do {
            let reader = try openForChecking(storePath, clock: clock)
            try reader.verifyIntegrity()
            record = try reader.run(matching: runText)
            configuration = try record.configuration()
        } catch {
            throw .wrapping(error)
        }
        let run = record.id
        // Checked now, before any data is read, and again under the lease below.
        try requireUnfinished(record.status, run: run)
        // A store this process may not write is refused before the data is read.
        do { try RunStore.checkWritable(path: storePath, exists: true) } catch { throw .store(error) }
        try setThreads(configuration.threads)
        // Changed data changes the result: refused (naming the files) unless forced.
        if let recorded = configuration.dataFingerprint, !force {
            let current = DataFingerprint.of(
                task: configuration.task,
                dataDirectory: dataDirectory ?? configuration.dataDirectory)
            let changes = DataFingerprint.differences(recorded: recorded, current: current)
            if !changes.isEmpty {
                throw .notResumable(
                    runId: run.rawValue,
                    reason: "its data differs from what it was trained on: "
                        + changes.prefix(5).joined(separator: "; ")
                        + " (--force resumes anyway)")
            }
        }
        let specification = configuration.task.specification
        let data = try TaskDataCache.shared.load(for: configuration, dataDirectory: dataDirectory)
        var generator = SeededGenerator(seed: configuration.seed)
        let model = try TaskModelFactory.makeModel(for: configuration, using: &generator)
        let optimizer = try configuration.optimizer.makeOptimizer(for: model)
        var scheduler = try SchedulerSetup.makeScheduler(
            recorded: configuration.schedulerConfiguration,
            baseRates: optimizer.learningRates,
            momenta: configuration.optimizer.schedulerMomenta)
        // Opened for writing (an older schema migrated) only now that the data, model, optimizer and
        // scheduler are built: a refusal up to here leaves the store byte for byte as it was.
        let store = try openStore(storePath, clock: clock)
        let recorder: RunRecorder
        let point: ResumePoint?
        let checkpoints: [CheckpointRecord]
        do {
            // The recorder holds the run's lease: a run still being trained by a live process is refused
            // here, before anything is read or rewound.
            recorder = try RunRecorder(store: store, run: run, clock: clock)
            // Re-read the status under the lease: the previous owner may have finished meanwhile.
            try requireUnfinished(try store.run(run).status, run: run)
            checkpoints = try store.checkpoints(of: run)
            point = try recorder.resumePoint()
        } catch let error as CheckpointError {
            if case .runInUse = error { throw .notResumable(runId: run.rawValue, reason: error.description) }
            throw .checkpoint(error)
        } catch {
            throw .wrapping(error)
        }
        var random = RandomState(initialization: generator)
        var counters = TrainingCounters(completedEpochs: 0, stepsIntoEpoch: 0, completedSteps: 0, runId: run.rawValue)
        var progress = EpochProgress()
        var skipped: [String] = []
        if let point {
            skipped = point.skipped.map { "\($0.error)" }
            let checkpoint = point.checkpoint
            let path = point.record.path
            func incompatible(_ reason: String) -> TrainingError { .incompatibleCheckpoint(path: path, reason: reason) }
            guard checkpoint.counters.runId == nil || checkpoint.counters.runId == run.rawValue else {
                throw incompatible("it belongs to run \(checkpoint.counters.runId ?? "?")")
            }
            guard checkpoint.counters.completedSteps == point.record.step,
                checkpoint.counters.completedEpochs == point.record.epoch
            else {
                throw incompatible(
                    "its counters (\(checkpoint.counters.completedEpochs) epochs, "
                        + "\(checkpoint.counters.completedSteps) steps) differ from the store's record")
            }
            do {
                try model.module.loadState(try TensorArchive.decode(checkpoint.modelState))
                try optimizer.loadState(try TensorArchive.decode(checkpoint.optimizerState))
            } catch {
                throw incompatible("\(error)")
            }
            do { try scheduler.restore(checkpoint.schedulerState) } catch { throw incompatible("scheduler: \(error)") }
            do {
                random = try StateCoding.decoder().decode(RandomState.self, from: checkpoint.randomState)
                let position = try checkpoint.loaderState.decode(LoaderPosition.self)
                guard
                    position
                        == LoaderPosition(
                            epoch: checkpoint.counters.completedEpochs,
                            batch: checkpoint.counters.stepsIntoEpoch)
                else {
                    throw incompatible("loader position \(position) does not match the counters")
                }
                if let bytes = checkpoint.extras[epochSection] {
                    progress = try StateCoding.decoder().decode(EpochProgress.self, from: bytes)
                }
            } catch let error as TrainingError {
                throw error
            } catch {
                throw incompatible("\(error)")
            }
            guard progress.batchLosses.count == checkpoint.counters.stepsIntoEpoch else {
                throw incompatible(
                    "\(progress.batchLosses.count) batch losses for \(checkpoint.counters.stepsIntoEpoch) "
                        + "updates into the epoch")
            }
            counters = checkpoint.counters
            counters.runId = run.rawValue
            do { try store.rewind(run, to: point.record) } catch { throw .store(error) }
        } else if !checkpoints.isEmpty {
            // Say why each failed: a missing file is not a damaged one.
            let reasons = checkpoints.map { record -> String in
                do {
                    _ = try CheckpointFile.read(from: record.path, expectedChecksum: record.checksum)
                    return "\(record.path): readable now (retry)"
                } catch {
                    return "\(error)"
                }
            }
            throw .notResumable(
                runId: run.rawValue,
                reason: "none of its \(checkpoints.count) checkpoints can be used: "
                    + reasons.joined(separator: "; "))
        } else {
            // Killed before its first checkpoint: nothing was committed, so it restarts from the start.
            do {
                try store.commit(RunCommit(status: .running), to: run)
            } catch { throw .store(error) }
        }
        let session = try TrainingSession(
            configuration: configuration, run: run, store: store, recorder: recorder, data: data, model: model,
            optimizer: optimizer, scheduler: scheduler, random: random, counters: counters, clock: clock)
        session.epochProgress = progress
        try session.attachProbes()
        if let point { try session.probes?.restore(from: point.checkpoint.extras, path: point.record.path) }
        return (session, skipped)
    }

    /// Refuses to resume a run that has already completed or diverged.
    static func requireUnfinished(_ status: RunStatus, run: RunIdentifier) throws(TrainingError) {
        switch status {
        case .completed, .diverged:
            throw .notResumable(
                runId: run.rawValue,
                reason: "it has already \(status.rawValue) "
                    + "(glidepath runs show \(run.rawValue))")
        case .running, .interrupted, .failed:
            break
        }
    }

    /// The store read-only, an older schema as it is (not migrated): a refused resume writes nothing,
    /// not even a migration. Only the `runs` table, the same in every schema version, is read through it.
    static func openForChecking(_ path: String, clock: any LabClock) throws(RunStoreError) -> RunStore {
        try RunStore(path: path, access: .readOnly, clock: clock, acceptingOlderSchema: true)
    }

    static func openStore(_ path: String, clock: any LabClock) throws(TrainingError) -> RunStore {
        do { return try RunStore(path: path, access: .readWrite, clock: clock) } catch { throw .store(error) }
    }

    /// The run's training-loader options, as a ``TrainingError``.
    static func batchingOptions(_ configuration: RunConfiguration) throws(TrainingError) -> BatchingOptions {
        do { return try configuration.batchingOptions() } catch { throw .invalidConfiguration("\(error)") }
    }

    static func setThreads(_ threads: Int) throws(TrainingError) {
        do { try Engine.setThreadCount(threads) } catch { throw .invalidConfiguration("threads=\(threads): \(error)") }
    }

    /// The untrained model's mean loss over the first ≤ 10 batches of the first epoch's order: MLR-SNet's
    /// L₀ (the reference measures the loss before training).
    static func initialLoss(model: any TaskModel, data: TaskData, options: BatchingOptions) throws(TrainingError)
        -> Double
    {
        let loader: DataLoader<AnyTrainingBatchSource>
        let loss: CrossEntropyLoss
        do {
            loader = DataLoader(source: AnyTrainingBatchSource(data.train), options: options)
            loss = try CrossEntropyLoss()
        } catch { throw .invalidConfiguration("\(error)") }
        let batches = min(10, loader.batchesPerEpoch)
        var total = 0.0
        for index in 0..<batches {
            let batch = loader.batch(epoch: 0, index: index)
            let value = try withoutGradients { () throws(TrainingError) -> Float in
                let logits = try model.logits(batch)
                do { return try loss(logits, batch.labels).scalar } catch { throw .invalidBatch("\(error)") }
            }
            total += Double(value)
        }
        return total / Double(max(1, batches))
    }
}
