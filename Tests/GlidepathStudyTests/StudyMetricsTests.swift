import Foundation
import GlidepathLab
import GlidepathReport
import Testing

@testable import GlidepathStudy

/// Per-cell metrics, targets, tuning selection and the report's input (issue 12, items 3 and 4).
@Suite("Study metrics")
struct StudyMetricsTests {
    /// A finished cell of `arm` with these per-epoch validation losses, one second and 10 passes per epoch.
    static func cell(
        arm: String, seed: UInt64, validation: [Double], protocolName: String = "fixed",
        role: CellRole = .fixed, task: String = "adult-mlp"
    ) -> CellMetrics {
        var curves = CellCurves()
        curves.validationLoss = validation
        curves.trainLoss = validation.map { $0 + 0.1 }
        curves.elapsedSeconds = validation.indices.map { Double($0 + 1) }
        curves.passes = validation.indices.map { Double(10 * ($0 + 1)) }
        return CellMetrics(
            cellId: "\(arm)-\(seed)", task: task, arm: arm, seed: seed, protocolName: protocolName, role: role,
            learningRate: 1e-3, runId: "r", status: .completed, epochs: validation.count, testLoss: 0.4,
            testAccuracy: 0.8,
            testF1: 0.7, testAUC: 0.9, bestValidationLoss: validation.min(), finalValidationLoss: validation.last,
            trainSeconds: Double(validation.count), passes: Double(10 * validation.count), hardTarget: nil,
            easyTarget: nil,
            epochsToTarget: nil, secondsToTarget: nil, passesToTarget: nil, trainLossVariance: 0.01,
            validationLossVariance: 0.02, rateAdjustments: 0, rateAdjustmentMagnitude: 0, curves: curves)
    }

    /// The first epoch with loss ≤ target: losses 0.6, 0.45, 0.5, 0.3 reach 0.5 at epoch 2 (2 s, 20 passes);
    /// 0.2 is never reached (all nil, the report's +∞).
    @Test("time to target is the first epoch at or below it; a miss is nil")
    func targetReach() {
        let cell = Self.cell(arm: "a", seed: 0, validation: [0.6, 0.45, 0.5, 0.3]).withTargets(hard: 0.2, easy: 0.5)
        #expect(cell.easyTarget == TargetOutcome(target: 0.5, epochs: 2, seconds: 2, passes: 20))
        #expect(cell.hardTarget == TargetOutcome(target: 0.2, epochs: nil, seconds: nil, passes: nil))
        #expect(cell.epochsToTarget == nil && cell.secondsToTarget == nil && cell.passesToTarget == nil)
        let nan = Self.cell(arm: "a", seed: 0, validation: [.nan, 0.4]).withTargets(hard: 0.45, easy: nil)
        #expect(nan.epochsToTarget == 2, "NaN never reaches a target")
    }

