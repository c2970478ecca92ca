import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab
import GlidepathMLRSNet

extension WeightDecayScope: ExpressibleByArgument {}
extension TextBatching: ExpressibleByArgument {}
extension SubsetSampling: ExpressibleByArgument {}

/// `glidepath train`: one recorded, resumable training run of a task with a scheduler.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a task with a learning-rate scheduler, recording the run.",
        discussion: """
            Tasks: \(TrainingTask.allCases.map(\.rawValue).joined(separator: ", ")). Schedulers and their parameters \
            are those of glidepath schedule (docs/schedulers.md); --scheduler-config FILE holds the scheduler's JSON \
            object. --optimizer picks the optimizer (the learning-rate-free ones: docs/optimizers.md) and \
            --optimizer-config FILE its parameters; use --scheduler fixed for no schedule at all. The run, its epochs, steps and checkpoints go to the run store (--store). Progress goes to \
            standard error; with --json the last line on standard output is the result as one JSON object. \
            SIGINT/SIGTERM stop after a checkpoint (exit 130/143); glidepath train --resume RUN continues a \
            stopped or killed run to the same result as an uninterrupted one.
            """)

    @Option(help: ArgumentHelp("The task.", valueName: "task"))
    var task: String?

    @Option(
        help: ArgumentHelp(
            "The scheduler, by its glidepath schedule name (cosine, dlrs, reduceOnPlateau, …).",
            discussion: "mlrsnet without \"weights\" uses the published nets in $GLIDEPATH_WEIGHTS_DIR/mlrsnet/.",
            valueName: "name"))
    var scheduler: String?

    @Option(
        name: .customLong("scheduler-config"),
        help: ArgumentHelp(
            "JSON file with the scheduler's parameters ({\"name\": …, …}); - for standard input.",
            valueName: "file"))
    var schedulerConfiguration: String?

    // Counts parse their value unconditionally, so `--epochs -5` is refused as a value (must be ≥ 1)
    // rather than read as an unknown option.
    @Option(parsing: .unconditional, help: "Epochs to train (default: the task's budget; at most 1,000,000).")
    var epochs: Int?

    @Option(help: "Seed of initialisation and data order (default 0).")
    var seed: UInt64?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory (default: $GLIDEPATH_DATA_DIR, else ~/.glidepath/data).",
            valueName: "dir"))
    var dataDirectory: String?

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("target-val-loss"), help: "Validation-loss target for epochs and seconds to target.")
    var targetValidationLoss: Double?

    @OptionGroup var optimizerOptions: OptimizerOptions

    @Option(
        name: .customLong("weight-decay-scope"),
        help: ArgumentHelp(
            "Which parameters weight decay applies to: all, or weights-only (embedding and "
                + "biases exempt). Default: weights-only for the text tasks, all otherwise.",
            valueName: "scope"))
    var weightDecayScope: WeightDecayScope?

    @Option(
        parsing: .unconditional,
        help: "Compute threads (BLAS and the engine's workers; default 1); results are reproducible per thread count.")
    var threads: Int?

    @Option(
        name: .customLong("train-limit"), parsing: .unconditional,
        help: "Train on only N examples of the training part (which: --subset).")
    var trainingLimit: Int?

    @Option(
        name: .customLong("eval-limit"), parsing: .unconditional,
        help: "Evaluate on only N validation and N test examples (which: --subset).")
    var evaluationLimit: Int?

    @Option(
        name: .customLong("subset"),
        help: "Which N examples the limits keep: stratified (seeded by label, the default) or first (file order).")
    var subsetSampling: SubsetSampling?

    @Option(
        name: .customLong("cifar-batches"), parsing: .upToNextOption,
        help: "cifar10-cnn only: train on these CIFAR-10 training batches (1–5; default all five).")
    var trainingBatches: [Int] = []

    @Option(
        name: .customLong("text-batching"),
        help: ArgumentHelp(
            "Text tasks only: bucketed (batches of similar length, each padded to its longest "
                + "text; the default) or padded (plain shuffled batches padded to the task's length).",
            valueName: "mode"))
    var textBatching: TextBatching?

    @Option(
        help: ArgumentHelp(
            "Continue run RUN (identifier or unique prefix) from its last checkpoint.",
            valueName: "run"))
    var resume: String?

    @Flag(help: "With --resume: continue even though the data's files differ from the recorded ones.")
    var force = false

    @OptionGroup var probeOptions: ProbeOptions

    @Flag(help: "Print the result as one JSON object on the last line of standard output.")
    var json = false

    @Option(name: .customLong("step-delay-ms"), help: .hidden)
    var stepDelayMilliseconds: Double = 0

    func validate() throws {
        if resume != nil {
            let given: [(String, Bool)] = [
                ("--task", task != nil), ("--scheduler", scheduler != nil),
                ("--scheduler-config", schedulerConfiguration != nil), ("--epochs", epochs != nil),
                ("--seed", seed != nil), ("--threads", threads != nil),
                ("--target-val-loss", targetValidationLoss != nil), ("--train-limit", trainingLimit != nil),
                ("--eval-limit", evaluationLimit != nil), ("--subset", subsetSampling != nil),
                ("--weight-decay-scope", weightDecayScope != nil),
                ("--optimizer/--optimizer-config", optimizerOptions.isGiven),
                ("--cifar-batches", !trainingBatches.isEmpty), ("--text-batching", textBatching != nil),
                ("probe options", probeOptions.isGiven),
            ]
            let conflicting = given.filter(\.1).map(\.0)
            if !conflicting.isEmpty {
                throw ValidationError(
                    "--resume continues a run with its recorded configuration; "
                        + "\(conflicting.joined(separator: ", ")) cannot be given with it "
                        + "(only --store, --data-dir, --force and --json)")
            }
        } else {
            if force { throw ValidationError("--force applies to --resume only") }
            guard task != nil else {
                throw ValidationError(
                    "missing --task (one of \(TrainingTask.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard scheduler != nil else { throw ValidationError("missing --scheduler NAME") }
            if subsetSampling != nil && trainingLimit == nil && evaluationLimit == nil {
                throw ValidationError("--subset applies with --train-limit or --eval-limit only")
            }
        }
    }

    func run() throws {
        let monitor = InterruptMonitor()
        monitor.start()
        defer { monitor.stop() }
        let session: TrainingSession
        if let resume {
            let (resumed, skipped) = try TrainingSession.resume(
                resume, storePath: storeOptions.store,
                dataDirectory: dataDirectory, force: force)
            for reason in skipped { printError("warning: skipped a damaged checkpoint: \(reason)") }
            session = resumed
        } else {
            let task = try TrainingTask(named: self.task ?? "")
            let file = try schedulerConfiguration.map { (path) throws(TrainingError) in
                try SchedulerSetup.readFile(path)
            }
            let configuration = try SchedulerSetup.configuration(name: scheduler ?? "", file: file)
            let optimizer = try optimizerOptions.requested(fallback: task.specification.optimizer.name)
            var request = TrainingRequest(
                task: task, scheduler: Self.withDefaultMLRSNetWeights(configuration), optimizer: optimizer,
                weightDecayScope: weightDecayScope, epochs: epochs,
                seed: seed ?? 0, dataDirectory: DataDirectoryOptions.resolve(dataDirectory),
                targetValidationLoss: targetValidationLoss, threads: threads ?? 1, trainingLimit: trainingLimit,
                evaluationLimit: evaluationLimit,
                trainingBatches: trainingBatches.isEmpty ? nil : trainingBatches, textBatching: textBatching,
                probing: try probeOptions.configuration())
            request.subsetSampling = subsetSampling
            session = try TrainingSession.start(request, storePath: storeOptions.store)
        }
        let progress = ProgressReporter.standardError(clock: SystemClock(), stepsPerEpoch: session.updatesPerEpoch)
        // A failure marks the run failed (resumable from its last checkpoint) and is reported.
        let outcome = try session.train(progress: progress, monitor: monitor, stepDelay: stepDelayMilliseconds / 1000)
        switch outcome {
        case .interrupted(let signal):
            throw ExitCode(signal.exitStatus)
        case .finished(let result):
            printError(TrainText.summary(result))
            if json { print(result.jsonLine()) }
        }
    }
}

extension TrainCommand {
    /// MLR-SNet without `weights` (alone or nested in a composite): the three published nets from
    /// `$GLIDEPATH_WEIGHTS_DIR/mlrsnet/` (`mlr_snet_1`, `_100`, `_200`, `.pth`) when that folder has them.
    /// The paths are written into the run's configuration, so a resumed run never reads the environment.
    static func withDefaultMLRSNetWeights(_ configuration: SchedulerConfiguration) -> SchedulerConfiguration {
        guard let root = ProcessInfo.processInfo.environment["GLIDEPATH_WEIGHTS_DIR"], !root.isEmpty else {
            return configuration
        }
        let paths = ["1", "100", "200"].map { "\(root)/mlrsnet/mlr_snet_\($0).pth" }
        guard paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return configuration }
        return configuration.map { node in
            guard var mlrsnet = node.parameters as? MLRSNetScheduler.Configuration, mlrsnet.weights == nil else {
                return node
            }
            mlrsnet.weights = paths
            var filled = node
            filled.parameters = mlrsnet
            return filled
        }
    }
}

/// Text for the end of a run.
enum TrainText {
    static func summary(_ result: RunResultRecord) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
        let target =
            result.epochsToTarget.map { "reached in \($0) epochs (\(number(result.secondsToTarget)) s)" }
            ?? "not reached"
        return "run \(result.runId) \(result.status.rawValue): test loss \(number(result.testLoss))  "
            + "accuracy \(number(result.testAccuracy))  F1 \(number(result.testF1))  AUC \(number(result.testAUC))  "
            + "best val loss \(number(result.bestValLoss))  target \(target)  train \(number(result.trainSeconds)) s"
    }
}
