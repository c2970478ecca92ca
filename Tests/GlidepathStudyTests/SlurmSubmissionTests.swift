import Foundation
import Glidepath
import GlidepathLab
import GlidepathStudy
import GlidepathTestSupport
import Testing

/// `glidepath study submit --slurm`'s manifest and scripts (issue 15, item 1), from a plan alone (no data,
/// no Slurm): goldens of both scripts and the manifest, the manifest's cells against the local runner's, and
/// the refusals of an edited manifest or plan.
@Suite("Slurm submission: manifest and sbatch scripts")
struct SlurmSubmissionTests {
    /// adult-mlp, arms constant and cosine, seeds 0 and 1, 2 epochs, fixed protocol: 4 cells (the plan of
    /// scripts/slurm-test.sh).
    static func tinyPlan() throws -> StudyPlan {
        var plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(
                tasks: ["adult-mlp"], arms: ["constant", "cosine"], seeds: [0, 1], epochs: 2,
                trainingLimit: 1024, evaluationLimit: 500), builtIn: "landscape-study")
        plan.name = "slurm-tiny"
        plan.tuning = [.fixed]
        plan.probing = nil
        try plan.validate()
        return plan
    }

    static func submission(
        _ plan: StudyPlan, directory: String = "/cluster/study/tiny.slurm",
        store: String = "/cluster/study/tiny.sqlite"
    ) throws -> SlurmSubmission {
        let settings = SlurmSettings(
            binary: "/opt/glidepath/bin/glidepath", partition: "cpu", maxParallel: 2,
            time: "00:30:00", cpusPerTask: 2,
            environment: [("GLIDEPATH_WEIGHTS_DIR", "/cluster/weights")])
        return try SlurmSubmission(
            plan: plan, directory: directory, store: store, dataDirectory: "/cluster/data",
            threads: 2, settings: settings)
    }

    @Test("the job array script, the merge script and the manifest of the tiny plan match their goldens")
    func scriptsMatchGoldens() throws {
        let submission = try Self.submission(try Self.tinyPlan())
        #expect(submission.manifest.cells.count == 4)
        expectGolden(
            SlurmScripts.array(
                manifest: submission.manifest, manifestPath: submission.manifestPath,
                logDirectory: submission.logDirectory, settings: submission.settings),
            named: "slurm-cells.sbatch")
        expectGolden(
            SlurmScripts.merge(
                manifest: submission.manifest, logDirectory: submission.logDirectory,
                settings: submission.settings), named: "slurm-merge.sbatch")
        expectGolden(try submission.manifest.json(), named: "slurm-manifest.json")
        #expect(
            submission.commands(arrayJob: "41") == [
                ["sbatch", "--parsable", "/cluster/study/tiny.slurm/cells.sbatch"],
                ["sbatch", "--parsable", "--dependency=afterany:41", "/cluster/study/tiny.slurm/merge.sbatch"],
            ])
    }

    @Test("the manifest lists the cells study run runs, in its order, with the same content-hashed ids")
    func manifestSharesTheRunnersCells() throws {
        // Both protocols: the fixed rate is also a grid point, so the runner's duplicate removal matters.
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .reduced).cutDown(
            PlanCutDown(tasks: ["adult-mlp", "mnist-cnn"], arms: ["constant", "cosine", "dlrs"], seeds: [0, 1]),
            builtIn: "landscape-study")
        #expect(plan.tuningGrid != nil)
        let submission = try Self.submission(plan)
        var seen: Set<String> = []
        let runnerCells = try plan.cells(threads: 2).filter { seen.insert($0.id).inserted }
        #expect(submission.manifest.cells == runnerCells)
        #expect(runnerCells.count < (try plan.cells(threads: 2)).count, "the plan has a shared fixed/grid cell")
        #expect(submission.manifest.cells.allSatisfy { (try? $0.configuration.contentHash()) == $0.id })
        // Resubmitting the same plan maps to the same cells.
        #expect(try Self.submission(plan).manifest == submission.manifest)
    }

    @Test("a manifest whose cell was edited, an index outside it, or a changed plan file are refused by name")
    func editedManifestOrPlanIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plan = try Self.tinyPlan()
        let submission = try Self.submission(plan, directory: directory.path("sub"), store: directory.path("s.sqlite"))
        try submission.write(plan: plan)
        let loaded = try StudyManifest.load(submission.manifestPath)
        #expect(loaded == submission.manifest)
        #expect(try loaded.loadPlan(manifestPath: submission.manifestPath) == plan)

        // Out of range.
        #expect(throws: ClusterError.indexOutOfRange(path: submission.manifestPath, index: 4, count: 4)) {
            _ = try CellTask(
                manifestPath: submission.manifestPath, index: 4, expectedCell: nil, shardPath: "x.sqlite",
                workRoot: directory.path, dataDirectory: nil, threads: nil)
        }
        // The script's cell id must be the manifest's at that index.
        #expect(throws: ClusterError.self) {
            _ = try CellTask(
                manifestPath: submission.manifestPath, index: 0, expectedCell: loaded.cells[1].id,
                shardPath: "x.sqlite", workRoot: directory.path, dataDirectory: nil, threads: nil)
        }
        // An edited configuration no longer hashes to its id.
        var edited = loaded
        edited.cells[0].configuration.epochs = 3
        try Data(try edited.json().utf8).write(to: URL(fileURLWithPath: submission.manifestPath))
        #expect {
            _ = try StudyManifest.load(submission.manifestPath)
        } throws: { error in
            guard case let .invalidManifest(_, field, _, _)? = error as? ClusterError else { return false }
            return field == "cells[0].id"
        }
        // The plan file edited after the submission.
        try Data(try loaded.json().utf8).write(to: URL(fileURLWithPath: submission.manifestPath))
        var other = plan
        other.seeds = [0]
        try Data(try other.json().utf8).write(to: URL(fileURLWithPath: submission.planPath))
        #expect(throws: ClusterError.planChanged(manifest: submission.manifestPath, planFile: submission.planPath)) {
            _ = try loaded.loadPlan(manifestPath: submission.manifestPath)
        }
    }
}

/// A scratch directory of this suite, removed by the test.
private struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-slurm-\(UUID().uuidString)",
            isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
