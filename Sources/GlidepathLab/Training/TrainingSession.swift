import Foundation
import Glidepath
import GlidepathData
import GlidepathNN
import GlidepathTensor

/// How a call to ``TrainingSession/train(progress:monitor:stepDelay:)`` ended.
public enum TrainingOutcome: Sendable {
    /// The run completed (or diverged) and was evaluated on the test split; the result is recorded.
    case finished(RunResultRecord)
    /// A SIGINT/SIGTERM stopped the run after an interrupt checkpoint; resume it later.
    case interrupted(InterruptSignal)
}

/// The training loop's bookkeeping inside an epoch, saved with a mid-epoch checkpoint so a resumed
/// epoch ends exactly as an uninterrupted one: the batch losses so far (DLRS's observation and the
/// epoch's mean training loss) and the training seconds so far.
struct EpochProgress: Codable, Equatable {
    var batchLosses: [Double] = []
    var trainSeconds: Double = 0
}

/// The random state of a run. Initialisation is the only consumer of the run's generator (the loader's
/// order is a pure function of seed, epoch and batch, and the tasks have no dropout); its state after
/// initialisation is saved anyway so a checkpoint holds everything that could matter.
struct RandomState: Codable, Equatable {
    var initialization: SeededGenerator
}

/// One training run in progress: task model, optimizer, scheduler, loader and recorder.
///
/// ### The loop (`docs/lab.md`, "Training loop")
/// For every update: forward on the batch, cross-entropy loss; a non-finite loss ends the run as
/// `diverged`; backward; ‖g‖₂; for a scheduler that reads the current loss (its ``LearningRateScheduler/needs``
/// contain ``SchedulerInputs/currentLoss``: MLR-SNet, alone or inside a composite) step it with
/// `Observation(losses: [loss])` and hand its rates to the optimizer; optimizer update with those rates
/// (recorded per step); for any other per-update scheduler step it now (PyTorch's
/// `optimizer.step(); scheduler.step()`). After the epoch: validation metrics (timed apart), then a
/// per-epoch scheduler steps with `Observation(losses: the epoch's batch losses, metric: validation
/// loss)` — DLRS reads the losses, plateau schedulers the metric — and the new rates go to the optimizer
/// for the next epoch. Then the epoch's record, steps and checkpoint are committed in one transaction.
public final class TrainingSession {
    public let configuration: RunConfiguration
    public let run: RunIdentifier
    public let store: RunStore
    let recorder: RunRecorder
    let data: TaskData
    let model: any TaskModel
    let optimizer: any Optimizer
    var scheduler: AnyScheduler
    var loader: DataLoader<AnyTrainingBatchSource>
    var random: RandomState
    var counters: TrainingCounters
    var epochProgress = EpochProgress()
    /// The batch loop: forward, loss, backward (shared with meta-training).
    let pass: TrainingPass
    let clock: any LabClock
    let classCount: Int
    /// Whether the scheduler is stepped before each update with that update's loss (see the loop above).
    let readsCurrentLoss: Bool
    /// Landscape probes (`--probe-every`), nil when the run does not probe.
    var probes: ProbeRunner?
    /// The latest probe's signal, handed to the next scheduler step.
    var pendingSignal: LandscapeSignal?

