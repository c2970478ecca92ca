import Foundation
import GlidepathData
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `glidepath demo` (the README's main job) end to end on real Fashion-MNIST, at a budget small enough
/// for the debug build: three runs recorded in the store, and a table whose every number is the
/// store's result for that run. Nothing here is a constant: the expected values are read back from the
/// runs the command recorded.
@Suite("glidepath demo")
struct DemoCommandTests {
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    @Test("constant, cosine and DLRS on Fashion-MNIST: three completed runs and a table of their results")
    func demoEndToEnd() throws {
        guard FileManager.default.fileExists(atPath: Self.fashionDirectory) || TestEnvironment.isCI else {
            // Not silent: a known issue on machines without Debian's dataset-fashion-mnist (make test installs it).
            withKnownIssue("dataset-fashion-mnist is not installed") {
                throw DataError(file: Self.fashionDirectory, problem: .missingFile)
            }
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // An empty data directory: Fashion-MNIST comes from the Debian package's folder, as on a fresh machine.
        let emptyData = directory.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: emptyData, withIntermediateDirectories: true)
        let outcome = try runGlidepath(
            [
                "demo", "--epochs", "2", "--train-limit", "256", "--eval-limit", "200",
                "--threads", "1", "--store", "demo.sqlite", "--data-dir", emptyData.path,
            ],
            in: directory.url)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            outcome.standardError.contains(
                "glidepath demo: fashion-mnist-cnn, 2 epochs per scheduler on a stratified sample of "
                    + "256 of the 54,000 training examples"))

        let store = try RunStore(path: directory.path("demo.sqlite"), access: .readOnly)
        let runs = try store.runs()
        #expect(runs.map(\.scheduler).sorted() == ["constant", "cosine", "dlrs"])
        let table = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(table.contains { $0.hasPrefix("scheduler") && $0.contains("test acc") && $0.contains("best val loss") })
        for run in runs {
            #expect(run.status == .completed && run.epochsCompleted == 2 && run.task == "fashion-mnist-cnn")
            let configuration = try run.configuration()
            #expect(
                configuration.trainingLimit == 256 && configuration.evaluationLimit == 200 && configuration.seed == 0)
            let result = try #require(try run.result())
            // The run's row: its scheduler label first, its id last, its test accuracy, F1 and best
            // validation loss to 4 places in between.
            let row = try #require(
                table.first { $0.hasPrefix(run.scheduler + " ") && $0.hasSuffix(run.id.rawValue) },
                "no table row for \(run.scheduler) in:\n\(outcome.standardOutput)")
            for value in [result.testAccuracy, result.testF1, result.bestValLoss] {
                let text = String(format: "%.4f", value)
                #expect(row.contains(text), "\(row) lacks \(text)")
            }
        }
        // The constant baseline really is constant (factor 1): every step ran at the base rate 1e-3.
        let constant = try #require(runs.first { $0.scheduler == "constant" })
        let steps = try store.steps(of: constant.id)
        #expect(steps.count == 2 * 4)  // 256 examples / batch 64 = 4 updates per epoch
        #expect(steps.allSatisfy { $0.learningRates == [1e-3] })
    }
}
