import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

extension LearningRateRangeTest.Spacing: ExpressibleByArgument {}

/// `glidepath lr-find`: Smith's learning-rate range test of a task, as torch-lr-finder runs it.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Run the LR range test of a task and suggest base learning rates.",
        discussion: """
            Trains the task's model (initialised from --seed, batches in the training order of that seed) for up \
            to --updates updates while the rate grows from --start to --end, smooths the loss, stops when it \
            exceeds --divergence-threshold times the best, and suggests rates by the steepest descent of the \
            smoothed loss (torch-lr-finder), the minimum / 10 and the valley (fastai). The model and optimizer are \
            restored afterwards; nothing is recorded in a run store. The test is a heuristic whose answer \
            depends on the seed and the range (docs/optimizers.md, "LR range test").
            """)

    @Option(help: ArgumentHelp("The task.", valueName: "task"))
    var task: String

    @Option(help: "The first update's learning rate.")
    var start: Double = 1e-7

    @Option(help: "The learning rate the sweep ends at.")
    var end: Double = 10

    @Option(help: "Updates in the sweep (the test may stop earlier).")
    var updates: Int = 100

    @Option(help: "Rate spacing: exp (geometric) or linear.")
    var mode: LearningRateRangeTest.Spacing = .exponential

    @Option(help: "Weight of the newest loss in the smoothed loss, in [0, 1); 0 = none.")
    var smoothing: Double = 0.05

    @Option(name: .customLong("divergence-threshold"), help: "Stop once the smoothed loss exceeds this times the best.")
    var divergenceThreshold: Double = 5

    @Option(name: .customLong("skip-start"), help: "Updates left out at the start when suggesting.")
    var skipStart: Int = 10

    @Option(name: .customLong("skip-end"), help: "Updates left out at the end when suggesting.")
    var skipEnd: Int = 5

    @OptionGroup var optimizerOptions: OptimizerOptions

    @Option(help: "Seed of initialisation and data order.")
    var seed: UInt64 = 0

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "Compute threads; results are reproducible per thread count.")
    var threads: Int = 1

    @Option(name: .customLong("train-limit"), help: "Use only the first N examples of the training part.")
    var trainingLimit: Int?

    @Option(
        name: .customLong("cifar-batches"), parsing: .upToNextOption,
        help: "cifar10-cnn only: the CIFAR-10 training batches to use (1–5; default all five).")
    var trainingBatches: [Int] = []

    @Option(help: ArgumentHelp("Write the loss-against-rate plot as SVG to this file.", valueName: "plot.svg"))
    var output: String?

    @Flag(help: "Print the record and suggestions as one JSON object instead of text.")
    var json = false

    func run() throws {
        let task = try TrainingTask(named: task)
        let settings = try optimizerOptions.requested(fallback: task.specification.optimizer.name)
        let test = LearningRateRangeTest.Configuration(
            startRate: start, endRate: end, updates: updates, spacing: mode, smoothing: smoothing,
            divergenceThreshold: divergenceThreshold, skipStart: skipStart, skipEnd: skipEnd)
        let report = try RangeTestSession.run(
            RangeTestRequest(
                task: task, optimizer: settings, test: test, seed: seed,
                dataDirectory: data.resolved, threads: threads, trainingLimit: trainingLimit,
                trainingBatches: trainingBatches.isEmpty ? nil : trainingBatches))
        if let output {
            try writeOutput(Data(RangeTestPlot(report: report).render().utf8), to: output, command: "lr-find")
        }
        if json {
            print(String(decoding: try StateCoding.encoder().encode(report), as: UTF8.self))
        } else {
            print(RangeTestText.render(report), terminator: "")
        }
    }
}

/// The text form of a range test report.
enum RangeTestText {
    static func render(_ report: RangeTestReport) -> String {
        func rate(_ value: Double) -> String { String(format: "%.3e", value) }
        var lines = [
            "lr-find \(report.task.rawValue): \(report.optimizer.name), batch \(report.batchSize), "
                + "\(report.rates.count) of \(report.test.updates) updates (\(ending(report)))",
            "suggested learning rates:",
        ]
        let rows: [(String, RangeTestSuggestions.Suggestion?)] = [
            ("steepest", report.suggestions.steepest),
            ("minimum/10", report.suggestions.minimum),
            ("valley", report.suggestions.valley),
        ]
        for (name, suggestion) in rows {
            if let suggestion {
                lines.append(
                    "  \(name.padding(toLength: 11, withPad: " ", startingAt: 0))\(rate(suggestion.rate))  "
                        + "(update \(suggestion.index + 1), smoothed loss \(String(format: "%.4f", suggestion.loss)))")
            } else {
                lines.append(
                    "  \(name.padding(toLength: 11, withPad: " ", startingAt: 0))none (too few updates after "
                        + "--skip-start \(report.test.skipStart) and --skip-end \(report.test.skipEnd))")
            }
        }
        lines.append("update  learning rate  loss      smoothed")
        for index in report.rates.indices {
            lines.append(
                String(
                    format: "%6d  %13.4e  %-8.4f  %.4f", index + 1, report.rates[index], report.losses[index],
                    report.smoothedLosses[index]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func ending(_ report: RangeTestReport) -> String {
        switch report.ending {
        case .completed: return "completed"
        case .diverged:
            return
                "stopped: the smoothed loss exceeded \(String(format: "%g", report.test.divergenceThreshold))× the best"
        case .nonFinite: return "stopped: the loss was not finite"
        }
    }
}