    /// Auto targets: hard = median of the reference arm's best losses {0.3, 0.5, 0.4} = 0.4; easy = median
    /// of the fixed-rate arm's final losses {0.7, 0.6} = 0.65 (even count: the mean of the middle two).
    @Test("auto targets are medians over seeds, AlgoPerf style; given targets are kept")
    func autoTargets() throws {
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(tasks: ["adult-mlp"], arms: ["constant", "cosine"]), builtIn: "landscape-study")
        let cells = [
            Self.cell(arm: "cosine", seed: 0, validation: [0.6, 0.3, 0.35]),
            Self.cell(arm: "cosine", seed: 1, validation: [0.5, 0.55]),
            Self.cell(arm: "cosine", seed: 2, validation: [0.4]),
            Self.cell(arm: "cosine", seed: 3, validation: [0.1], protocolName: "tunedParity", role: .tuningTrial),
            Self.cell(arm: "constant", seed: 0, validation: [0.9, 0.7]),
            Self.cell(arm: "constant", seed: 1, validation: [0.6]),
        ]
        let targets = StudyResults.targets(for: plan.tasks[0], plan: plan, cells: cells)
        #expect(targets.hard?.validationLoss == 0.4)
        #expect(targets.hard?.source == "median over 3 seeds of cosine's best validation loss, fixed protocol")
        #expect(targets.easy?.validationLoss == (0.6 + 0.7) / 2)
        var given = plan.tasks[0]
        given.targets = TargetPair(hard: .value(0.25), easy: .auto)
        let fixed = StudyResults.targets(for: given, plan: plan, cells: cells)
        #expect(fixed.hard == ResolvedTarget(validationLoss: 0.25, kind: "plan", source: "given in the plan"))
        #expect(StudyResults.median([]) == nil && StudyResults.median([3, 1, 2]) == 2)
    }

    /// Inverted auto rules: cosine's best losses {0.5, 0.6} (median 0.55) above constant's final losses
    /// {0.4, 0.5} (median 0.45) — the easy target must be the looser, so the two are swapped.
    @Test("inverted auto targets are swapped so the easy target is the looser one, and say so")
    func invertedAutoTargets() throws {
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(tasks: ["adult-mlp"], arms: ["constant", "cosine"]), builtIn: "landscape-study")
        let cells = [
            Self.cell(arm: "cosine", seed: 0, validation: [0.7, 0.5]),
            Self.cell(arm: "cosine", seed: 1, validation: [0.6]),
            Self.cell(arm: "constant", seed: 0, validation: [0.6, 0.4]),
            Self.cell(arm: "constant", seed: 1, validation: [0.5]),
        ]
        let targets = StudyResults.targets(for: plan.tasks[0], plan: plan, cells: cells)
        #expect(targets.hard?.validationLoss == (0.4 + 0.5) / 2)
        #expect(targets.easy?.validationLoss == (0.5 + 0.6) / 2)
        #expect(targets.hard?.source.contains("inverted") == true && targets.easy?.source.contains("constant") == false)
    }

    /// pytorch-dlrs 0.3.0 selects by final validation loss (`docs/dlrs.md`); a diverged trial is +∞.
    @Test("tuning parity picks the lowest final validation loss, waits for every trial, and breaks ties by grid order")
    func selection() {
        #expect(StudyStore.select([(0.01, 0.5), (0.03, 0.4), (0.1, .infinity)]) == 0.03)
        #expect(StudyStore.select([(0.01, 0.4), (0.03, 0.4)]) == 0.01)
        #expect(StudyStore.select([(0.01, 0.4), (0.03, nil)]) == nil)
        #expect(StudyStore.select([]) == nil)
    }

    @Test("the report's cells carry the endpoints that apply, nil for a miss")
    func reportCell() {
        let cell = Self.cell(arm: "a", seed: 3, validation: [0.6, 0.45]).withTargets(hard: 0.2, easy: 0.5)
        let report = StudyResults.reportCell(cell)
        #expect(report.seed == 3 && report.arm == "a" && report.task == "adult-mlp")
        #expect(report.endpoints[.passesToEasyTarget] == .some(20))
        #expect(report.endpoints[.passesToHardTarget] == .some(nil))
        // Epochs too: a miss is a present nil, not an absent key (`Optional.map(Double.init)` once removed it).
        #expect(report.endpoints[.epochsToHardTarget] == .some(nil))
        #expect(report.endpoints[.secondsToHardTarget] == .some(nil))
        #expect(report.endpoints[.epochsToEasyTarget] == .some(2))
        #expect(report.value(.passesToHardTarget) == .infinity)
        #expect(report.endpoints[.testAUC] == .some(0.9), "adult-mlp is binary")
        let mnist = StudyResults.reportCell(Self.cell(arm: "a", seed: 0, validation: [0.6], task: "mnist-cnn"))
        #expect(mnist.endpoints[.testAUC] == nil, "ten classes: no ROC-AUC")
        #expect(mnist.endpoints[.epochsToHardTarget] == nil, "no target: absent")
    }
}
