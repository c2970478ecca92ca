import ArgumentParser
import Foundation
import GlidepathLab
import GlidepathStudy

extension StudyScale.Name: ExpressibleByArgument {}

/// `glidepath study`: plans, runs and reports of scheduler comparisons (`docs/study-guide.md`).
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Plan, run and report a scheduler study: every task × arm × seed × trial a recorded run.",
        discussion: "Built-in plans: \(BuiltInPlan.allCases.map(\.rawValue).joined(separator: ", ")). "
            + "glidepath study plan NAME > plan.json; glidepath study run plan.json --store S; "
            + "glidepath study status plan.json --store S.",
        subcommands: [
            StudyPlanCommand.self, StudyRunCommand.self, StudyStatusCommand.self, StudyReportCommand.self,
            StudySubmitCommand.self, StudyRunCellCommand.self, StudyMergeCommand.self,
        ])
}

/// Comma-separated lists for the cut-down options.
private func list(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
}

/// `glidepath study plan NAME`: prints a built-in plan's JSON, optionally scaled and cut down.
struct StudyPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a built-in study plan as JSON (the file glidepath study run takes).")

    @Argument(
        help: ArgumentHelp(
            "The built-in plan: \(BuiltInPlan.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "name"))
    var name: String

    @Option(help: "full, or reduced (epochs × 0.2, training examples × 0.1; the factors are recorded in the plan).")
    var scale: StudyScale.Name = .full

    @Option(
        name: .customLong("name"),
        help: ArgumentHelp(
            "Name the plan (default: the built-in's); a store keys studies by name.",
            valueName: "name"))
    var planName: String?

    @Option(help: ArgumentHelp("Keep only these tasks (comma-separated).", valueName: "tasks"))
    var tasks: String?

    @Option(help: ArgumentHelp("Keep only these arms (comma-separated).", valueName: "arms"))
    var arms: String?

    @Option(help: ArgumentHelp("Use these seeds (comma-separated).", valueName: "seeds"))
    var seeds: String?

    @Option(
        help: ArgumentHelp(
            "Keep only these tuning protocols (fixed, tunedParity; comma-separated).", valueName: "protocols"))
    var tuning: String?

    @Option(help: "Epochs of every task.")
    var epochs: Int?

    @Option(
        name: .customLong("train-limit"), help: "Train every task on only the first N examples of its training part.")
    var trainingLimit: Int?

    @Option(
        name: .customLong("eval-limit"),
        help: "Evaluate every task on only N validation and test examples, a stratified sample per cell seed.")
    var evaluationLimit: Int?

    func run() throws {
        guard let builtIn = BuiltInPlan(rawValue: name) else {
            throw ValidationError(StudyError.unknownBuiltIn(name).description)
        }
        var seedValues: [UInt64]?
        if let texts = list(seeds) {
            seedValues = try texts.map { text in
                guard let seed = UInt64(text) else {
                    throw ValidationError("--seeds: '\(text)' is not a seed (0…2⁶⁴−1)")
                }
                return seed
            }
        }
        let cut = PlanCutDown(
            tasks: list(tasks), arms: list(arms), seeds: seedValues, epochs: epochs,
            trainingLimit: trainingLimit, evaluationLimit: evaluationLimit, protocols: list(tuning))
        var plan = try builtIn.plan(scale: .named(scale)).cutDown(cut, builtIn: builtIn.rawValue)
        if let planName {
            plan.name = planName
            try plan.validate()
        }
        print(try plan.json())
    }
}

/// `glidepath study run PLAN --store S`: runs (or resumes) every cell of a plan.
struct StudyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every cell of a study plan into the run store; rerun to resume after a stop or kill.",
        discussion: """
            PLAN is a plan file (glidepath study plan NAME > plan.json), - for standard input, or a built-in \
            plan's name. Finished cells are skipped, stopped ones resume from their checkpoints, failed ones are \
            retried; a failure is recorded and never stops the other cells. SIGINT/SIGTERM stop after the current \
            cell's checkpoint (exit 130/143). --jobs N runs N worker processes that share the cells.
            """)

    @Argument(help: ArgumentHelp("The plan file, - or a built-in plan name.", valueName: "plan"))
    var plan: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory (default: $GLIDEPATH_DATA_DIR, else ~/.glidepath/data).",
            valueName: "dir"))
    var dataDirectory: String?

    @Option(help: "Compute threads of every cell (part of each cell's identity: results are reproducible per count).")
    var threads: Int = 1

    @Option(help: "Worker processes sharing the cells (each cell is leased, so none runs twice).")
    var jobs: Int = 1

    @Option(name: .customLong("step-delay-ms"), help: .hidden)
    var stepDelayMilliseconds: Double = 0

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1") }
        if jobs > 1 && plan == "-" { throw ValidationError("--jobs > 1 needs a plan file, not standard input") }
    }

    func run() throws {
        let studyPlan = try StudyPlan.load(plan)
        if jobs > 1 { return try runWorkers(studyPlan) }
        let monitor = InterruptMonitor()
        monitor.start()
        defer { monitor.stop() }
        let options = StudyRunOptions(
            storePath: storeOptions.store, dataDirectory: DataDirectoryOptions.resolve(dataDirectory), threads: threads,
            stepDelay: stepDelayMilliseconds / 1000, prepareScheduler: { TrainCommand.withDefaultMLRSNetWeights($0) })
        let summary = try StudyRunner(plan: studyPlan, options: options).run(
            progress: .standardError(), monitor: monitor)
        printError(StudyText.summary(summary, plan: studyPlan))
        if let signal = summary.interrupted { throw ExitCode(signal.exitStatus) }
        if summary.failed > 0 { throw ExitCode.failure }
    }

    /// `--jobs N`: N copies of this command with `--jobs 1`, sharing the cells through their leases.
    private func runWorkers(_ studyPlan: StudyPlan) throws {
        // Register the plan once, here, so a mismatch is reported once and no worker starts.
        _ = try StudyStore(path: storeOptions.store, plan: studyPlan, register: true)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["study", "run", plan, "--store", storeOptions.store, "--threads", "\(threads)", "--jobs", "1"]
        if let dataDirectory { arguments += ["--data-dir", dataDirectory] }
        var workers: [Process] = []
        for _ in 0..<jobs {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            try process.run()
            workers.append(process)
            Thread.sleep(forTimeInterval: 0.5)  // let the first worker take its first cell before the next looks
        }
        var statuses: [Int32] = []
        for worker in workers {
            worker.waitUntilExit()
            statuses.append(worker.terminationStatus)
        }
        if let status = try? StudyStatus(plan: studyPlan, storePath: storeOptions.store, threads: threads) {
            let counts = status.counts
            printError(
                "study \(studyPlan.name) (\(jobs) workers): "
                    + ["done", "running", "pending", "failed"]
                    .map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + " of \(status.cellCount) cells")
        }
        if let interrupted = statuses.first(where: { $0 == 130 || $0 == 143 }) { throw ExitCode(interrupted) }
        if statuses.contains(where: { $0 != 0 }) { throw ExitCode.failure }
    }
}

