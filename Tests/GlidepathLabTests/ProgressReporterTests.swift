import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Progress reporter")
struct ProgressReporterTests {
    /// A two-epoch run of 4 steps of 64 samples, each step 2.5 s on a manual clock, evaluation 0.5 s.
    ///
    /// Reviewed values in the golden files: throughput 64 / 2.5 = 25.6 samples/s; ETA after epoch 1
    /// step 1 = 2.5 s/step × 7 steps left = 17.5 → "18s"; after step 3 = 2.5 × 5 = 12.5 → "13s"; the bar
    /// skips step 2 (2.5 s after the last redraw < 4 s) and always draws an epoch's last step.
    func transcript(style: ProgressStyle) -> String {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 0))
        var text = ""
        let reporter = ProgressReporter(style: style, clock: clock) { text += $0 }
        reporter.runStarted(
            runId: "20261123-071749-0001", task: "fashion-mnist-cnn", scheduler: "cosine",
            totalEpochs: 2, stepsPerEpoch: 4)
        for epoch in 1...2 {
            reporter.epochStarted(epoch)
            for step in 1...4 {
                clock.advance(by: 2.5)
                reporter.stepFinished(
                    step: step, loss: 2.0 / Double(epoch * 4 + step), learningRate: 1e-3 / Double(epoch),
                    samples: 64)
            }
            clock.advance(by: 0.5)
            reporter.epochFinished(
                trainLoss: 0.3 / Double(epoch), validationLoss: 0.35 / Double(epoch),
                validationAccuracy: 0.875, validationF1: 0.8625, validationAUC: epoch == 2 ? 0.95 : nil,
                learningRate: 1e-3 / Double(epoch), trainSeconds: 0.2, evaluationSeconds: 0.5)
        }
        reporter.message("stopped by SIGTERM after epoch 2")
        // Make the terminal control characters visible in the golden file.
        return text.replacingOccurrences(of: "\u{1B}", with: "<ESC>").replacingOccurrences(of: "\r", with: "<CR>")
    }

    @Test("terminal bar: redrawn at most every 4 s and on an epoch's last step, summary lines kept")
    func bar() {
        expectGolden(transcript(style: .bar(width: 8, redrawInterval: 4)), named: "progress-bar.txt")
    }

    @Test("plain lines for pipes and logs")
    func lines() {
        expectGolden(transcript(style: .lines(stepInterval: 2)), named: "progress-lines.txt")
    }

    @Test("fixed number formats")
    func formats() {
        #expect(ProgressFormat.duration(125) == "2m05s")
        #expect(ProgressFormat.duration(3723.4) == "1h02m03s")
        #expect(ProgressFormat.duration(nil) == "--")
        #expect(ProgressFormat.rate(0.001) == "1.000e-03")
        #expect(ProgressFormat.loss(.nan) == "nan")
        #expect(ProgressFormat.throughput(1280) == "1280.0 samples/s")
    }
}
