import Foundation
import Glidepath
import GlidepathLab
import GlidepathReport

extension StudyResults {
    /// The report's input for one tuning protocol (``TuningProtocol/name``): the protocol's reported cells
    /// (the fixed cells, or tuning parity's confirmations — trials are counted in the budget only), the
    /// tasks with their targets, every arm, and the plan's baselines (``StudyPlan/baselineArms``).
    public func reportInput(protocol protocolName: String, wallSeconds: Double? = nil) -> ReportInput {
        let cells = reported(protocol: protocolName).map(Self.reportCell)
        let tasks = plan.tasks.map { task -> ReportTask in
            let resolved = targets.first { $0.task == task.task.rawValue }
            func target(_ value: ResolvedTarget?) -> ReportTarget? {
                value.map { ReportTarget(validationLoss: $0.validationLoss, source: "\($0.kind): \($0.source)") }
            }
            var summary = "\(Self.modelName(task.task)), batch \(task.batchSize), \(task.epochs) epochs"
            let sampled = task.cellSubsetSampling == .stratified
            if let limit = task.trainingLimit { summary += ", \(sampled ? "" : "first ")\(limit) training examples" }
            if let limit = task.evaluationLimit {
                summary += ", \(sampled ? "" : "first ")\(limit) validation/test examples"
            }
            if sampled { summary += " (stratified samples by label, split seed)" }
            return ReportTask(
                name: task.task.rawValue, summary: summary, hardTarget: target(resolved?.hard),
                easyTarget: target(resolved?.easy))
        }
        let arms = plan.arms.map { arm -> ReportArm in
            let scheduler = (try? StateValue(encoding: arm.scheduler).jsonText) ?? arm.scheduler.name.rawValue
            var summary = "scheduler \(scheduler)"
            if let optimizer = arm.optimizer {
                summary += "; optimizer " + ((try? StateValue(encoding: optimizer).jsonText) ?? optimizer.name.rawValue)
            }
            if !arm.isTuned {
                summary += "; base rate not tuned: its optimizer's default in every protocol"
            } else if protocolName == "tunedParity" {
                let rates = Set(
                    self.cells.filter { $0.arm == arm.name && $0.role == .confirmation }
                        .map { "\($0.task) \(ProgressFormat.rate($0.learningRate))" }
                ).sorted()
                if !rates.isEmpty { summary += "; tuned base rate: " + rates.joined(separator: ", ") }
            }
            return ReportArm(name: arm.name, summary: summary, selfTuning: !arm.isTuned)
        }
        let failed = unfinished.filter { $0.state == "failed" }
        let budget = ReportBudget(
            cellsPlanned: self.budget.cellsPlanned, cellsFinished: self.budget.cellsFinished,
            cellsFailed: self.budget.cellsFailed, trainingSeconds: self.budget.trainSeconds, wallSeconds: wallSeconds,
            passes: self.budget.passes,
            failures: failed.map { "\($0.task) \($0.arm) seed \($0.seed) (\($0.protocolName)): \($0.reason ?? "")" })
        var notes: [String] = []
        if let optimizer = plan.optimizer {
            notes.append(
                "Optimizer of every arm without its own: "
                    + ((try? StateValue(encoding: optimizer).jsonText) ?? optimizer.name.rawValue)
                    + (optimizer.weightDecayScope == nil ? " (weight-decay scope: each task's own, docs/tasks.md)" : "")
                    + ".")
        }
        if let derivation = plan.derivation { notes.append("Derived from the built-in plan: \(derivation).") }
        notes.append(
            "Protocol: \(protocolName == "fixed" ? "fixed (every arm at its optimizer's rate, the seed's protocol)" : "tuning parity (every arm gets the same base-rate grid at the tuning seed, the rate with the lowest final validation loss is confirmed on every seed)")."
        )
        notes.append(
            "Models: the lab's default task models (docs/tasks.md); the CIFAR-10 CNN is today's model without the seed's dropout or augmentation."
        )
        notes.append(
            "Passes: forward+backward-pass equivalents, one per update plus every probe gradient evaluation; evaluation is not counted."
        )
        let pending = unfinished.filter { $0.state != "failed" }.count
        if pending > 0 { notes.append("\(pending) cells are not finished; they are left out.") }
        for target in targets {
            for (label, value) in [("hard", target.hard), ("easy", target.easy)] where value == nil {
                notes.append("\(target.task): no \(label) target (an auto target needs finished cells of its arm).")
            }
        }
        var machineText = "unknown"
        if let machine {
            machineText =
                "\(machine.cpuModel), \(machine.logicalCores) logical cores, \(machine.threads.computeThreads) compute thread(s), "
                + "\(machine.operatingSystem), kernel \(machine.kernel)"
        }
        var codeText = "unknown"
        if let codeVersion {
            codeText =
                "\(codeVersion.package) \(codeVersion.commit ?? "unknown commit")\(codeVersion.dirty == true ? " (dirty)" : "")"
        }
        let scaleText =
            plan.scale.name == .full
            ? "full"
            : "\(plan.scale.name.rawValue): epochs × \(plan.scale.epochFactor), training examples × \(plan.scale.trainingFraction)"
                + (plan.tasks.contains { $0.cellSubsetSampling == .stratified }
                    ? " (stratified samples by label, split seed)" : "")
        return ReportInput(
            title: "\(plan.name) (\(plan.scale.name.rawValue), \(protocolName))",
            planDescription: plan.summary ?? plan.name,
            scale: scaleText, machine: machineText, codeVersion: codeText, budget: budget, tasks: tasks, arms: arms,
            baselines: plan.baselineArms, cells: cells, notes: notes)
    }