/// `glidepath study status PLAN --store S`: every cell's state.
struct StudyStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List a study's cells as done, running, pending or failed (with the reason).")

    @Argument(help: ArgumentHelp("The plan file, - or a built-in plan name.", valueName: "plan"))
    var plan: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Compute threads the cells were run with (part of each cell's identity).")
    var threads: Int = 1

    func run() throws {
        let studyPlan = try StudyPlan.load(plan)
        let status = try StudyStatus(plan: studyPlan, storePath: storeOptions.store, threads: threads)
        print(status.text(), terminator: "")
    }
}

/// Text of `study run`'s last line.
enum StudyText {
    static func summary(_ summary: StudyRunSummary, plan: StudyPlan) -> String {
        var text = "study \(plan.name): \(summary.done)/\(summary.cells) cells done, \(summary.failed) failed"
        if summary.busy > 0 { text += ", \(summary.busy) running in another process" }
        if summary.blocked > 0 { text += ", \(summary.blocked) confirmation cells waiting for their tuning grid" }
        if let signal = summary.interrupted { text += "; stopped by \(signal), rerun to resume" }
        return text
    }
}

/// `glidepath study report --store S --plan PLAN --output DIR`: the study's results and report.
struct StudyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a study's report from the run store: DIR/index.html, report.md, figures/, results.json, study-cells.json.",
        discussion: """
            The report of the plan's first tuning protocol goes to DIR, a second protocol's to DIR/<protocol>/. \
            results.json holds every reported cell's endpoints and the statistics; study-cells.json every cell's \
            metrics and curves (tuning trials included), the targets and the unfinished cells.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The plan file, - or a built-in plan name.", valueName: "plan"))
    var plan: String

    @Option(help: ArgumentHelp("The output directory (created).", valueName: "dir"))
    var output: String

    @Option(help: "Compute threads the cells were run with (part of each cell's identity).")
    var threads: Int = 1

    func run() throws {
        let studyPlan = try StudyPlan.load(plan)
        let results = try StudyResults(plan: studyPlan, storePath: storeOptions.store, threads: threads)
        let written = try StudyReport.write(results, to: URL(fileURLWithPath: output, isDirectory: true))
        printError(
            "study \(studyPlan.name): \(results.cells.count) finished cells, \(results.unfinished.count) unfinished; "
                + "wrote " + written.map { $0.appendingPathComponent("index.html").path }.joined(separator: ", ")
                + " and \(URL(fileURLWithPath: output).appendingPathComponent("study-cells.json").path)")
    }
}
