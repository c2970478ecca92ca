extension ReportInput {
    /// Checks that every name a cell or baseline uses is declared, that names and cells are unique, and
    /// that every endpoint value is finite (a to-target endpoint may be `nil`, a miss). Series may hold
    /// non-finite values (a diverged run's loss): figures leave them out.
    ///
    /// - Throws: ``ReportError`` naming the first offending field (`cells[3].arm`, `baselines[0]`, …).
    public func validate() throws(ReportError) {
        var taskNames = Set<String>(), armNames = Set<String>()
        for (index, task) in tasks.enumerated() where !taskNames.insert(task.name).inserted {
            throw .duplicateName(field: "tasks[\(index)].name", name: task.name)
        }
        for (index, arm) in arms.enumerated() where !armNames.insert(arm.name).inserted {
            throw .duplicateName(field: "arms[\(index)].name", name: arm.name)
        }
        for (index, baseline) in baselines.enumerated() where !armNames.contains(baseline) {
            throw .unknownArm(field: "baselines[\(index)]", name: baseline)
        }
        for (index, task) in tasks.enumerated() {
            for (label, target) in [("hardTarget", task.hardTarget), ("easyTarget", task.easyTarget)] {
                if let target, !target.validationLoss.isFinite {
                    throw .invalidValue(
                        field: "tasks[\(index)].\(label).validationLoss",
                        value: "\(target.validationLoss)", reason: "must be finite")
                }
            }
        }
        var seen = Set<String>()
        for (index, cell) in cells.enumerated() {
            guard taskNames.contains(cell.task) else {
                throw .unknownTask(field: "cells[\(index)].task", name: cell.task)
            }
            guard armNames.contains(cell.arm) else { throw .unknownArm(field: "cells[\(index)].arm", name: cell.arm) }
            guard seen.insert("\(cell.task)\u{0}\(cell.arm)\u{0}\(cell.seed)").inserted else {
                throw .duplicateCell(task: cell.task, arm: cell.arm, seed: cell.seed)
            }
            for endpoint in cell.endpoints.keys.sorted() {
                if let entry = cell.endpoints[endpoint], let value = entry, !value.isFinite {
                    throw .invalidValue(
                        field: "cells[\(index)].endpoints.\(endpoint.rawValue)", value: "\(value)",
                        reason: endpoint.isTimeToTarget
                            ? "must be finite (a missed target is null)" : "must be finite")
                }
            }
        }
    }
}
