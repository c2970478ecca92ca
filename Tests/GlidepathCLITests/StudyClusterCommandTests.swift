import Foundation
import Glidepath
import GlidepathLab
import GlidepathStudy
import GlidepathTestSupport
import Testing

/// `glidepath study submit --dry-run | run-cell | merge` through the built binary, without Slurm (issue 15,
/// items 2 and 3; scripts/slurm-test.sh runs the same path on a real Slurm cluster): a task stopped by
/// SIGTERM resumes bit-identically, the merged store equals a local `study run`, merging is idempotent, and
/// shards of another plan or code version are refused with nothing written.
@Suite("glidepath study submit, run-cell, merge")
struct StudyClusterCommandTests {
    @Test(
        "run-cell stopped by SIGTERM resumes bit for bit; merged shards equal study run; a second merge adds nothing",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func shardsMergeToTheLocalRun() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = try StudyCommandTests.tinyPlan()
        plan.seeds = [0]
        try StudyCommandTests.write(plan, to: directory)
        let local = try runGlidepath(
            ["study", "run", "plan.json", "--store", "local.sqlite", "--data-dir", data.path],
            in: directory.url)
        #expect(local.status == 0, "\(local.standardError)")
        let expected = try StudyCommandTests.cellRecords(store: directory.path("local.sqlite"), plan: plan)
        #expect(expected.count == 2)

        let submit = try runGlidepath(
            [
                "study", "submit", "plan.json", "--slurm", "--store", "merged.sqlite", "--directory",
                "sub", "--data-dir", data.path, "--dry-run",
            ], in: directory.url)
        #expect(submit.status == 0, "\(submit.standardError)")
        #expect(
            submit.standardOutput.contains("sbatch --parsable --dependency=afterany:<array job>"),
            "\(submit.standardOutput)")
        let manifest = try StudyManifest.load(directory.path("sub/manifest.json"))
        #expect(Set(manifest.cells.map(\.id)) == Set(expected.keys))
        func task(_ index: Int) -> [String] {
            [
                "study", "run-cell", "sub/manifest.json", "--index", "\(index)", "--cell", manifest.cells[index].id,
                "--store", manifest.shardPath(of: manifest.cells[index]), "--work-dir", "node-tmp",
            ]
        }

