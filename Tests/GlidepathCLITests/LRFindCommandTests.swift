import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `glidepath lr-find` end to end on real data (adult-mlp, first 1,024 training examples). The rules
/// themselves are checked against torch-lr-finder in `GlidepathNNTests/RangeTestParityTests.swift`.
@Suite("glidepath lr-find")
struct LRFindCommandTests {
    @Test(
        "JSON record, SVG plot, reproducible per seed",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func recordPlotAndReproducibility() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = [
            "lr-find", "--task", "adult-mlp", "--data-dir", data.path, "--train-limit", "1024",
            "--updates", "40", "--start", "1e-5", "--end", "10", "--seed", "3",
        ]
        let first = try runGlidepath(arguments + ["--json", "--output", directory.path("plot.svg")], in: directory.url)
        #expect(first.status == 0, "\(first.standardError)")
        let report = try StateCoding.decoder().decode(RangeTestReport.self, from: Data(first.standardOutput.utf8))
        #expect(report.task == .adultMLP)
        #expect(report.optimizer == TrainingTask.adultMLP.specification.optimizer, "the task's optimizer by default")
        #expect(report.batchSize == 128 && report.updatesPerEpoch == 8)
        #expect(!report.rates.isEmpty && report.rates.count <= 40)
        #expect(report.rates.count == report.losses.count && report.losses.count == report.smoothedLosses.count)
        // η_i = 1e-5 · (10 / 1e-5)^{i/39}: the first rate is the start, every ratio the same.
        #expect(report.rates[0] == 1e-5)
        expectClose(report.rates[1] / report.rates[0], pow(1e6, 1.0 / 39), relativeTolerance: 1e-12)
        if report.ending == .completed { expectClose(report.rates[39], 10, relativeTolerance: 1e-12) }
        #expect(report.smoothedLosses[0] == report.losses[0])
        expectClose(
            report.smoothedLosses[1], 0.05 * report.losses[1] + 0.95 * report.losses[0], relativeTolerance: 1e-15)
        let steepest = try #require(report.suggestions.steepest, "\(report.rates.count) updates give a suggestion")
        #expect(report.rates.contains(steepest.rate))
        let svg = try String(contentsOfFile: directory.path("plot.svg"), encoding: .utf8)
        #expect(
            svg.hasPrefix("<svg") && svg.contains("smoothed loss") && svg.contains("steepest")
                && svg.contains("minimum/10") && svg.contains("valley"))

        let again = try runGlidepath(arguments + ["--json"], in: directory.url)
        #expect(again.standardOutput == first.standardOutput, "same seed and threads: the same record, bit for bit")
        let text = try runGlidepath(arguments, in: directory.url)
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("suggested learning rates:"))
        #expect(text.standardOutput.contains(String(format: "%.3e", steepest.rate)))
    }

    @Test func badOptionsAreRefusedNamingTheField() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = try runGlidepath(
            ["lr-find", "--task", "adult-mlp", "--start", "0", "--data-dir", directory.url.path],
            in: directory.url)
        #expect(start.status != 0)
        #expect(start.standardError.contains("startRate=0.0"), "\(start.standardError)")
        let end = try runGlidepath(
            [
                "lr-find", "--task", "adult-mlp", "--start", "1", "--end", "0.1",
                "--data-dir", directory.url.path,
            ], in: directory.url)
        #expect(end.standardError.contains("endRate=0.1"), "\(end.standardError)")
        let mode = try runGlidepath(["lr-find", "--task", "adult-mlp", "--mode", "cubic"], in: directory.url)
        #expect(mode.status != 0 && mode.standardError.contains("cubic"))
        let task = try runGlidepath(["lr-find", "--task", "nope"], in: directory.url)
        #expect(task.status != 0 && task.standardError.contains("nope"))
    }
}
