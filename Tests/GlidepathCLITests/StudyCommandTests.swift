import Foundation
import Glidepath
import GlidepathLab
import GlidepathStudy
import GlidepathTestSupport
import Testing

/// `glidepath study run|status|report` through the built binary: resume after SIGKILL to the
/// uninterrupted study's records, failed cells, a different plan under the same name (issue 12, items
/// 2, 3 and 8).
@Suite("glidepath study run, status, report")
struct StudyCommandTests {
    /// The kill test's plan: adult-mlp, arms constant and cosine, seeds 0 and 1, 2 epochs of 8 updates
    /// (1,024 training examples, batch 128), 500 evaluation examples, the fixed protocol, no probes.
    static func tinyPlan(arms: [StudyArm]? = nil) throws -> StudyPlan {
        var plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(
                tasks: ["adult-mlp"], arms: ["constant", "cosine"], seeds: [0, 1], epochs: 2,
                trainingLimit: 1024, evaluationLimit: 500), builtIn: "landscape-study")
        plan.name = "tiny"
        plan.tuning = [.fixed]
        plan.probing = nil
        if let arms {
            plan.arms = arms
            plan.referenceArm = arms.last?.name
            plan.fixedRateArm = arms.last?.name
            plan.baselines = arms.last.map { [$0.name] }
        }
        try plan.validate()
        return plan
    }

    static func write(_ plan: StudyPlan, to directory: TemporaryDirectory, name: String = "plan.json") throws {
        try Data(try plan.json().utf8).write(to: directory.url.appendingPathComponent(name))
    }

    /// Every cell's steps and epochs (bit patterns) and its result's deterministic fields, by cell.
    static func cellRecords(store path: String, plan: StudyPlan) throws -> [String: [String]] {
        let store = try RunStore(path: path, access: .readOnly)
        let cells = try store.studyCells(of: plan.name)
        var records: [String: [String]] = [:]
        for (cellId, record) in cells {
            let run = try #require(record.runId, "cell \(cellId) has no run")
            let result = try #require(try store.run(run).result(), "cell \(cellId): run \(run) has no result")
            records[cellId] = try deterministicRecord(store: path, run: run.rawValue) + deterministicFields(result)
        }
        return records
    }

    @Test(
        "a study killed mid-cell and rerun, or run by two workers, gives the uninterrupted study's cells, bit for bit",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func killedStudyResumesExactly() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plan = try Self.tinyPlan()
        try Self.write(plan, to: directory)
        let arguments = ["study", "run", "plan.json", "--data-dir", data.path]
        let baseline = try runGlidepath(arguments + ["--store", "baseline.sqlite"], in: directory.url)
        #expect(baseline.status == 0, "\(baseline.standardError)")
        let expected = try Self.cellRecords(store: directory.path("baseline.sqlite"), plan: plan)
        #expect(expected.count == 4)

        // Two worker processes share the cells through their leases: each cell runs once, to the same records.
        let workers = try runGlidepath(arguments + ["--store", "jobs.sqlite", "--jobs", "2"], in: directory.url)
        #expect(workers.status == 0, "\(workers.standardError)")
        #expect(try Self.cellRecords(store: directory.path("jobs.sqlite"), plan: plan) == expected)
        #expect(try RunStore(path: directory.path("jobs.sqlite"), access: .readOnly).runs().count == 4)

        // Killed in the second cell's second epoch (100 ms per update: 8 updates per epoch).
        let killed = try WatchedGlidepath(
            arguments + ["--store", "killed.sqlite", "--step-delay-ms", "100"], in: directory.url)
        #expect(killed.waitFor("cell 2/4"))
        // The second cell's first epoch line (the first cell printed its own before "cell 2/4").
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && killed.process.isRunning {
            let text = killed.standardError
            if let start = text.range(of: "cell 2/4"), text[start.upperBound...].contains("epoch 1/2  train loss") {
                break
            }
            usleep(20_000)
        }
        killed.signal(SIGKILL)
        _ = killed.finish()
        let status = try runGlidepath(["study", "status", "plan.json", "--store", "killed.sqlite"], in: directory.url)
        #expect(status.status == 0, "\(status.standardError)")
        #expect(
            status.standardOutput.contains("4 cells: 1 done, 0 running, 3 pending, 0 failed"),
            "\(status.standardOutput)")

        let resumed = try runGlidepath(arguments + ["--store", "killed.sqlite"], in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try Self.cellRecords(store: directory.path("killed.sqlite"), plan: plan) == expected)
        // The interrupted cell resumed its own run: one run per cell.
        #expect(try RunStore(path: directory.path("killed.sqlite"), access: .readOnly).runs().count == 4)

        // A third run has nothing to do; status lists every cell done.
        let again = try runGlidepath(arguments + ["--store", "killed.sqlite"], in: directory.url)
        #expect(again.standardError.contains("study tiny: 4/4 cells done, 0 failed"), "\(again.standardError)")
        let done = try runGlidepath(["study", "status", "plan.json", "--store", "killed.sqlite"], in: directory.url)
        #expect(
            done.standardOutput.contains("4 cells: 4 done, 0 running, 0 pending, 0 failed"), "\(done.standardOutput)")

        // The report: results.json has every cell with the named fields, study-cells.json the full metrics.
        let report = try runGlidepath(
            ["study", "report", "--store", "killed.sqlite", "--plan", "plan.json", "--output", "out"],
            in: directory.url)
        #expect(report.status == 0, "\(report.standardError)")
        let json = try Data(contentsOf: directory.url.appendingPathComponent("out/results.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let cells = try #require(object["cells"] as? [[String: Any]])
        #expect(cells.count == 4)
        for key in ["task", "arm", "seed", "testAccuracy", "testF1", "testAUC", "bestValidationLoss"] {
            #expect(cells.allSatisfy { $0[key] != nil }, "\(key)")
        }
        let full = try Data(contentsOf: directory.url.appendingPathComponent("out/study-cells.json"))
        let study = try #require(try JSONSerialization.jsonObject(with: full) as? [String: Any])
        let studyCells = try #require(study["cells"] as? [[String: Any]])
        #expect(studyCells.count == 4)
        for key in ["passes", "curves", "runId", "trainLossVariance", "rateAdjustments"] {
            #expect(studyCells.allSatisfy { $0[key] != nil }, "\(key)")
        }
    }

    @Test(
        "a failed cell is recorded with its reason and the other cells still run; a different plan under the same name is refused",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func failedCellAndMismatch() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // multiStep needs its milestones: decodes, but the run cannot build its scheduler.
        var plan = try Self.tinyPlan(arms: [
            StudyArm(name: "broken", scheduler: SchedulerConfiguration(MultiStepSchedule.Configuration())),
            StudyArm(name: "constant", scheduler: SchedulerConfiguration(FixedSchedule.Configuration())),
        ])
        plan.seeds = [0]
        try Self.write(plan, to: directory)
        let outcome = try runGlidepath(
            ["study", "run", "plan.json", "--store", "s.sqlite", "--data-dir", data.path],
            in: directory.url)
        #expect(outcome.status == 1, "a failed cell makes the exit status 1")
        #expect(outcome.standardError.contains("study tiny: 1/2 cells done, 1 failed"), "\(outcome.standardError)")
        let status = try runGlidepath(["study", "status", "plan.json", "--store", "s.sqlite"], in: directory.url)
        let failedLine = try #require(status.standardOutput.split(separator: "\n").first { $0.hasPrefix("failed") })
        #expect(failedLine.contains("broken") && failedLine.contains("milestones"), "\(failedLine)")

        // Same name, other seeds: refused, nothing written.
        let before = try RunStore(path: directory.path("s.sqlite"), access: .readOnly)
        let recordedPlan = try before.studyPlan(named: "tiny")
        let runs = try before.runs()
        plan.seeds = [0, 1]
        try Self.write(plan, to: directory, name: "other.json")
        let refused = try runGlidepath(
            ["study", "run", "other.json", "--store", "s.sqlite", "--data-dir", data.path],
            in: directory.url)
        #expect(refused.status != 0)
        #expect(
            refused.standardError.contains("holds a different plan named 'tiny' (fields differing: seeds)"),
            "\(refused.standardError)")
        let after = try RunStore(path: directory.path("s.sqlite"), access: .readOnly)
        #expect(try after.studyPlan(named: "tiny") == recordedPlan)
        #expect(try after.runs() == runs)
        #expect(try after.studyCells(of: "tiny").count == 2)
    }

    @Test("study plan prints a cut-down built-in plan (golden); unknown plans, arms and protocols are errors")
    func planCommand() throws {
        let outcome = try runGlidepath([
            "study", "plan", "landscape-study", "--tasks", "adult-mlp", "--arms", "constant,cosine",
            "--seeds", "0,1", "--epochs", "3", "--tuning", "fixed", "--scale", "reduced",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        expectGolden(outcome.standardOutput, named: "study-plan-cut-down.json")
        let unknown = runInProcess(["study", "plan", "landscape-studies"])
        #expect(
            unknown.status == 64 && unknown.message.contains("unknown built-in plan 'landscape-studies'"), "\(unknown)")
        let arm = runInProcess(["study", "plan", "landscape-study", "--arms", "warp"])
        #expect(arm.status == 1 && arm.message.contains("--arms=warp"), "\(arm)")
        let tuning = runInProcess(["study", "plan", "dlrs-validation", "--tuning", "fixed"])
        #expect(tuning.status == 1 && tuning.message.contains("--tuning=fixed"), "\(tuning)")
        let scale = runInProcess(["study", "plan", "dlrs-validation", "--scale", "tiny"])
        #expect(scale.status == 64, "\(scale)")
    }
}
