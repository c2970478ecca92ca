import Foundation
import Glidepath
import GlidepathLab

/// A task's validation-loss target as used, and where it came from.
public struct ResolvedTarget: Sendable, Equatable, Codable {
    public var validationLoss: Double
    /// `plan` (a number in the plan) or `auto` (set from the cells, see ``source``).
    public var kind: String
    /// How it was set, in words ("median over 10 seeds of cosine's best validation loss, fixed protocol").
    public var source: String
}

/// A task's targets.
public struct TaskTargets: Sendable, Equatable, Codable {
    public var task: String
    public var hard: ResolvedTarget?
    public var easy: ResolvedTarget?
}

/// A cell that has no metrics: failed, or not run (yet).
public struct UnfinishedCell: Sendable, Equatable, Codable {
    public var cellId: String?
    public var task: String
    public var arm: String
    public var seed: UInt64
    public var protocolName: String
    public var state: String
    public var reason: String?
}

/// What a study spent, over every finished cell (tuning trials included).
public struct StudyBudget: Sendable, Equatable, Codable {
    public var cellsPlanned: Int
    public var cellsFinished: Int
    public var cellsFailed: Int
    public var trainSeconds: Double
    public var passes: Double
}

/// The machine-readable results of a study (`results.json`): every finished cell's metrics, the targets,
/// the unfinished cells and the budget. Statistics across cells are the report's (`GlidepathReport`).
public struct StudyResults: Sendable, Equatable, Codable {
    public var plan: StudyPlan
    public var targets: [TaskTargets]
    /// Every finished cell, tuning trials included (their ``CellMetrics/role`` says which is which); a cell
    /// shared by two protocols appears once per protocol.
    public var cells: [CellMetrics]
    public var unfinished: [UnfinishedCell]
    public var budget: StudyBudget
    /// The machine and code version of the first finished cell's run (every cell records its own).
    public var machine: MachineDescription?
    public var codeVersion: CodeVersion?

    /// Collects the results of `plan` from the store at `storePath` (read-only).
    public init(plan: StudyPlan, storePath: String, threads: Int) throws(StudyError) {
        self.plan = plan
        let studyStore = try StudyStore(path: storePath, plan: plan, register: false)
        let chosen = try studyStore.chosenRates(threads: threads)
        let records = try studyStore.records()
        let all = try plan.cells(threads: threads, chosenRates: chosen, grids: try studyStore.lrFindGrids())
        var metrics: [CellMetrics] = []
        var unfinished: [UnfinishedCell] = []
        var cache: [String: CellMetrics] = [:]
        var firstRun: RunIdentifier?
        for cell in all {
            let state = try studyStore.state(of: cell.id, record: records[cell.id])
            if case let .done(run, _) = state {
                var cellMetrics: CellMetrics
                if let cached = cache[cell.id] {
                    cellMetrics = cached
                } else {
                    cellMetrics = try CellMetrics.read(cell: cell, run: run, store: studyStore.store)
                }
                cache[cell.id] = cellMetrics
                cellMetrics.protocolName = cell.protocolName
                cellMetrics.role = cell.role
                metrics.append(cellMetrics)
                if firstRun == nil { firstRun = run }
            } else {
                var reason: String?
                if case let .failed(_, text) = state { reason = text }
                unfinished.append(
                    UnfinishedCell(
                        cellId: cell.id, task: cell.task.rawValue, arm: cell.arm, seed: cell.seed,
                        protocolName: cell.protocolName, state: state.label, reason: reason))
            }
        }
        for pair in plan.tunedPairs where chosen[pair] == nil {
            for seed in plan.seeds {
                unfinished.append(
                    UnfinishedCell(
                        cellId: nil, task: pair.task.rawValue, arm: pair.arm, seed: seed,
                        protocolName: "tunedParity", state: "pending",
                        reason: "waits for its tuning grid"))
            }
        }
        let resolved = plan.tasks.map { Self.targets(for: $0, plan: plan, cells: metrics) }
        targets = resolved
        self.cells = metrics.map { cell in
            let target = resolved.first { $0.task == cell.task }
            return cell.withTargets(hard: target?.hard?.validationLoss, easy: target?.easy?.validationLoss)
        }
        self.unfinished = unfinished
        budget = StudyBudget(
            cellsPlanned: Set(all.map(\.id)).count + unfinished.filter { $0.cellId == nil }.count,
            cellsFinished: cache.count,
            cellsFailed: Set(unfinished.filter { $0.state == "failed" }.compactMap(\.cellId)).count,
            trainSeconds: cache.values.reduce(0) { $0 + $1.trainSeconds },
            passes: cache.values.reduce(0) { $0 + $1.passes })
        if let firstRun {
            let record: RunRecord
            do { record = try studyStore.store.run(firstRun) } catch { throw .store(error) }
            machine = record.machine
            codeVersion = record.codeVersion
        }
    }

