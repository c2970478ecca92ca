import Foundation
import Glidepath
import GlidepathLab

/// When a cell first reached a validation-loss target. A miss (never reached within the budget) is
/// nil everywhere, which statistics read as +∞ (AlgoPerf scores a miss as ∞).
public struct TargetOutcome: Sendable, Equatable, Codable {
    /// The target's validation loss.
    public var target: Double
    public var epochs: Int?
    /// Training seconds (evaluation excluded, scheduler and probe overhead included) to the end of that epoch.
    public var seconds: Double?
    /// Forward+backward-pass equivalents to the end of that epoch (see ``CellMetrics/passes``).
    public var passes: Double?
}

/// A cell's curves, one entry per epoch (epoch 1 first) unless said otherwise; nil where the epoch has no
/// such measurement (no probe).
public struct CellCurves: Sendable, Equatable, Codable {
    /// The first group's rate of each update (every `learningRateStride`-th update when the run is long).
    public var learningRates: [Double] = []
    /// 1, or the stride of ``learningRates`` when the run has more than ``CellMetrics/maximumRatePoints`` updates.
    public var learningRateStride: Int = 1
    public var trainLoss: [Double] = []
    public var validationLoss: [Double] = []
    /// Cumulative training seconds at each epoch's end.
    public var elapsedSeconds: [Double] = []
    /// Cumulative forward+backward-pass equivalents at each epoch's end.
    public var passes: [Double] = []
    /// Mean ‖g‖₂ of the epoch's updates (every cell: the training loop records it per update).
    public var gradientNorm: [Double?] = []
    /// λ_max of the epoch's last probe: the preconditioned λ_max(P⁻¹H) for Adam-type optimizers, H's
    /// otherwise — the curvature the optimizer's stability threshold bounds.
    public var lambdaMax: [Double?] = []
    /// The optimizer's stability threshold at the epoch's rate η, in λ_max's units: (2 + 2β)/η for SGD
    /// with heavy-ball momentum β (Cohen et al. 2021, arXiv:2103.00065), (2 + 2β₁)/((1 − β₁)·η) for Adam
    /// (38/η at β₁ = 0.9; Cohen et al. 2022, arXiv:2207.14484).
    public var stabilityThreshold: [Double?] = []
    /// Hutchinson tr H of the epoch's last probe.
    public var hessianTrace: [Double?] = []
}

/// Everything measured about one cell (`docs/study-guide.md`, "Metrics per cell"), from its run's records.
public struct CellMetrics: Sendable, Equatable, Codable {
    public var cellId: String
    public var task: String
    public var arm: String
    public var seed: UInt64
    public var protocolName: String
    public var role: CellRole
    public var learningRate: Double
    public var runId: String
    public var status: RunStatus
    public var epochs: Int
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var testF1: Double?
    /// ROC-AUC of the positive class (binary tasks only).
    public var testAUC: Double?
    public var bestValidationLoss: Double?
    public var finalValidationLoss: Double?
    public var trainSeconds: Double
    /// Forward+backward-pass equivalents over the whole run: one per update (a batch's forward and
    /// backward pass) plus every gradient evaluation of the landscape probes (each a forward and backward
    /// pass on one probe batch of the run's batch size; an HVP costs two), so a scheduler that probes
    /// pays for it. Evaluation passes are not counted (AlgoPerf leaves evaluation untimed).
    public var passes: Double
    public var hardTarget: TargetOutcome?
    public var easyTarget: TargetOutcome?
    /// The hard target's epochs, seconds and passes (the `results.json` names).
    public var epochsToTarget: Int?
    public var secondsToTarget: Double?
    public var passesToTarget: Double?
    /// Population variance of the epoch training / validation losses (``LossStability``).
    public var trainLossVariance: Double?
    public var validationLossVariance: Double?
    /// Learning-rate adjustments: updates whose |Δ ln η| > 1% in some group (``RateChanges``), and their
    /// mean magnitude.
    public var rateAdjustments: Int?
    public var rateAdjustmentMagnitude: Double?
    public var curves: CellCurves

    /// More updates than this and ``CellCurves/learningRates`` keeps every k-th.
    public static let maximumRatePoints = 5_000

