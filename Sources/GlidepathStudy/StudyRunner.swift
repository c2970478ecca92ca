import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

/// How `glidepath study run` runs a plan's cells.
public struct StudyRunOptions: Sendable {
    public var storePath: String
    public var dataDirectory: String
    /// Compute threads of every cell (part of each cell's identity).
    public var threads: Int
    /// Applied to a cell's scheduler just before its run starts, never to its identity: the CLI fills
    /// MLR-SNet's published weights from `$GLIDEPATH_WEIGHTS_DIR` here, as `glidepath train` does.
    public var prepareScheduler: @Sendable (SchedulerConfiguration) -> SchedulerConfiguration
    /// Seconds to sleep after each update (a testing aid to kill a study mid-cell; timings only).
    public var stepDelay: Double

    public init(
        storePath: String, dataDirectory: String, threads: Int = 1, stepDelay: Double = 0,
        prepareScheduler: @escaping @Sendable (SchedulerConfiguration) -> SchedulerConfiguration = { $0 }
    ) {
        self.stepDelay = stepDelay
        self.storePath = storePath
        self.dataDirectory = dataDirectory
        self.threads = threads
        self.prepareScheduler = prepareScheduler
    }
}

/// How a `study run` ended.
public struct StudyRunSummary: Sendable, Equatable {
    /// Cells of the plan as known at the end (confirmation cells appear once their rate is chosen).
    public var cells: Int
    public var done: Int
    public var failed: Int
    /// Cells another live process was training (skipped here).
    public var busy: Int
    /// Confirmation cells waiting for a grid that could not finish (a failed or busy trial).
    public var blocked: Int
    /// Set when SIGINT/SIGTERM stopped the study (the current cell checkpointed).
    public var interrupted: InterruptSignal?
}

/// Runs every cell of a plan as an ordinary lab run (``TrainingSession``, the entry point `glidepath train`
/// uses), resumably:
///
/// 1. The store records the plan under its name (a different plan under that name is refused, nothing
///    written) and, per cell, its run and the reason of its last failure.
/// 2. Each cell is taken under its own lease (an `flock`, released by the kernel when the process dies), so
///    two `study run`s — or `--jobs` workers — never train a cell at once; a busy cell is skipped.
/// 3. A finished cell (completed or diverged) is skipped; a cell whose run stopped (kill -9, SIGINT, a
///    failure) resumes from its last checkpoint through ``TrainingSession/resume(_:storePath:dataDirectory:clock:)``,
///    bit-identical to an uninterrupted run; a failure is recorded with its reason and the next cell runs.
/// 4. Tuning parity: once every grid trial of a (task, arm) has finished, the chosen rate's confirmation
///    cells run (``StudyStore/chosenRates(threads:)``).
public final class StudyRunner {
    public let plan: StudyPlan
    public let options: StudyRunOptions
    let clock: any LabClock

    public init(plan: StudyPlan, options: StudyRunOptions, clock: any LabClock = SystemClock()) {
        self.plan = plan
        self.options = options
        self.clock = clock
    }

    /// Runs the plan until every cell it can run is done, or a signal arrives.
    public func run(progress: StudyProgress, monitor: InterruptMonitor? = nil) throws(StudyError) -> StudyRunSummary {
        let studyStore = try StudyStore(path: options.storePath, plan: plan, register: true)
        var attempted: Set<String> = []
        var summary = StudyRunSummary(cells: 0, done: 0, failed: 0, busy: 0, blocked: 0, interrupted: nil)
        try runRangeTests(studyStore, progress: progress)
        // Two passes at most: the grid and fixed cells, then the confirmation cells the grid unlocked.
        for _ in 0..<2 {
            let chosen = try studyStore.chosenRates(threads: options.threads)
            let cells = try plan.cells(
                threads: options.threads, chosenRates: chosen, grids: try studyStore.lrFindGrids())
            var seen: Set<String> = []
            let unique = cells.filter { seen.insert($0.id).inserted }
            let pending = unique.filter { !attempted.contains($0.id) }
            if pending.isEmpty { break }
            var counts = try tally(studyStore, into: summary)
            for cell in pending {
                attempted.insert(cell.id)
                let records = try studyStore.records()
                let outcome = try runCell(
                    cell, in: studyStore, record: records[cell.id], progress: progress,
                    monitor: monitor, position: (unique.firstIndex(of: cell) ?? 0) + 1,
                    total: unique.count, done: counts.done, failed: counts.failed)
                switch outcome {
                case .interrupted(let signal):
                    summary.interrupted = signal
                    return try tally(studyStore, into: summary)
                case .done: counts.done += 1
                case .failed: counts.failed += 1
                case .skipped: break
                }
            }
        }
        return try tally(studyStore, into: summary)
    }

    /// Counts the cells' states at the end.
    private func tally(_ studyStore: StudyStore, into summary: StudyRunSummary) throws(StudyError) -> StudyRunSummary {
        var result = summary
        let chosen = try studyStore.chosenRates(threads: options.threads)
        var seen: Set<String> = []
        let cells = try plan.cells(threads: options.threads, chosenRates: chosen, grids: try studyStore.lrFindGrids())
            .filter { seen.insert($0.id).inserted }
        let records = try studyStore.records()
        result.cells = cells.count
        result.done = 0
        result.failed = 0
        result.busy = 0
        for cell in cells {
            switch try studyStore.state(of: cell.id, record: records[cell.id]) {
            case .done: result.done += 1
            case .failed: result.failed += 1
            case .running: result.busy += 1
            case .pending: break
            }
        }
        result.blocked = plan.tunedPairs.filter { chosen[$0] == nil }.count * plan.seeds.count
        return result
    }