    /// "CNN on cifar10" and the like.
    static func modelName(_ task: TrainingTask) -> String {
        let specification = task.specification
        let family: String
        switch specification.model {
        case .convolutional: family = "CNN"
        case .recurrent: family = "BiLSTM"
        case .perceptron: family = "MLP"
        }
        return "\(family) on \(specification.dataset.rawValue)"
    }

    /// A cell's endpoints and curves as the report reads them: non-finite values are undefined (nil), a
    /// missed target is nil (the report's +∞), an endpoint that does not apply (no target, ROC-AUC of a
    /// ten-class task) is absent.
    static func reportCell(_ cell: CellMetrics) -> ReportCell {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        var endpoints: [Endpoint: Double?] = [
            .testAccuracy: finite(cell.testAccuracy), .testF1: finite(cell.testF1),
            .bestValidationLoss: finite(cell.bestValidationLoss),
            .finalValidationLoss: finite(cell.finalValidationLoss),
            .trainLossVariance: finite(cell.trainLossVariance),
            .validationLossVariance: finite(cell.validationLossVariance),
            .rateAdjustments: cell.rateAdjustments.map { Double($0) },
            .rateAdjustmentMagnitude: finite(cell.rateAdjustmentMagnitude),
        ]
        if let task = TrainingTask(rawValue: cell.task), task.specification.isBinary {
            endpoints[.testAUC] = finite(cell.testAUC)
        }
        if let hard = cell.hardTarget {
            // `.some`: a miss stays in the dictionary as nil (the report's +∞) instead of removing the key.
            endpoints[.epochsToHardTarget] = .some(hard.epochs.map { Double($0) })
            endpoints[.secondsToHardTarget] = .some(finite(hard.seconds))
            endpoints[.passesToHardTarget] = .some(finite(hard.passes))
        }
        if let easy = cell.easyTarget {
            // `.some`: a miss stays in the dictionary as nil (the report's +∞) instead of removing the key.
            endpoints[.epochsToEasyTarget] = .some(easy.epochs.map { Double($0) })
            endpoints[.secondsToEasyTarget] = .some(finite(easy.seconds))
            endpoints[.passesToEasyTarget] = .some(finite(easy.passes))
        }
        let curves = cell.curves
        let series = CellSeries(
            learningRates: curves.learningRates, trainLoss: curves.trainLoss, validationLoss: curves.validationLoss,
            elapsedSeconds: curves.elapsedSeconds, lambdaMax: curves.lambdaMax,
            stabilityThreshold: curves.stabilityThreshold, gradientNorm: curves.gradientNorm,
            hessianTrace: curves.hessianTrace)
        return ReportCell(
            task: cell.task, arm: cell.arm, seed: Int(clamping: cell.seed), endpoints: endpoints, series: series)
    }
}

/// `glidepath study report`: the report of each protocol, plus every cell's full metrics.
public enum StudyReport {
    /// Writes `study-cells.json` (``StudyResults``: every cell's metrics and curves, the targets, the
    /// unfinished cells) into `directory`, and the report (`index.html`, `report.md`, `figures/`,
    /// `results.json`, by `GlidepathReport`) of the plan's first protocol there too; a second protocol's
    /// report goes to `directory/<protocol>/`.
    /// - Returns: the directories written.
    @discardableResult
    public static func write(_ results: StudyResults, to directory: URL) throws(StudyError) -> [URL] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try results.json().write(to: directory.appendingPathComponent("study-cells.json"), options: .atomic)
        } catch let error as StudyError {
            throw error
        } catch {
            throw .writeFailed(path: directory.path, reason: error.localizedDescription)
        }
        var written: [URL] = []
        for (index, protocolEntry) in results.plan.tuning.enumerated() {
            let target =
                index == 0 ? directory : directory.appendingPathComponent(protocolEntry.name, isDirectory: true)
            do {
                try StudyReportWriter.write(results.reportInput(protocol: protocolEntry.name), to: target)
            } catch {
                throw .writeFailed(path: target.path, reason: error.description)
            }
            written.append(target)
        }
        return written
    }
}
