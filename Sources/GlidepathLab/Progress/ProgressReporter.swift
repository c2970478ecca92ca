import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How progress is shown.
public enum ProgressStyle: Sendable, Equatable {
    /// A single redrawn line on a terminal (`\r` + erase line), at most every `redrawInterval` seconds,
    /// with one permanent summary line per epoch.
    case bar(width: Int, redrawInterval: Double)
    /// Plain lines for logs and pipes: a step line every `stepInterval` updates and a summary per epoch.
    case lines(stepInterval: Int)

    /// The style for file descriptor `descriptor`: a bar when it is a terminal (`isatty`), lines otherwise.
    public static func automatic(for descriptor: Int32, stepsPerEpoch: Int) -> ProgressStyle {
        isatty(descriptor) == 1
            ? .bar(width: 24, redrawInterval: 0.1)
            : .lines(stepInterval: max(1, (stepsPerEpoch + 9) / 10))
    }
}

/// Shows a run's progress: epoch, step, loss, learning rate, throughput and ETA while training, and a
/// summary line per epoch.
///
/// Text is a pure function of the calls and the injected clock (fixed number formats, see
/// ``ProgressFormat``), so a ``ManualClock`` gives byte-identical output for golden tests.
///
/// ETA = (seconds per update so far in this process, evaluation excluded) × (updates left in the run).
/// Throughput = samples in the current epoch / seconds since the epoch started.
public final class ProgressReporter {
    private let style: ProgressStyle
    private let clock: any LabClock
    private let output: (String) -> Void

    private var totalEpochs = 0
    private var stepsPerEpoch = 0
    private var epoch = 0
    private var epochStart = 0.0
    private var epochSamples = 0
    private var epochTrainSeconds = 0.0
    private var finishedEpochSeconds = 0.0
    private var sessionSteps = 0
    private var lastRedraw: Double?
    private var barShown = false

    /// - Parameter output: receives every piece of text, newlines included (write it unbuffered).
    public init(style: ProgressStyle, clock: any LabClock, output: @escaping (String) -> Void) {
        self.style = style
        self.clock = clock
        self.output = output
    }

    /// A reporter writing to standard error, as a bar on a terminal and lines otherwise (standard output
    /// stays free for `--json`).
    public static func standardError(clock: any LabClock, stepsPerEpoch: Int) -> ProgressReporter {
        ProgressReporter(style: .automatic(for: STDERR_FILENO, stepsPerEpoch: stepsPerEpoch), clock: clock) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Announces the run: prints a header line.
    public func runStarted(
        runId: String, task: String, scheduler: String, totalEpochs: Int, stepsPerEpoch: Int,
        resumingAfterEpoch: Int = 0
    ) {
        self.totalEpochs = totalEpochs
        self.stepsPerEpoch = stepsPerEpoch
        let resume = resumingAfterEpoch > 0 ? ", resuming after epoch \(resumingAfterEpoch)" : ""
        emitLine("run \(runId): \(task) with \(scheduler), \(totalEpochs) epochs of \(stepsPerEpoch) steps\(resume)")
    }

    /// Marks the start of epoch `epoch` (1-based).
    public func epochStarted(_ epoch: Int) {
        self.epoch = epoch
        epochStart = clock.monotonicSeconds()
        epochSamples = 0
        epochTrainSeconds = 0
        lastRedraw = nil
    }

    /// Reports update `step` (1-based within the epoch) on `samples` samples with its loss and the rate
    /// of the first parameter group.
    public func stepFinished(step: Int, loss: Double, learningRate: Double, samples: Int) {
        let now = clock.monotonicSeconds()
        epochSamples += samples
        sessionSteps += 1
        epochTrainSeconds = now - epochStart
        let elapsed = now - epochStart
        let throughput = elapsed > 0 ? Double(epochSamples) / elapsed : nil
        let trained = finishedEpochSeconds + epochTrainSeconds
        let remaining = (totalEpochs - epoch) * stepsPerEpoch + (stepsPerEpoch - step)
        let eta = trained > 0 ? trained / Double(sessionSteps) * Double(max(0, remaining)) : nil
        let fields =
            "loss \(ProgressFormat.loss(loss))  lr \(ProgressFormat.rate(learningRate))  "
            + "\(ProgressFormat.throughput(throughput))  ETA \(ProgressFormat.duration(eta))"
        switch style {
        case let .bar(width, redrawInterval):
            let isLast = step >= stepsPerEpoch
            if let lastRedraw, !isLast, now - lastRedraw < redrawInterval { return }
            lastRedraw = now
            output(
                "\r\u{1B}[2K" + "epoch \(epoch)/\(totalEpochs) \(bar(step, width: width)) "
                    + "\(step)/\(stepsPerEpoch)  " + fields)
            barShown = true
        case .lines(let stepInterval):
            guard step % stepInterval == 0 || step == stepsPerEpoch else { return }
            output("epoch \(epoch)/\(totalEpochs) step \(step)/\(stepsPerEpoch)  " + fields + "\n")
        }
    }

    /// Prints the epoch's summary line.
    public func epochFinished(
        trainLoss: Double, validationLoss: Double, validationAccuracy: Double,
        validationF1: Double, validationAUC: Double?, learningRate: Double,
        trainSeconds: Double, evaluationSeconds: Double
    ) {
        finishedEpochSeconds += epochTrainSeconds
        epochTrainSeconds = 0
        let auc = validationAUC.map { "  AUC \(ProgressFormat.metric($0))" } ?? ""
        emitLine(
            "epoch \(epoch)/\(totalEpochs)  train loss \(ProgressFormat.loss(trainLoss))  "
                + "val loss \(ProgressFormat.loss(validationLoss))  acc \(ProgressFormat.metric(validationAccuracy))  "
                + "F1 \(ProgressFormat.metric(validationF1))\(auc)  lr \(ProgressFormat.rate(learningRate))  "
                + "train \(ProgressFormat.seconds(trainSeconds))  eval \(ProgressFormat.seconds(evaluationSeconds))")
    }

    /// Prints a line of its own (a warning, the stop notice), clearing the bar first.
    public func message(_ text: String) {
        emitLine(text)
    }

    private func emitLine(_ text: String) {
        if barShown {
            output("\r\u{1B}[2K")
            barShown = false
        }
        output(text + "\n")
    }

    private func bar(_ step: Int, width: Int) -> String {
        let filled = stepsPerEpoch > 0 ? min(width, step * width / stepsPerEpoch) : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}
