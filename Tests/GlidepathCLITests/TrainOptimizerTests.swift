import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `glidepath train --optimizer NAME --optimizer-config FILE` with the learning-rate-free optimizers: the
/// run records the configuration and the optimizer's step-size estimate, `runs show` and `runs export`
/// show it, and bad names and fields are refused naming them before anything is recorded.
@Suite("glidepath train --optimizer")
struct TrainOptimizerTests {
    @Test(
        "Prodigy without a schedule: configuration recorded, d shown and exported",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func prodigyUnderFixed() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(#"{"dCoef": 0.5, "weightDecay": 0.001}"#.utf8).write(
            to: URL(fileURLWithPath: directory.path("prodigy.json")))
        let outcome = try runGlidepath(
            smallAdultArguments(dataDirectory: data, epochs: 1, scheduler: "fixed")
                + ["--optimizer", "prodigy", "--optimizer-config", "prodigy.json"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let result = try decodeResult(outcome)
        let show = try runGlidepath(["runs", "show", result.runId], in: directory.url)
        #expect(show.status == 0, "\(show.standardError)")
        #expect(show.standardOutput.contains(#""name" : "prodigy""#) && show.standardOutput.contains(#""dCoef" : 0.5"#))
        #expect(show.standardOutput.contains("STEP SIZE"))
        let export = try runGlidepath(["runs", "export", result.runId, "--table", "steps"], in: directory.url)
        let lines = export.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasSuffix(",lr_0,step_size_0") == true, "\(lines.first ?? "")")
        #expect(lines.count == 1 + 8)
        // Every update ran at the multiplier 1 (fixed), and d moved up from d₀ = 1e-6.
        let d = lines.dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        #expect(lines.dropFirst().allSatisfy { $0.contains(",1.0,") })
        #expect(d.count == 8 && (d.last ?? 0) > 1e-6, "\(d)")
    }

    @Test func badOptimizersAreRefusedNamingTheField() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func train(_ extra: [String]) throws -> ProcessOutcome {
            try runGlidepath(
                ["train", "--task", "adult-mlp", "--scheduler", "fixed", "--data-dir", directory.url.path] + extra,
                in: directory.url)
        }
        let unknown = try train(["--optimizer", "lion"])
        #expect(
            unknown.status != 0 && unknown.standardError.contains("--optimizer=lion")
                && unknown.standardError.contains("scheduleFreeAdamW"), "\(unknown.standardError)")
        try Data(#"{"dcoef": 0.5}"#.utf8).write(to: URL(fileURLWithPath: directory.path("typo.json")))
        let typo = try train(["--optimizer", "prodigy", "--optimizer-config", "typo.json"])
        #expect(
            typo.status != 0 && typo.standardError.contains("optimizer.dcoef=0.5: unknown field for prodigy"),
            "\(typo.standardError)")
        try Data(#"{"name": "dog", "initialStepSize": -1}"#.utf8).write(
            to: URL(fileURLWithPath: directory.path("dog.json")))
        let range = try train(["--optimizer-config", "dog.json"])
        #expect(
            range.status != 0 && range.standardError.contains("optimizer.initialStepSize=-1.0"),
            "\(range.standardError)")
        let missing = try train(["--optimizer-config", "absent.json"])
        #expect(missing.status != 0 && missing.standardError.contains("--optimizer-config=absent.json"))
        #expect(
            !FileManager.default.fileExists(atPath: directory.path(RunStore.defaultFileName)), "nothing was recorded")
        let resume = try runGlidepath(["train", "--resume", "x", "--optimizer", "prodigy"], in: directory.url)
        #expect(
            resume.status != 0
                && resume.standardError.contains("--resume continues a run with its recorded configuration"))
    }
}
