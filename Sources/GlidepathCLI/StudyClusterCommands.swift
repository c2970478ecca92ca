import ArgumentParser
import Foundation
import GlidepathLab
import GlidepathStudy

/// An absolute path for `path` (relative to the current directory).
private func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
}

/// `glidepath study submit PLAN --slurm --store S`: the study as a Slurm job array plus a merge job
/// (`docs/cluster.md`).
struct StudySubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a study's unfinished cells to Slurm: a job array (one cell per task) and a merge job.",
        discussion: """
            Writes DIR/plan.json, manifest.json, cells.sbatch and merge.sbatch (default DIR: <store>.slurm/), then \
            runs sbatch --parsable cells.sbatch and sbatch --dependency=afterany:<array> merge.sbatch. Each task runs \
            glidepath study run-cell into node-local disk and copies its shard to DIR/shards/ when the cell ends; the \
            merge job merges the shards into STORE. Resubmitting the same plan submits only the cells still unfinished \
            in STORE (cell ids are content hashes). --dry-run writes the files and prints the commands only.
            """)

    @Argument(help: ArgumentHelp("The plan file, - or a built-in plan name.", valueName: "plan"))
    var plan: String

    @Flag(help: "Submit to Slurm (the only launcher so far; required).")
    var slurm = false

    @OptionGroup var storeOptions: StoreOptions

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory every task reads (default: $GLIDEPATH_DATA_DIR, else ~/.glidepath/data).",
            valueName: "dir"))
    var dataDirectory: String?

    @Option(
        help: ArgumentHelp(
            "The directory of the manifest, scripts, shards and logs (default: <store>.slurm).",
            valueName: "dir"))
    var directory: String?

    @Option(help: "The Slurm partition (default: the cluster's default).")
    var partition: String?

    @Option(name: .customLong("max-parallel"), help: "At most this many array tasks at once (--array=0-(N-1)%K).")
    var maxParallel: Int = 16

    @Option(help: "Time limit of each array task (Slurm's [D-]HH:MM:SS).")
    var time: String = "04:00:00"

    @Option(name: .customLong("cpus-per-task"), help: "CPUs of each array task.")
    var cpusPerTask: Int = 1

    @Option(help: "Compute threads of every cell (part of each cell's identity).")
    var threads: Int = 1

    @Option(
        name: .customLong("work-dir"),
        help: ArgumentHelp(
            "Where tasks train before copying their shard (a shell expression, expanded on the node).",
            valueName: "dir"))
    var workDirectory: String = "${SLURM_TMPDIR:-${TMPDIR:-/tmp}}"

    @Option(help: ArgumentHelp("The glidepath binary the jobs call (default: this one).", valueName: "path"))
    var binary: String?

    @Flag(
        name: .customLong("dry-run"), help: "Write the manifest and scripts, print the sbatch commands, submit nothing."
    )
    var dryRun = false

    @Option(name: .customLong("step-delay-ms"), help: .hidden)
    var stepDelayMilliseconds: Double = 0

    func validate() throws {
        guard slurm else { throw ValidationError("--slurm is required (Slurm is the only launcher)") }
        guard maxParallel >= 1 else { throw ValidationError("--max-parallel must be ≥ 1") }
        guard cpusPerTask >= 1 else { throw ValidationError("--cpus-per-task must be ≥ 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        let studyPlan = try StudyPlan.load(plan)
        let store = absolute(storeOptions.store)
        let executable = binary.map(absolute) ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var environment: [(name: String, value: String)] = []
        if let weights = ProcessInfo.processInfo.environment["GLIDEPATH_WEIGHTS_DIR"], !weights.isEmpty {
            environment.append(("GLIDEPATH_WEIGHTS_DIR", absolute(weights)))
        }
        let settings = SlurmSettings(
            binary: executable, partition: partition, maxParallel: maxParallel, time: time,
            cpusPerTask: cpusPerTask, workDirectory: workDirectory, environment: environment,
            stepDelayMilliseconds: stepDelayMilliseconds)
        let submission = try SlurmSubmission(
            plan: studyPlan, directory: absolute(directory ?? store + ".slurm"), store: store,
            dataDirectory: absolute(DataDirectoryOptions.resolve(dataDirectory)), threads: threads, settings: settings)
        let count = submission.manifest.cells.count
        guard count > 0 else {
            printError("study \(studyPlan.name): every known cell is finished in \(store); nothing to submit")
            return
        }
        try submission.write(plan: studyPlan)
        printError(
            "study \(studyPlan.name): \(count) unfinished cells; wrote \(submission.manifestPath), "
                + "\(submission.arrayScriptPath), \(submission.mergeScriptPath)")
        if dryRun {
            for command in submission.commands() { print(command.joined(separator: " ")) }
            return
        }
        let jobs = try submission.submit()
        print("array job \(jobs.array) (\(count) tasks), merge job \(jobs.merge) (after the array)")
    }
}

/// `glidepath study run-cell MANIFEST --index I --store SHARD`: one array task.
struct StudyRunCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-cell",
        abstract: "Run one cell of a study manifest into its own shard store (what each Slurm array task runs).",
        discussion: """
            The cell trains in WORK-DIR/glidepath-<study>-<cell>/ (node-local disk) and its store is copied to SHARD \
            atomically when it ends. SIGTERM checkpoints and exits 143; rerunning (a requeued task) resumes the cell \
            bit-identically. A cell already finished in SHARD exits 0 at once.
            """)

    @Argument(help: ArgumentHelp("The manifest (glidepath study submit writes it).", valueName: "manifest"))
    var manifest: String

    @Option(help: "The cell's index in the manifest (the array task id).")
    var index: Int

    @Option(help: ArgumentHelp("The id the cell at --index must have (a check the scripts pass).", valueName: "id"))
    var cell: String?

    @Option(help: ArgumentHelp("The shard store to place the finished cell in.", valueName: "file"))
    var store: String

    @Option(
        name: .customLong("work-dir"),
        help: ArgumentHelp("Where to train (default: $SLURM_TMPDIR, else $TMPDIR, else /tmp).", valueName: "dir"))
    var workDirectory: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("The data directory (default: the manifest's).", valueName: "dir"))
    var dataDirectory: String?

    @Option(help: "Compute threads (must equal the manifest's; checked).")
    var threads: Int?

    @Option(name: .customLong("step-delay-ms"), help: .hidden)
    var stepDelayMilliseconds: Double = 0

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let root =
            workDirectory ?? [environment["SLURM_TMPDIR"], environment["TMPDIR"]].compactMap { $0 }
            .first(where: { !$0.isEmpty }) ?? "/tmp"
        let task = try CellTask(
            manifestPath: manifest, index: index, expectedCell: cell, shardPath: absolute(store),
            workRoot: absolute(root), dataDirectory: dataDirectory.map(absolute), threads: threads,
            stepDelay: stepDelayMilliseconds / 1000,
            prepareScheduler: { TrainCommand.withDefaultMLRSNetWeights($0) })
        let monitor = InterruptMonitor()
        monitor.start()
        defer { monitor.stop() }
        let label = "study \(task.plan.name) cell \(task.index) (\(task.cell.id))"
        switch try task.run(progress: .standardError(), monitor: monitor) {
        case let .done(shard, alreadyDone):
            printError("\(label): " + (alreadyDone ? "already finished in \(shard)" : "finished; shard \(shard)"))
        case .failed(let shard):
            printError("\(label): failed (recorded in \(shard)); resubmit to retry")
            throw ExitCode.failure
        case .interrupted(let signal):
            printError("\(label): stopped by \(signal) after a checkpoint in \(task.workDirectory); rerun to resume")
            throw ExitCode(signal.exitStatus)
        case .busy:
            printError("\(label): another process is training this cell (\(task.workDirectory)); nothing done")
            throw ExitCode.failure
        }
    }
}

