import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab

/// `glidepath demo`: the quick version of the study — constant, cosine and DLRS on Fashion-MNIST with
/// the same model, data, seed and budget, then one results table.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Compare constant, cosine and DLRS schedules on fashion-mnist-cnn in a few minutes.",
        discussion: """
            Trains the fashion-mnist-cnn task three times — Adam (lr 1e-3, coupled weight decay 5e-4) with a \
            constant rate ({"name": "constant", "factor": 1}), with cosine annealing over the epochs, and with \
            DLRS at its defaults — on the same seed and data, records the runs in the run store, and prints \
            test accuracy, macro-F1, best validation loss, epochs to the validation-loss target and training \
            seconds per scheduler. The default budget trains on a subset of the training split so the demo \
            finishes in minutes; --train-limit 0 uses all of it.
            """)

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory (default: $GLIDEPATH_DATA_DIR, else ~/.glidepath/data; "
                + "Fashion-MNIST falls back to /usr/share/datasets/fashion-mnist).", valueName: "dir"))
    var dataDirectory: String?

    @Option(help: "Epochs per scheduler.")
    var epochs: Int = DemoBudget.epochs

    @Option(
        name: .customLong("train-limit"),
        help: "Train on N of the 54,000 training examples, a seeded stratified sample (0 = all).")
    var trainingLimit: Int = DemoBudget.trainingLimit

    @Option(
        name: .customLong("eval-limit"),
        help: "Evaluate on only N validation and test examples, a seeded stratified sample (default: all).")
    var evaluationLimit: Int?

    @Option(help: "Seed shared by the three runs.")
    var seed: UInt64 = 0

    @Option(name: .customLong("target-val-loss"), help: "Validation-loss target for 'epochs to target'.")
    var targetValidationLoss: Double = DemoBudget.target

    @Option(help: "Compute threads.")
    var threads: Int = 2

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1") }
        guard trainingLimit == 0 || trainingLimit >= 2 else { throw ValidationError("--train-limit must be 0 or ≥ 2") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        if let evaluationLimit, evaluationLimit < 1 { throw ValidationError("--eval-limit must be ≥ 1") }
    }

    func run() throws {
        let monitor = InterruptMonitor()
        monitor.start()
        defer { monitor.stop() }
        let limit = trainingLimit == 0 ? nil : trainingLimit
        let dataDirectory = DataDirectoryOptions.resolve(self.dataDirectory)
        let subset =
            limit.map { "a stratified sample of \($0) of the 54,000 training examples" }
            ?? "all 54,000 training examples"
        let evaluated =
            evaluationLimit.map { "stratified samples of \($0) validation and test examples" }
            ?? "validation 6,000, test 10,000"
        printError(
            "glidepath demo: fashion-mnist-cnn, \(epochs) epochs per scheduler on \(subset) "
                + "(\(evaluated)), seed \(seed), \(threads) threads")
        var results: [(name: String, result: RunResultRecord)] = []
        for entry in DemoBudget.schedulers {
            let request = try TrainingRequest(
                task: .fashionMNISTCNN, scheduler: entry.name, schedulerFile: entry.configuration, epochs: epochs,
                seed: seed, dataDirectory: dataDirectory, targetValidationLoss: targetValidationLoss, threads: threads,
                trainingLimit: limit, evaluationLimit: evaluationLimit)
            let session = try TrainingSession.start(request, storePath: storeOptions.store)
            let progress = ProgressReporter.standardError(clock: SystemClock(), stepsPerEpoch: session.updatesPerEpoch)
            let outcome = try session.train(progress: progress, monitor: monitor)
            switch outcome {
            case .interrupted(let signal):
                if !results.isEmpty {
                    print(DemoTable.render(results, epochs: epochs, target: targetValidationLoss, subset: subset))
                }
                throw ExitCode(signal.exitStatus)
            case .finished(let result):
                printError(TrainText.summary(result))
                results.append((entry.label, result))
            }
        }
        print(DemoTable.render(results, epochs: epochs, target: targetValidationLoss, subset: subset), terminator: "")
    }
}

/// The demo's fixed choices.
enum DemoBudget {
    static let epochs = 4
    static let trainingLimit = 12_000
    static let target = 0.40
    /// (label, scheduler name, configuration file content).
    static let schedulers: [(label: String, name: String, configuration: StateValue?)] = [
        ("constant", "constant", .object(["factor": .int(1)])),
        ("cosine", "cosine", nil),
        ("dlrs", "dlrs", nil),
    ]
}

/// The results table.
enum DemoTable {
    static func render(
        _ rows: [(name: String, result: RunResultRecord)], epochs: Int, target: Double,
        subset: String
    ) -> String {
        func fixed(_ value: Double?, _ digits: Int) -> String {
            guard let value else { return "—" }
            return String(format: "%.\(digits)f", value)
        }
        let header = ["scheduler", "test acc", "macro-F1", "best val loss", "epochs to target", "train s", "run"]
        var lines = [header]
        for (name, result) in rows {
            lines.append([
                name, fixed(result.testAccuracy, 4), fixed(result.testF1, 4), fixed(result.bestValLoss, 4),
                result.epochsToTarget.map(String.init) ?? "not reached", fixed(result.trainSeconds, 1),
                result.runId,
            ])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text =
            "\nfashion-mnist-cnn, \(epochs) epochs, Adam lr 1e-3, trained on \(subset); "
            + "target: validation loss ≤ \(fixed(target, 2))\n\n"
        for (index, line) in lines.enumerated() {
            text +=
                zip(line, widths).enumerated().map { column, pair in
                    column == 0 || column == line.count - 1
                        ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: pair.1 - pair.0.count) + pair.0
                }.joined(separator: "  ") + "\n"
            if index == 0 { text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        text +=
            "\nOne seed: differences of 1–2 points are within seed noise. "
            + "Inspect the runs with glidepath runs show RUN.\n"
        return text
    }
}
