import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `glidepath train` on bad input: one clear error line, a non-zero exit, and nothing written — no
/// store created, no run recorded, an existing store left byte-identical.
@Suite("glidepath train: bad input and divergence")
struct TrainCommandTests {
    /// Runs `arguments` in a fresh directory and checks the common contract of a refused command.
    private func expectRefused(_ arguments: [String], mentioning text: String, files: [String: String] = [:]) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (name, content) in files { try Data(content.utf8).write(to: URL(fileURLWithPath: directory.path(name))) }
        let outcome = try runGlidepath(arguments, in: directory.url)
        #expect(outcome.status == 1, "\(arguments): \(outcome.standardError)")
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "expected one error line: \(outcome.standardError)")
        #expect(outcome.standardError.contains(text), "\(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        #expect(left == files.keys.sorted(), "the refused command left files behind: \(left)")
    }

    @Test("an unknown task is named with the known ones")
    func unknownTask() throws {
        try expectRefused(
            ["train", "--task", "mnist-resnet", "--scheduler", "cosine"],
            mentioning: "unknown task 'mnist-resnet'; known tasks: mnist-cnn, cifar10-cnn")
    }

    @Test("an unknown scheduler is named with the known ones")
    func unknownScheduler() throws {
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosineish", "--data-dir", "/nonexistent"],
            mentioning: "--scheduler=cosineish: unknown scheduler; expected one of fixed, step, multiStep")
    }

    @Test("a configuration file for another scheduler is refused, naming the field")
    func wrongConfiguration() throws {
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--scheduler-config", "step.json"],
            mentioning: "the configuration file is for another scheduler than --scheduler cosine",
            files: ["step.json": #"{"name": "step", "stepSize": 3}"#])
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--scheduler-config", "step.json"],
            mentioning: "scheduler.stepSize=3: unknown field for cosine",
            files: ["step.json": #"{"stepSize": 3}"#])
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "step", "--scheduler-config", "step.json"],
            mentioning: "scheduler.stepSize=0",
            files: ["step.json": #"{"stepSize": 0}"#])
    }

    @Test("out-of-range run settings name the field and the value")
    func outOfRange() throws {
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--epochs", "0"],
            mentioning: "invalid configuration epochs=0: must be ≥ 1")
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--train-limit", "1"],
            mentioning: "invalid configuration trainingLimit=1: must be ≥ 2")
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--target-val-loss", "0"],
            mentioning: "invalid configuration targetValidationLoss=0.0: must be finite and > 0")
        try expectRefused(
            ["train", "--task", "mnist-cnn", "--scheduler", "cosine", "--cifar-batches", "1"],
            mentioning: "invalid configuration trainingBatches=[1]: applies to cifar10-cnn only")
        try expectRefused(
            ["train", "--task", "cifar10-cnn", "--scheduler", "cosine", "--cifar-batches", "1", "6"],
            mentioning: "invalid configuration trainingBatches=[1, 6]: must list distinct CIFAR-10 training batches")
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--text-batching", "bucketed"],
            mentioning: "invalid configuration textBatching=bucketed: applies to the text tasks")
    }

    @Test("a missing data directory names the dataset and the path")
    func missingData() throws {
        try expectRefused(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--data-dir", "/nonexistent/data"],
            mentioning: "no adult data at /nonexistent/data/adult")
    }

    @Test("a store from a newer glidepath is refused and left byte-identical")
    func newerStore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFixtureStore(in: directory.url)
        // user_version 9 in the SQLite header (big-endian at offset 60), as a newer schema would write it.
        let path = directory.path(RunStore.defaultFileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.replaceSubrange(60..<64, with: [0, 0, 0, 9])
        try bytes.write(to: URL(fileURLWithPath: path))
        let outcome = try runGlidepath(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--data-dir", "/nonexistent"],
            in: directory.url)
        #expect(outcome.status == 1)
        #expect(
            outcome.standardError.contains("schema version 9, newer than the \(RunStore.schemaVersion)"),
            "\(outcome.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test(
        "oneCycle with only maxLR trains for 1, 2 and 3 epochs: it is resolved with the run's real updates per epoch",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func oneCycleShortRuns() throws {
        // Regression (issue 17): the up-front check resolved the schedule with one update per epoch, so
        // totalSteps = epochs < 2 or pctStart·totalSteps ≤ 1, and the run was refused.
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(#"{"name": "oneCycle", "maxLR": 0.01}"#.utf8).write(
            to: URL(fileURLWithPath: directory.path("oneCycle.json")))
        for epochs in 1...3 {
            let store = "runs-\(epochs).sqlite"
            let outcome = try runGlidepath(
                smallAdultArguments(dataDirectory: data, epochs: epochs, scheduler: "oneCycle")
                    + ["--scheduler-config", "oneCycle.json", "--store", store], in: directory.url)
            #expect(outcome.status == 0, "--epochs \(epochs): \(outcome.standardError)")
            let result = try decodeResult(outcome)
            #expect(result.status == .completed && result.epochs == epochs)
            // 1,024 examples in batches of 128: 8 updates per epoch, one-cycle's default per-update cadence.
            let record = try RunStore(path: directory.path(store), access: .readOnly).run(matching: result.runId)
            #expect(record.configurationJSON.contains(#""totalSteps":\#(8 * epochs)"#), "\(record.configurationJSON)")
        }
    }

    @Test("--resume refuses new-run options and unknown runs")
    func resumeMisuse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mixed = runInProcess(["train", "--resume", "2026", "--epochs", "3"])
        #expect(mixed.status != 0 && mixed.message.contains("--resume continues a run with its recorded configuration"))
        let noStore = try runGlidepath(["train", "--resume", "2026"], in: directory.url)
        #expect(noStore.status == 1 && noStore.standardError.contains("no run store at glidepath-runs.sqlite"))
        try makeFixtureStore(in: directory.url)
        let unknown = try runGlidepath(["train", "--resume", "20991231"], in: directory.url)
        #expect(unknown.status == 1 && unknown.standardError.contains("no run '20991231'"), "\(unknown.standardError)")
    }

    @Test(
        "cifar10-cnn trains on all five training batches by default, on the batches it is told to otherwise, and records the choice",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func cifarTrainingBatches() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A data directory holding batches 1–2 only (symbolic links into the real one): without
        // --cifar-batches the run is refused naming the first missing batch, never silently trained on
        // a smaller set.
        let partial = directory.url.appendingPathComponent("partial/cifar10", isDirectory: true)
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        for name in ["data_batch_1.bin.gz", "data_batch_2.bin.gz", "test_batch.bin.gz", "batches.meta.txt"] {
            try FileManager.default.createSymbolicLink(
                at: partial.appendingPathComponent(name),
                withDestinationURL: data.appendingPathComponent("cifar10/\(name)"))
        }
        let refused = try runGlidepath(
            [
                "train", "--task", "cifar10-cnn", "--scheduler", "cosine", "--epochs", "1",
                "--data-dir", directory.path("partial"),
            ], in: directory.url)
        #expect(refused.status == 1 && refused.standardError.contains("data_batch_3"), "\(refused.standardError)")

        // The real directory holds all five batches: the default trains on them (recorded as no
        // explicit selection, which means batches 1–5), an explicit selection is recorded as given.
        for (arguments, recorded) in [
            ([String](), nil as String?), (["--cifar-batches", "1", "2"], #""trainingBatches":[1,2]"#),
        ] {
            let outcome = try runGlidepath(
                [
                    "train", "--task", "cifar10-cnn", "--scheduler", "cosine", "--epochs", "1",
                    "--data-dir", data.path, "--train-limit", "128", "--eval-limit", "64",
                    "--json",
                ] + arguments, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let result = try decodeResult(outcome)
            #expect(result.status == .completed && result.epochs == 1)
            let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
            let run = try store.run(matching: result.runId)
            // RunConfiguration.trainingBatches, sorted-key JSON; absent means all five.
            if let recorded {
                #expect(run.configurationJSON.contains(recorded), "\(run.configurationJSON)")
            } else {
                #expect(!run.configurationJSON.contains("trainingBatches"), "\(run.configurationJSON)")
            }
        }
    }

    @Test(
        "--weight-decay-scope: the task's default, an override recorded in the run, a bad value refused",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func weightDecayScope() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bad = try runGlidepath(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--weight-decay-scope", "some"],
            in: directory.url)
        #expect(bad.status != 0 && bad.standardError.contains("--weight-decay-scope"), "\(bad.standardError)")
        let mixed = try runGlidepath(["train", "--resume", "2026", "--weight-decay-scope", "all"], in: directory.url)
        #expect(
            mixed.status != 0
                && mixed.standardError.contains("--resume continues a run with its recorded configuration"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)

        var configurations: [String] = []
        var losses: [Double] = []
        for scope in [[], ["--weight-decay-scope", "weights-only"]] {
            let outcome = try runGlidepath(
                smallAdultArguments(dataDirectory: data, epochs: 1) + scope, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let result = try decodeResult(outcome)
            let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
            configurations.append(try store.run(matching: result.runId).configurationJSON)
            losses.append(result.testLoss)
        }
        // Same seed and data: only the biases' decay differs, and it reaches the optimizer.
        #expect(losses[0] != losses[1], "\(losses)")
        // adult-mlp decays everything by default; the override is what the second run recorded.
        #expect(configurations[0].contains(#""weightDecayScope":"all""#), "\(configurations[0])")
        #expect(configurations[1].contains(#""weightDecayScope":"weights-only""#), "\(configurations[1])")
    }

    @Test(
        "--subset: the limits keep a stratified sample unless --subset first; refused without a limit",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func subsetSampling() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let refused = try runGlidepath(
            ["train", "--task", "adult-mlp", "--scheduler", "cosine", "--subset", "first"], in: directory.url)
        #expect(refused.status == 64, "a usage error: \(refused.standardError)")
        #expect(refused.standardError.contains("--subset applies with --train-limit or --eval-limit only"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
        var configurations: [String] = []
        for subset in [[], ["--subset", "first"]] {
            let outcome = try runGlidepath(
                smallAdultArguments(dataDirectory: data, epochs: 1) + subset, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let result = try decodeResult(outcome)
            let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
            configurations.append(try store.run(matching: result.runId).configurationJSON)
        }
        #expect(configurations[0].contains(#""subsetSampling":"stratified""#), "\(configurations[0])")
        #expect(configurations[1].contains(#""subsetSampling":"first""#), "\(configurations[1])")
    }

    @Test(
        "a checkpoint directory that cannot be created fails the run with the path, recorded as failed",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func uncreatableCheckpointDirectory() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A file where the checkpoint folder must go.
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: directory.path("glidepath-checkpoints")))
        let outcome = try runGlidepath(smallAdultArguments(dataDirectory: data, epochs: 1), in: directory.url)
        #expect(outcome.status == 1)
        #expect(
            outcome.standardError.contains("glidepath-checkpoints/\(RunStore.defaultFileName)/"),
            "\(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty)
        // The run row was created before the directory failed: it says failed, not running.
        let runs = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly).runs()
        #expect(runs.map(\.status) == [.failed])
    }

    @Test(
        "a loss that goes non-finite ends the run as diverged, recorded, with exit 0",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func divergence() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // SGD whose rate grows 10⁶× per update: lr 1e-2, 1e4, 1e10, … — the loss overflows within a few updates.
        try Data(#"{"gamma": 1000000, "cadence": "perUpdate"}"#.utf8)
            .write(to: URL(fileURLWithPath: directory.path("explode.json")))
        let outcome = try runGlidepath(
            smallAdultArguments(dataDirectory: data, epochs: 2, scheduler: "exponential")
                + ["--optimizer", "sgd", "--scheduler-config", "explode.json"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("the run diverged"))
        let result = try decodeResult(outcome)
        #expect(result.status == .diverged && result.epochs == 0)
        let store = try RunStore(path: directory.path(RunStore.defaultFileName), access: .readOnly)
        let run = try store.run(matching: result.runId)
        #expect(run.status == .diverged)
        let steps = try store.steps(of: run.id)
        let last = try #require(steps.last)
        #expect(!last.loss.isFinite && steps.dropLast().allSatisfy { $0.loss.isFinite })
        #expect(try store.epochs(of: run.id).isEmpty)
    }
}