    init(
        configuration: RunConfiguration, run: RunIdentifier, store: RunStore, recorder: RunRecorder, data: TaskData,
        model: any TaskModel, optimizer: any Optimizer, scheduler: AnyScheduler, random: RandomState,
        counters: TrainingCounters, clock: any LabClock
    ) throws(TrainingError) {
        self.configuration = configuration
        self.run = run
        self.store = store
        self.recorder = recorder
        self.data = data
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.random = random
        self.counters = counters
        self.clock = clock
        classCount = configuration.task.specification.classCount
        readsCurrentLoss = scheduler.needs.contains(.currentLoss)
        pass = try TrainingPass(model: model)
        do {
            loader = DataLoader(
                source: AnyTrainingBatchSource(data.train), options: try configuration.batchingOptions())
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    /// Updates per epoch.
    public var updatesPerEpoch: Int { loader.batchesPerEpoch }

    /// Epochs completed so far.
    public var completedEpochs: Int { counters.completedEpochs }

    /// The loop of ``train(progress:monitor:stepDelay:)``, without marking a failed run.
    func trainEpochs(progress: ProgressReporter, monitor: InterruptMonitor?, stepDelay: Double)
        throws(TrainingError) -> TrainingOutcome
    {
        progress.runStarted(
            runId: run.rawValue, task: configuration.task.rawValue, scheduler: configuration.scheduler,
            totalEpochs: configuration.epochs, stepsPerEpoch: updatesPerEpoch,
            resumingAfterEpoch: counters.completedEpochs)
        handRates()
        let parameters = model.module.parameters
        while counters.completedEpochs < configuration.epochs {
            let epoch = counters.completedEpochs + 1
            progress.epochStarted(epoch)
            if let signal = monitor?.requestedSignal { return try stop(signal, progress: progress) }
            loader.position = LoaderPosition(epoch: epoch - 1, batch: counters.stepsIntoEpoch)
            var segmentStart = clock.monotonicSeconds()
            probes?.startUpdates()
            var ending: TrainingOutcome?
            // The pass advances its own copy of the loader, so the update below may read `self.loader`
            // (updatesPerEpoch) without overlapping the pass's access; the position is written back after.
            var epochLoader = loader
            defer { loader = epochLoader }
            _ = try pass.run(&epochLoader) { step throws(TrainingError) -> TrainingPass.Continuation in
                let lossValue = step.loss
                counters.stepsIntoEpoch += 1
                counters.completedSteps += 1
                epochProgress.batchLosses.append(lossValue)
                guard lossValue.isFinite else {
                    recorder.record(
                        StepRecord(
                            step: counters.completedSteps, epoch: epoch, loss: lossValue,
                            learningRates: optimizer.learningRates, gradientNorm: nil))
                    progress.message(
                        "epoch \(epoch) step \(counters.stepsIntoEpoch): the training loss is "
                            + "\(lossValue); the run diverged")
                    ending = .finished(try finish(status: .diverged))
                    return .stop
                }
                let gradientNorm = GradientAccess.gradientNorm(of: parameters)
                if scheduler.cadence == .perUpdate && readsCurrentLoss {
                    try stepScheduler(Observation(losses: [lossValue]))
                }
                let rates = optimizer.learningRates
                let updateStep = updateStepBefore(loss: lossValue)
                optimizer.step()
                optimizer.clearGradients()
                try updateStepAfter(updateStep, batch: step.batch)
                try probeAfterUpdate(epoch: epoch)
                if scheduler.cadence == .perUpdate && !readsCurrentLoss {
                    let signal = takeSignal()
                    try stepScheduler(Observation(losses: [lossValue], landscape: signal))
                    recordDecision(consumed: signal)
                }
                recorder.record(
                    StepRecord(
                        step: counters.completedSteps, epoch: epoch, loss: lossValue,
                        learningRates: rates, gradientNorm: gradientNorm,
                        stepSizes: stepSizeEstimates(of: optimizer)))
                progress.stepFinished(
                    step: counters.stepsIntoEpoch, loss: lossValue, learningRate: rates.first ?? 0,
                    samples: step.batch.count)
                if stepDelay > 0 { Thread.sleep(forTimeInterval: stepDelay) }
                if let signal = monitor?.requestedSignal {
                    let now = clock.monotonicSeconds()
                    epochProgress.trainSeconds += now - segmentStart
                    segmentStart = now
                    ending = try stop(signal, progress: progress)
                    return .stop
                }
                return .next
            }
            if let ending { return ending }
            var trainSeconds = epochProgress.trainSeconds + (clock.monotonicSeconds() - segmentStart)
            let rates = optimizer.learningRates
            let trainLoss = epochProgress.batchLosses.reduce(0, +) / Double(max(1, epochProgress.batchLosses.count))

            let evaluationStart = clock.monotonicSeconds()
            let validation = try evaluate(on: data.validation)
            let evaluationSeconds = clock.monotonicSeconds() - evaluationStart

            let diverged = !validation.loss.isFinite
            if scheduler.cadence == .perEpoch && !diverged {
                // Scheduler overhead counts as training time (`docs/lab.md`, "Where the protocol comes from").
                let schedulerStart = clock.monotonicSeconds()
                let signal = takeSignal()
                try stepScheduler(
                    Observation(losses: epochProgress.batchLosses, metric: validation.loss, landscape: signal))
                recordDecision(consumed: signal)
                trainSeconds += clock.monotonicSeconds() - schedulerStart
            }
            counters.completedEpochs += 1
            counters.stepsIntoEpoch = 0
            epochProgress = EpochProgress()
            let epochRecord = EpochRecord(
                epoch: epoch, trainLoss: trainLoss, validationLoss: validation.loss,
                validationAccuracy: validation.accuracy, validationF1: validation.macroF1,
                validationAUC: validation.auc,
                learningRates: rates, trainSeconds: trainSeconds, evaluationSeconds: evaluationSeconds,
                topEigenvalue: epochCurvature.topEigenvalue, hessianTrace: epochCurvature.trace,
                stepSizes: stepSizeEstimates(of: optimizer))
            probes?.endEpoch()
            do {
                try probes?.flush(to: store, run: run)
                try recorder.completeEpoch(epochRecord, checkpoint: try snapshot())
            } catch {
                throw .wrapping(error)
            }
            progress.epochFinished(
                trainLoss: trainLoss, validationLoss: validation.loss,
                validationAccuracy: validation.accuracy, validationF1: validation.macroF1,
                validationAUC: validation.auc, learningRate: rates.first ?? 0,
                trainSeconds: trainSeconds, evaluationSeconds: evaluationSeconds)
            if diverged {
                // A non-finite validation loss: the epoch is recorded (with its checkpoint, for
                // inspection), the scheduler is not stepped with it, and the run ends as diverged.
                progress.message("epoch \(epoch): the validation loss is \(validation.loss); the run diverged")
                return .finished(try finish(status: .diverged))
            }
        }
        return .finished(try finish(status: .completed))
    }

    /// Metrics of `split` at the optimizer's evaluation point (Schedule-Free's x; the training point is
    /// put back exactly afterwards, so evaluating never perturbs the run).
    func evaluate(on split: any TrainingBatchSource) throws(TrainingError) -> EvaluationResult {
        try optimizer.withEvaluationParameters { () throws(TrainingError) -> EvaluationResult in
            try Evaluation.evaluate(model, on: split, classCount: classCount)
        }
    }

    /// Forward pass and mean cross-entropy of one batch.
    func lossTensor(_ batch: TrainingBatch) throws(TrainingError) -> Tensor {
        try pass.lossTensor(batch)
    }

    private func stepScheduler(_ observation: Observation) throws(TrainingError) {
        do { try scheduler.step(observation) } catch { throw .scheduler(error) }
        handRates()
    }

    /// Gives the scheduler's current rates (and momenta, when it schedules them) to the optimizer.
    private func handRates() {
        var receiver = optimizer  // a class: the copy is the same optimizer
        receiver.receive(learningRates: scheduler.learningRates, momenta: scheduler.momenta)
    }

    private func stop(_ signal: InterruptSignal, progress: ProgressReporter) throws(TrainingError) -> TrainingOutcome {
        do {
            try probes?.flush(to: store, run: run)
            try recorder.interrupt(checkpoint: try snapshot())
        } catch {
            throw .wrapping(error)
        }
        progress.message(
            "stopped by \(signal) after \(counters.completedSteps) updates; resume with "
                + "glidepath train --resume \(run.rawValue)")
        return .interrupted(signal)
    }

    /// Evaluates on the test split, records the result and the final status in one transaction.
    private func finish(status requested: RunStatus) throws(TrainingError) -> RunResultRecord {
        let testStart = clock.monotonicSeconds()
        let test = try evaluate(on: data.test)
        let testSeconds = clock.monotonicSeconds() - testStart
        do {
            let epochs = try store.epochs(of: run)
            // The study's divergence rule (``DivergenceRule``: the mean training loss above twice the
            // first step's loss from some epoch to the last) ends a finite-loss run as diverged too, as
            // `runs show` reports it; a spike that recovered does not.
            var status = requested
            if status == .completed, let first = try store.firstStep(of: run),
                let rule = try? DivergenceRule(initialLoss: first.loss),
                rule.trailingDivergence(in: epochs.map(\.trainLoss)) != nil
            {
                status = .diverged
            }
            let analysis = try RunAnalysis(epochs: epochs, steps: [], target: configuration.targetValidationLoss)
            let result = RunResultRecord(
                runId: run.rawValue, task: configuration.task, scheduler: configuration.scheduler,
                seed: configuration.seed, epochs: epochs.count, status: status, testLoss: test.loss,
                testAccuracy: test.accuracy, testF1: test.macroF1, testAUC: test.auc,
                bestValLoss: analysis.bestValidationLoss ?? .nan, epochsToTarget: analysis.targetReach?.epochs,
                secondsToTarget: analysis.targetReach?.trainingSeconds, trainSeconds: analysis.trainingSeconds,
                evaluationSeconds: analysis.evaluationSeconds + testSeconds)
            try probes?.flush(to: store, run: run)
            try recorder.finish(status: status, result: result)
            return result
        } catch let error as RunStoreError {
            throw .store(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    /// Everything needed to continue exactly from here.
    func snapshot() throws(TrainingError) -> Checkpoint {
        do {
            let loaderPosition = LoaderPosition(epoch: counters.completedEpochs, batch: counters.stepsIntoEpoch)
            // The model is saved at the evaluation point (what loading the model should give); the
            // optimizer's state holds what training continues from (Schedule-Free: y, docs/optimizers.md).
            return Checkpoint(
                counters: counters,
                modelState: optimizer.withEvaluationParameters { model.module.stateArchive().encoded() },
                optimizerState: optimizer.stateArchive().encoded(), schedulerState: scheduler.state,
                randomState: try StateCoding.encoder().encode(random),
                loaderState: try StateValue(encoding: loaderPosition),
                extras: [Self.epochSection: try StateCoding.encoder().encode(epochProgress)]
                    .merging(try probes?.checkpointSections() ?? [:]) { current, _ in current })
        } catch {
            throw .invalidConfiguration("cannot snapshot the run: \(error)")
        }
    }

    static let epochSection = "epoch"
}