/// `glidepath study merge SHARD… --into STORE`.
struct StudyMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge shard stores (one per finished cell) into a study's store; idempotent.",
        discussion: """
            Imports each shard's finished cells with their steps, epochs and probes, one transaction per shard; cells \
            the store already has finished are skipped, so merging twice adds nothing. Refuses shards of another plan, \
            or runs of another code version unless --allow-code-mismatch; nothing is written then.
            """)

    @Argument(help: ArgumentHelp("The shard stores.", valueName: "shard"))
    var shards: [String] = []

    @Option(help: ArgumentHelp("The study's store (created when missing).", valueName: "file"))
    var into: String

    @Option(help: ArgumentHelp("The plan every shard must hold (default: the first shard's).", valueName: "plan"))
    var plan: String?

    @Flag(name: .customLong("allow-code-mismatch"), help: "Merge runs produced by different code versions.")
    var allowCodeMismatch = false

    func run() throws {
        let studyPlan = try plan.map { path throws(StudyError) in try StudyPlan.load(path) }
        let summary = try ShardMerge(shards: shards, into: into, plan: studyPlan, allowCodeMismatch: allowCodeMismatch)
            .run()
        printError(
            "merged \(summary.shards) shards into \(into): \(summary.imported) runs imported, "
                + "\(summary.alreadyPresent) already there, \(summary.unfinished) unfinished cells not imported"
                + (summary.failed > 0 ? " (\(summary.failed) failed: reasons recorded)" : ""))
    }
}