    /// Runs every range test an `lrFind` grid needs and has not recorded (each under its own lease), at the
    /// tuning seed with the task's training limit and subset sampling (``RangeTestSession``, what `glidepath lr-find` runs). A
    /// failed test is reported; its pairs' trials then wait.
    private func runRangeTests(_ studyStore: StudyStore, progress: StudyProgress) throws(StudyError) {
        guard case let (.lrFind(test), seed)? = plan.tuningGrid.map({ ($0.grid, $0.seed) }) else { return }
        let known = try studyStore.lrFindGrids()
        for entry in plan.lrFindTests where known[entry.key] == nil {
            guard let lease = try studyStore.lease("lrfind-\(entry.key)") else { continue }
            defer { withExtendedLifetime(lease) {} }
            let planTask = plan.tasks.first { $0.task == entry.task }
            var request = RangeTestRequest(
                task: entry.task, optimizer: entry.optimizer, test: test, seed: seed,
                dataDirectory: options.dataDirectory, threads: options.threads,
                trainingLimit: planTask?.trainingLimit)
            request.subsetSampling = planTask?.cellSubsetSampling ?? .first
            do {
                let report = try RangeTestSession.run(request)
                let grid = StudyPlan.grid(from: report.suggestions)
                guard !grid.isEmpty else {
                    progress.message(
                        "study: the range test of \(entry.task.rawValue) gave no suggestion (\(report.ending)); "
                            + "its tuning trials wait")
                    continue
                }
                try studyStore.recordLRFind(entry.key, report: report, grid: grid)
                progress.message(
                    "study: range test of \(entry.task.rawValue) (\(entry.optimizer.name)): grid "
                        + grid.map { ProgressFormat.rate($0) }.joined(separator: ", "))
            } catch let error as StudyError {
                throw error
            } catch {
                progress.message(
                    "study: the range test of \(entry.task.rawValue) failed: \(error); its tuning trials wait")
            }
        }
    }

    enum CellOutcome {
        case done, failed, skipped
        case interrupted(InterruptSignal)
    }

    /// Runs one cell.
    func runCell(
        _ cell: StudyCell, in studyStore: StudyStore, record: StudyCellRecord?, progress: StudyProgress,
        monitor: InterruptMonitor?, position: Int, total: Int, done: Int, failed: Int
    )
        throws(StudyError) -> CellOutcome
    {
        guard let lease = try studyStore.lease(cell.id) else {
            progress.message("study: cell \(cell.id) is being trained by another process; skipped")
            return .skipped
        }
        defer { withExtendedLifetime(lease) {} }
        // Re-read under the lease: another process may have finished the cell meanwhile.
        let current = try studyStore.records()[cell.id] ?? record
        if case .done = try stateUnderLease(cell.id, record: current, studyStore) { return .skipped }
        progress.cellStarted(
            cell, position: position, total: total, done: done, failed: failed,
            now: clock.monotonicSeconds())
        let store = studyStore.store
        var run = current?.runId
        do {
            let session: TrainingSession
            if let existing = run {
                let (resumed, skipped) = try TrainingSession.resume(
                    existing.rawValue, storePath: options.storePath,
                    dataDirectory: options.dataDirectory, clock: clock)
                for reason in skipped { progress.message("warning: skipped a damaged checkpoint: \(reason)") }
                session = resumed
            } else {
                session = try TrainingSession.start(request(for: cell), storePath: options.storePath, clock: clock)
                run = session.run
                try recordCell(store, cell, run: session.run, failure: current?.failure)
            }
            let reporter = progress.runReporter(clock: clock)
            switch try session.train(progress: reporter, monitor: monitor, stepDelay: options.stepDelay) {
            case .interrupted(let signal):
                progress.cellFinished(cell, outcome: "stopped by \(signal) (resumable)", now: clock.monotonicSeconds())
                return .interrupted(signal)
            case .finished(let result):
                try recordCell(store, cell, run: session.run, failure: nil)
                progress.cellFinished(
                    cell, outcome: "\(result.status.rawValue) (run \(result.runId))",
                    now: clock.monotonicSeconds())
                return .done
            }
        } catch let error as StudyError {
            throw error
        } catch {
            // A failed cell never stops the others: record why, and go on.
            let reason = "\(error)"
            try recordCell(store, cell, run: run, failure: reason)
            progress.cellFinished(cell, outcome: "failed: \(reason)", now: clock.monotonicSeconds())
            return .failed
        }
    }

    private func stateUnderLease(_ cellId: String, record: StudyCellRecord?, _ studyStore: StudyStore)
        throws(StudyError) -> CellState
    {
        guard let run = record?.runId else { return .pending(run: nil) }
        let status: RunStatus
        do { status = try studyStore.store.run(run).status } catch { throw .store(error) }
        return status == .completed || status == .diverged ? .done(run: run, status: status) : .pending(run: run)
    }

    private func recordCell(_ store: RunStore, _ cell: StudyCell, run: RunIdentifier?, failure: String?)
        throws(StudyError)
    {
        do { try store.recordStudyCell(study: plan.name, cellId: cell.id, run: run, failure: failure) } catch {
            throw .store(error)
        }
    }

    /// The lab request of a cell: its configuration, the data directory and the prepared scheduler.
    func request(for cell: StudyCell) -> TrainingRequest {
        let configuration = cell.configuration
        var request = TrainingRequest(
            task: configuration.task, scheduler: options.prepareScheduler(configuration.scheduler),
            optimizer: configuration.optimizer, epochs: configuration.epochs, seed: configuration.seed,
            dataDirectory: options.dataDirectory, threads: configuration.threads,
            trainingLimit: configuration.trainingLimit, evaluationLimit: configuration.evaluationLimit,
            probing: configuration.probing)
        request.subsetSampling = configuration.subsetSampling ?? .first
        request.batchSize = configuration.batchSize
        return request
    }
}
