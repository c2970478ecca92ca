import Foundation
import GlidepathLab

/// `glidepath study status`: every cell of a study with its state, from the store (opened read-only).
public struct StudyStatus {
    public struct Line: Sendable, Equatable {
        public var cell: StudyCell?
        public var task: String
        public var arm: String
        public var seed: UInt64
        public var protocolName: String
        public var learningRate: Double?
        public var state: CellState?
        /// For a confirmation cell whose rate is not chosen yet: why.
        public var waiting: String?
    }

    public let plan: StudyPlan
    public let lines: [Line]

    public init(plan: StudyPlan, storePath: String, threads: Int) throws(StudyError) {
        self.plan = plan
        let studyStore = try StudyStore(path: storePath, plan: plan, register: false)
        let chosen = try studyStore.chosenRates(threads: threads)
        let records = try studyStore.records()
        var lines: [Line] = []
        for cell in try plan.cells(threads: threads, chosenRates: chosen, grids: try studyStore.lrFindGrids()) {
            lines.append(
                Line(
                    cell: cell, task: cell.task.rawValue, arm: cell.arm, seed: cell.seed,
                    protocolName: cell.protocolName, learningRate: cell.learningRate,
                    state: try studyStore.state(of: cell.id, record: records[cell.id]), waiting: nil))
        }
        // Confirmation cells not known yet: listed as pending, waiting for their grid.
        for pair in plan.tunedPairs where chosen[pair] == nil {
            for seed in plan.seeds {
                lines.append(
                    Line(
                        cell: nil, task: pair.task.rawValue, arm: pair.arm, seed: seed,
                        protocolName: "tunedParity", learningRate: nil, state: nil,
                        waiting: "waits for its tuning grid"))
            }
        }
        self.lines = lines
    }

    /// Distinct cells per state label (a cell two protocols share is listed twice, counted once; `pending`
    /// includes cells waiting for their grid).
    public var counts: [String: Int] {
        var counts: [String: Int] = [:]
        var seen: Set<String> = []
        for line in lines {
            if let id = line.cell?.id, !seen.insert(id).inserted { continue }
            counts[line.state?.label ?? "pending", default: 0] += 1
        }
        return counts
    }

    /// Distinct cells (known ones and those waiting for their grid).
    public var cellCount: Int { counts.values.reduce(0, +) }

    /// One line per cell, then the counts.
    public func text() -> String {
        var text = "study \(plan.name) (\(plan.scale.name.rawValue) scale)\n"
        text +=
            "state    task              arm                   seed  protocol     lr          cell              run / reason\n"
        for line in lines {
            let state = line.state?.label ?? "pending"
            let rate = line.learningRate.map { ProgressFormat.rate($0) } ?? "—"
            var detail = line.state?.run?.rawValue ?? ""
            if case let .failed(_, reason)? = line.state { detail += (detail.isEmpty ? "" : ": ") + reason }
            if case let .done(_, status)? = line.state, status == .diverged { detail += " (diverged)" }
            if let waiting = line.waiting { detail = waiting }
            text +=
                [
                    pad(state, 8), pad(line.task, 17), pad(line.arm, 21), pad("\(line.seed)", 5),
                    pad(
                        line.cell.map {
                            $0.role == .fixed ? "fixed" : $0.role == .tuningTrial ? "tuned:trial" : "tuned:final"
                        } ?? "tuned:final", 12), pad(rate, 11), pad(line.cell?.id ?? "—", 17), detail,
                ]
                .joined(separator: " ") + "\n"
        }
        let counts = self.counts
        text +=
            "\(cellCount) cells: "
            + ["done", "running", "pending", "failed"]
            .map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + "\n"
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