    /// Reads the metrics of `cell`'s finished `run`; targets are filled in later (``withTargets(hard:easy:)``).
    static func read(cell: StudyCell, run: RunIdentifier, store: RunStore) throws(StudyError) -> CellMetrics {
        do {
            let record = try store.run(run)
            let result = try record.result()
            let epochs = try store.epochs(of: run)
            let steps = try store.steps(of: run)
            let probes = try store.probes(of: run)
            let analysis = try RunAnalysis(epochs: epochs, steps: steps, target: nil)
            var curves = CellCurves()
            let stride = max(1, (steps.count + maximumRatePoints - 1) / maximumRatePoints)
            curves.learningRateStride = stride
            curves.learningRates = Swift.stride(from: 0, to: steps.count, by: stride).map {
                steps[$0].learningRates.first ?? 0
            }
            curves.trainLoss = epochs.map(\.trainLoss)
            curves.validationLoss = epochs.map(\.validationLoss)
            var elapsed = 0.0
            var passes = 0.0
            let optimizer = cell.configuration.optimizer
            let adamLike = optimizer.name.rawValue.lowercased().contains("adam")
            let beta = optimizer.parameters.momentum ?? 0
            for epoch in epochs {
                elapsed += epoch.trainSeconds
                let epochSteps = steps.filter { $0.epoch == epoch.epoch }
                let epochProbes = probes.filter { $0.epoch == epoch.epoch }
                passes +=
                    Double(epochSteps.count)
                    + Double(epochProbes.reduce(0) { $0 + $1.measurement.cost.gradientEvaluations })
                curves.elapsedSeconds.append(elapsed)
                curves.passes.append(passes)
                let norms = epochSteps.compactMap(\.gradientNorm).filter(\.isFinite)
                curves.gradientNorm.append(norms.isEmpty ? nil : norms.reduce(0, +) / Double(norms.count))
                let last = epochProbes.last?.measurement
                let lambda =
                    adamLike
                    ? (last?.preconditionedLambdaMax?.value.value ?? nil) : (last?.lambdaMax?.value.value ?? nil)
                curves.lambdaMax.append(lambda)
                let rate = epoch.learningRates.first ?? 0
                curves.stabilityThreshold.append(
                    last == nil || rate <= 0
                        ? nil : adamLike ? (2 + 2 * beta) / ((1 - beta) * rate) : (2 + 2 * beta) / rate)
                curves.hessianTrace.append(last?.trace?.value)
            }
            return CellMetrics(
                cellId: cell.id, task: cell.task.rawValue, arm: cell.arm, seed: cell.seed,
                protocolName: cell.protocolName,
                role: cell.role, learningRate: cell.learningRate, runId: run.rawValue, status: record.status,
                epochs: epochs.count, testLoss: result.map(\.testLoss).flatMap(finite),
                testAccuracy: result.map(\.testAccuracy).flatMap(finite),
                testF1: result.map(\.testF1).flatMap(finite), testAUC: result?.testAUC.flatMap(finite),
                bestValidationLoss: analysis.bestValidationLoss,
                finalValidationLoss: epochs.last.map(\.validationLoss).flatMap(finite),
                trainSeconds: analysis.trainingSeconds, passes: passes, hardTarget: nil, easyTarget: nil,
                epochsToTarget: nil, secondsToTarget: nil, passesToTarget: nil,
                trainLossVariance: analysis.trainLossStability?.variance,
                validationLossVariance: analysis.validationLossStability?.variance,
                rateAdjustments: analysis.rateChanges?.adjustmentCount,
                rateAdjustmentMagnitude: analysis.rateChanges?.meanMagnitude, curves: curves)
        } catch let error as RunStoreError {
            throw .store(error)
        } catch {
            throw .invalidPlan(
                field: "cell \(cell.id)", value: run.rawValue, reason: "cannot analyse its run: \(error)")
        }
    }

    /// The first epoch whose validation loss is ≤ `target`, with its seconds and passes (nil fields: a miss).
    func outcome(_ target: Double) -> TargetOutcome {
        guard let index = curves.validationLoss.firstIndex(where: { $0 <= target }) else {
            return TargetOutcome(target: target, epochs: nil, seconds: nil, passes: nil)
        }
        return TargetOutcome(
            target: target, epochs: index + 1, seconds: curves.elapsedSeconds[index],
            passes: curves.passes[index])
    }

    /// The metrics with both targets' outcomes.
    func withTargets(hard: Double?, easy: Double?) -> CellMetrics {
        var copy = self
        copy.hardTarget = hard.map(outcome)
        copy.easyTarget = easy.map(outcome)
        copy.epochsToTarget = copy.hardTarget?.epochs
        copy.secondsToTarget = copy.hardTarget?.seconds
        copy.passesToTarget = copy.hardTarget?.passes
        return copy
    }
}

private func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