    /// The cells a protocol reports: the fixed protocol's cells, or tuning parity's confirmation cells.
    public func reported(protocol name: String) -> [CellMetrics] {
        cells.filter { $0.protocolName == name && $0.role != .tuningTrial }
    }

    /// The task's targets: the plan's numbers, or `auto` the AlgoPerf way — hard: the median over seeds of
    /// the reference arm's best validation loss; easy: the median over seeds of the fixed-rate arm's final
    /// validation loss (each from the fixed protocol's cells when the plan has it, else from tuning
    /// parity's confirmation cells). nil when an auto target has no finished cell to come from.
    static func targets(for task: StudyTask, plan: StudyPlan, cells: [CellMetrics]) -> TaskTargets {
        let protocolName = plan.tuning.contains(.fixed) ? "fixed" : "tunedParity"
        func auto(arm: String?, value: (CellMetrics) -> Double?, what: String) -> ResolvedTarget? {
            guard let arm else { return nil }
            let values = cells.filter {
                $0.task == task.task.rawValue && $0.arm == arm && $0.protocolName == protocolName
                    && $0.role != .tuningTrial
            }.compactMap(value)
            guard let median = Self.median(values) else { return nil }
            return ResolvedTarget(
                validationLoss: median, kind: "auto",
                source: "median over \(values.count) seeds of \(arm)'s \(what), \(protocolName) protocol")
        }
        func resolve(_ value: TargetValue, auto automatic: () -> ResolvedTarget?) -> ResolvedTarget? {
            switch value {
            case .value(let loss):
                return ResolvedTarget(validationLoss: loss, kind: "plan", source: "given in the plan")
            case .auto: return automatic()
            }
        }
        var hard = resolve(task.targets.hard) {
            auto(arm: plan.referenceArm, value: \.bestValidationLoss, what: "best validation loss")
        }
        var easy = resolve(task.targets.easy) {
            auto(arm: plan.fixedRateArm, value: \.finalValidationLoss, what: "final validation loss")
        }
        // At small budgets the two auto rules can come out inverted (the fixed-rate arm's final loss below
        // the reference arm's best): the easy target is then the looser of the two, and both say so.
        if let h = hard, let e = easy, h.kind == "auto", e.kind == "auto", e.validationLoss < h.validationLoss {
            let note = "; the two auto rules came out inverted at this budget, so they are swapped"
            hard = ResolvedTarget(validationLoss: e.validationLoss, kind: "auto", source: e.source + note)
            easy = ResolvedTarget(validationLoss: h.validationLoss, kind: "auto", source: h.source + note)
        }
        return TaskTargets(task: task.task.rawValue, hard: hard, easy: easy)
    }

    /// The median (mean of the middle two for an even count); nil for no values.
    static func median(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The results as pretty JSON with sorted keys.
    public func json() throws(StudyError) -> Data {
        let encoder = StateCoding.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch {
            throw .writeFailed(path: "results.json", reason: "cannot encode: \(error)")
        }
    }
}