        // Task 0 stopped by SIGTERM in its second epoch (100 ms per update): a checkpoint, exit 143, no shard.
        let stopped = try WatchedGlidepath(task(0) + ["--step-delay-ms", "100"], in: directory.url)
        #expect(stopped.waitFor("epoch 1/2  train loss"))
        stopped.signal(SIGTERM)
        let stoppedOutcome = stopped.finish()
        #expect(stoppedOutcome.status == 143, "\(stoppedOutcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: manifest.shardPath(of: manifest.cells[0])))
        // Requeued: resumes from the checkpoint, places the shard; a third attempt has nothing to do.
        let resumed = try runGlidepath(task(0), in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming run"), "\(resumed.standardError)")
        let again = try runGlidepath(task(0), in: directory.url)
        #expect(again.standardError.contains("already finished"), "\(again.standardError)")
        let other = try runGlidepath(task(1), in: directory.url)
        #expect(other.status == 0, "\(other.standardError)")

        let shards = manifest.cells.map { manifest.shardPath(of: $0) }
        let merge = ["study", "merge"] + shards + ["--into", "merged.sqlite", "--plan", "plan.json"]
        let first = try runGlidepath(merge, in: directory.url)
        #expect(first.standardError.contains("2 runs imported, 0 already there"), "\(first.standardError)")
        #expect(try StudyCommandTests.cellRecords(store: directory.path("merged.sqlite"), plan: plan) == expected)
        // Twice, and with overlapping shards: nothing added.
        let second = try runGlidepath(merge + [shards[0]], in: directory.url)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardError.contains("0 runs imported, 3 already there"), "\(second.standardError)")
        #expect(try RunStore(path: directory.path("merged.sqlite"), access: .readOnly).runs().count == 2)
        let status = try runGlidepath(["study", "status", "plan.json", "--store", "merged.sqlite"], in: directory.url)
        #expect(
            status.standardOutput.contains("2 cells: 2 done, 0 running, 0 pending, 0 failed"),
            "\(status.standardOutput)")
        // Resubmitting the plan against the merged store: nothing left to submit.
        let resubmit = try runGlidepath(
            [
                "study", "submit", "plan.json", "--slurm", "--store", "merged.sqlite", "--directory",
                "sub2", "--data-dir", data.path, "--dry-run",
            ], in: directory.url)
        #expect(resubmit.standardError.contains("nothing to submit"), "\(resubmit.standardError)")

        // Another plan under the same name in the target: refused, nothing written.
        var changed = plan
        changed.seeds = [7]
        let target = try RunStore(path: directory.path("taken.sqlite"))
        _ = try target.registerStudy(name: plan.name, plan: try changed.json(pretty: false))
        let refused = try runGlidepath(["study", "merge"] + shards + ["--into", "taken.sqlite"], in: directory.url)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("holds another plan under this name"), "\(refused.standardError)")
        #expect(try target.runs().isEmpty)
        // --plan naming another plan: refused.
        try StudyCommandTests.write(changed, to: directory, name: "changed.json")
        let wrongPlan = try runGlidepath(
            ["study", "merge"] + shards + ["--into", "fresh.sqlite", "--plan", "changed.json"],
            in: directory.url)
        #expect(wrongPlan.standardError.contains("nothing was merged"), "\(wrongPlan.standardError)")

        // A shard of another code version: refused unless --allow-code-mismatch.
        let foreign = directory.path("foreign.sqlite")
        try FileManager.default.copyItem(atPath: shards[1], toPath: foreign)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Also give its run shard 0's run identifier (two shards created in the same second): the merge renames it.
        let shard0Run = try #require(try RunStore(path: shards[0], access: .readOnly).runs().first?.id.rawValue)
        let foreignRun = try #require(try RunStore(path: foreign, access: .readOnly).runs().first?.id.rawValue)
        sqlite.arguments = [
            "sqlite3", foreign,
            """
            UPDATE runs SET code_version = '{"package":"0.0.1"}';
            UPDATE runs SET id = '\(shard0Run)', result = replace(result, '\(foreignRun)', '\(shard0Run)');
            UPDATE steps SET run_id = '\(shard0Run)'; UPDATE epochs SET run_id = '\(shard0Run)';
            UPDATE probes SET run_id = '\(shard0Run)'; UPDATE checkpoints SET run_id = '\(shard0Run)';
            UPDATE study_cells SET run_id = '\(shard0Run)';
            """,
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0, "sqlite3 must be installed (make setup)")
        let mismatch = try runGlidepath(
            ["study", "merge", shards[0], foreign, "--into", "mixed.sqlite"], in: directory.url)
        #expect(mismatch.status != 0)
        #expect(mismatch.standardError.contains("--allow-code-mismatch"), "\(mismatch.standardError)")
        #expect(try RunStore(path: directory.path("mixed.sqlite"), access: .readOnly).runs().isEmpty)
        let allowed = try runGlidepath(
            [
                "study", "merge", shards[0], foreign, "--into", "mixed.sqlite",
                "--allow-code-mismatch",
            ], in: directory.url)
        #expect(allowed.standardError.contains("2 runs imported"), "\(allowed.standardError)")
        let mixed = try RunStore(path: directory.path("mixed.sqlite"), access: .readOnly)
        let mixedRuns = try mixed.runs()
        #expect(Set(mixedRuns.map(\.id)).count == 2)
        for run in mixedRuns { #expect(try run.result()?.runId == run.id.rawValue, "\(run.id)") }
        #expect(try StudyCommandTests.cellRecords(store: directory.path("mixed.sqlite"), plan: plan) == expected)
    }

    @Test(
        "a cell that fails in its array task is merged as failed with its reason, and resubmitting retries it",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func failedCellIsMergedAsFailed() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // multiStep needs its milestones: decodes, but the run cannot build its scheduler (as StudyCommandTests).
        var plan = try StudyCommandTests.tinyPlan(arms: [
            StudyArm(name: "broken", scheduler: SchedulerConfiguration(MultiStepSchedule.Configuration())),
            StudyArm(name: "constant", scheduler: SchedulerConfiguration(FixedSchedule.Configuration())),
        ])
        plan.seeds = [0]
        try StudyCommandTests.write(plan, to: directory)
        let submit = [
            "study", "submit", "plan.json", "--slurm", "--store", "merged.sqlite", "--data-dir", data.path,
            "--dry-run",
        ]
        #expect(try runGlidepath(submit + ["--directory", "sub"], in: directory.url).status == 0)
        let manifest = try StudyManifest.load(directory.path("sub/manifest.json"))
        let broken = try #require(manifest.cells.firstIndex { $0.arm == "broken" })
        let shard = manifest.shardPath(of: manifest.cells[broken])
        let task = try runGlidepath(
            [
                "study", "run-cell", "sub/manifest.json", "--index", "\(broken)", "--store", shard,
                "--work-dir", "node-tmp",
            ], in: directory.url)
        #expect(task.status == 1, "\(task.standardError)")
        #expect(task.standardError.contains("failed (recorded in"), "\(task.standardError)")
        let merge = try runGlidepath(["study", "merge", shard, "--into", "merged.sqlite"], in: directory.url)
        #expect(
            merge.standardError.contains("0 runs imported, 0 already there, 1 unfinished cells not imported (1 failed"),
            "\(merge.standardError)")
        let status = try runGlidepath(["study", "status", "plan.json", "--store", "merged.sqlite"], in: directory.url)
        let failedLine = try #require(
            status.standardOutput.split(separator: "\n").first { $0.hasPrefix("failed") },
            "\(status.standardOutput)")
        #expect(failedLine.contains("broken") && failedLine.contains("milestones"), "\(failedLine)")
        #expect(
            status.standardOutput.contains("2 cells: 0 done, 0 running, 1 pending, 1 failed"),
            "\(status.standardOutput)")
        // Resubmitting: both unfinished cells (the failed one retried).
        let again = try runGlidepath(submit + ["--directory", "sub2"], in: directory.url)
        #expect(again.standardError.contains("2 unfinished cells"), "\(again.standardError)")
    }
}
