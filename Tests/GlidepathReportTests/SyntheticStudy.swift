import Foundation
import GlidepathReport

/// A small fixed study for the rendering and writer tests: two tasks, three arms (`constant` the
/// baseline), five seeds, four epochs of 10 updates. Every number is a closed formula of (task, arm, seed,
/// epoch) below — the generator is this file — so the golden files move only when the rendering does.
/// `cosine` is faster than `constant` on every seed of `toy-a`; `landscape` misses the hard target on
/// two seeds of `toy-b`; `toy-b` has no ROC-AUC and no landscape probes.
enum SyntheticStudy {
    static let arms = ["constant", "cosine", "landscape"]
    static let epochs = 4, updatesPerEpoch = 10

    static func input(seeds: Range<Int> = 0..<5) -> ReportInput {
        var cells = [ReportCell]()
        for (taskIndex, task) in ["toy-a", "toy-b"].enumerated() {
            for (armIndex, arm) in arms.enumerated() {
                for seed in seeds {
                    cells.append(cell(task: task, taskIndex: taskIndex, arm: arm, armIndex: armIndex, seed: seed))
                }
            }
        }
        return ReportInput(
            title: "synthetic study", planDescription: "synthetic: 2 tasks × 3 arms × \(seeds.count) seeds, 4 epochs",
            scale: "reduced: epochs × 0.1, training examples × 0.2", machine: "test machine (2 cores, 2 threads)",
            codeVersion: "0000000 (test)",
            budget: ReportBudget(
                cellsPlanned: 2 * 3 * seeds.count, cellsFinished: cells.count, trainingSeconds: 123.5,
                wallSeconds: 130, passes: 4800),
            tasks: [
                ReportTask(
                    name: "toy-a", summary: "MLP, batch 8, 4 epochs",
                    hardTarget: ReportTarget(validationLoss: 0.5, source: "fixed in the plan"),
                    easyTarget: ReportTarget(validationLoss: 0.8, source: "fixed in the plan")),
                ReportTask(
                    name: "toy-b", summary: "CNN, batch 8, 4 epochs",
                    hardTarget: ReportTarget(
                        validationLoss: 0.45, source: "auto: median best validation loss of constant")),
            ],
            arms: [
                ReportArm(name: "constant", summary: "constant, lr 1e-3"),
                ReportArm(name: "cosine", summary: "cosine, tMax 40"),
                ReportArm(name: "landscape", summary: "landscape (edge rule)"),
            ],
            baselines: ["constant"], cells: cells, notes: ["Model variant: the default (no augmentation)."])
    }

    static func cell(task: String, taskIndex: Int, arm: String, armIndex: Int, seed: Int) -> ReportCell {
        let s = Double(seed), a = Double(armIndex), t = Double(taskIndex)
        // Validation loss falls geometrically; cosine (arm 1) falls fastest on toy-a.
        let speed = 0.75 - (taskIndex == 0 && armIndex == 1 ? 0.1 : 0.02 * a) + 0.01 * s
        let validation = (1...epochs).map { e in 1.2 * pow(speed, Double(e)) + 0.05 * t }
        let train = validation.map { $0 * 0.9 }
        let elapsed = (1...epochs).map { Double($0) * (2 + 0.1 * a) }
        var rates = [Double]()
        for update in 0..<(epochs * updatesPerEpoch) {
            let progress = Double(update) / Double(epochs * updatesPerEpoch)
            switch arm {
            case "cosine": rates.append(1e-3 * 0.5 * (1 + cos(Double.pi * progress)) + 1e-6)
            case "landscape": rates.append(1e-3 * (update % 10 < 5 ? 1 : 0.5) * (1 + 0.1 * s))
            default: rates.append(1e-3)
            }
        }
        func reach(_ target: Double) -> Int? { validation.firstIndex { $0 <= target }.map { $0 + 1 } }
        let endpoints: [Endpoint: Double?] = [
            .testAccuracy: 0.8 + 0.01 * a + 0.002 * s - 0.05 * t,
            .testF1: 0.78 + 0.01 * a - 0.001 * s,
            .bestValidationLoss: validation.min() ?? 0,
            .finalValidationLoss: validation.last ?? 0,
            .rateAdjustments: Double(armIndex * 7),
        ]
        let hard = taskIndex == 0 ? 0.5 : 0.45
        let missed = taskIndex == 1 && armIndex == 2 && seed >= 3
        let hardEpochs = missed ? nil : reach(hard)
        var cell = ReportCell(task: task, arm: arm, seed: seed, endpoints: endpoints)
        cell.set(.epochsToHardTarget, hardEpochs.map(Double.init))
        cell.set(.secondsToHardTarget, hardEpochs.map { elapsed[$0 - 1] })
        cell.set(.passesToHardTarget, hardEpochs.map { Double($0 * updatesPerEpoch * 3) })
        if taskIndex == 0 {
            cell.set(.testAUC, 0.9 + 0.005 * a + 0.001 * s)
            cell.set(.epochsToEasyTarget, reach(0.8).map(Double.init))
        }
        var series = CellSeries(
            learningRates: rates, trainLoss: train, validationLoss: validation, elapsedSeconds: elapsed)
        if taskIndex == 0 {
            series.lambdaMax = (1...epochs).map { e in 20 + 5 * Double(e) + a + s }
            series.stabilityThreshold = (1...epochs).map { e in 38 / rates[(e - 1) * updatesPerEpoch] / 1000 }
            series.gradientNorm = (1...epochs).map { e in 2 / Double(e) + 0.1 * s }
            series.hessianTrace = (1...epochs).map { e in 100 + Double(e) }
        }
        cell.series = series
        return cell
    }
}
