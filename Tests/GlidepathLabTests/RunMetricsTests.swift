import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Time to target")
struct TargetReachTests {
    @Test("first epoch at or below the target, with cumulative training seconds")
    func reach() throws {
        let losses = [0.9, 0.7, 0.55, 0.6, 0.5]
        let seconds = [10.0, 11, 12, 13, 14]
        // 0.55 (epoch 3) is the first ≤ 0.6; seconds 10 + 11 + 12.
        #expect(
            try TargetReach.first(reaching: 0.6, validationLosses: losses, trainingSeconds: seconds)
                == TargetReach(epochs: 3, trainingSeconds: 33))
        // Equality reaches: 0.55 ≤ 0.55.
        #expect(try TargetReach.first(reaching: 0.55, validationLosses: losses, trainingSeconds: seconds)?.epochs == 3)
        // Never reached.
        #expect(try TargetReach.first(reaching: 0.4, validationLosses: losses, trainingSeconds: seconds) == nil)
        // A NaN loss does not reach; the next finite one does: 1 + 2 seconds.
        #expect(
            try TargetReach.first(reaching: 0.6, validationLosses: [.nan, 0.5], trainingSeconds: [1, 2])
                == TargetReach(epochs: 2, trainingSeconds: 3))
    }

    @Test("invalid input throws")
    func invalid() {
        #expect(throws: MetricsError.self) {
            try TargetReach.first(reaching: .nan, validationLosses: [1], trainingSeconds: [1])
        }
        #expect(throws: MetricsError.self) {
            try TargetReach.first(reaching: 1, validationLosses: [1, 2], trainingSeconds: [1])
        }
        #expect(throws: MetricsError.self) {
            try TargetReach.first(reaching: 1, validationLosses: [1], trainingSeconds: [-1])
        }
    }
}

@Suite("Stability")
struct StabilityTests {
    @Test("loss variance, spikes and total variation by hand")
    func lossStability() throws {
        // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5 → variance 5/4.
        // Each step rises by more than 10% → 3 spikes; total variation 1 + 1 + 1.
        let rising = try LossStability(losses: [1, 2, 3, 4])
        #expect(rising == LossStability(variance: 1.25, spikeCount: 3, totalVariation: 3))
        // [1.0, 0.8, 0.85, 0.9, 0.5]: mean 4.05/5 = 0.81; deviations 0.19, −0.01, 0.04, 0.09, −0.31;
        // squares sum 0.0361 + 0.0001 + 0.0016 + 0.0081 + 0.0961 = 0.142 → variance 0.0284.
        // At a 5% threshold 0.85 > 0.84 and 0.9 > 0.8925 spike; at 10% neither (0.88, 0.935).
        // Total variation 0.2 + 0.05 + 0.05 + 0.4 = 0.7.
        let curve = [1.0, 0.8, 0.85, 0.9, 0.5]
        let five = try LossStability(losses: curve, spikeThreshold: 0.05)
        expectClose(five.variance, 0.0284, relativeTolerance: 1e-12)
        #expect(five.spikeCount == 2)
        expectClose(five.totalVariation, 0.7, relativeTolerance: 1e-12)
        #expect(try LossStability(losses: curve, spikeThreshold: 0.1).spikeCount == 0)
        // A constant curve has variance exactly 0 (Welford: every delta is 0), where the naive mean
        // (0.1 + 0.1 + 0.1) / 3 = 0.10000000000000002 would not give 0.
        #expect(try LossStability.variance(of: [0.1, 0.1, 0.1]) == 0)
        #expect(throws: MetricsError.nonFinite(name: "losses", index: 1, value: .infinity)) {
            try LossStability(losses: [1, .infinity])
        }
        #expect(throws: MetricsError.empty(name: "losses")) { try LossStability(losses: []) }
    }

    @Test("rate changes: count and log-magnitude of adjustments above 1%")
    func rateChanges() throws {
        // One group: halving (|ln 0.5|), a 0.4% change (ln 1.004 ≈ 0.0040 < 0.01, not counted), then
        // back up to 1e-3 (ln(1e-3 / 5.02e-4)).
        let single = try RateChanges(rates: [[1e-3], [1e-3], [5e-4], [5e-4], [5.02e-4], [1e-3]])
        let halving = log(2.0)
        let back = log(1e-3) - log(5.02e-4)
        #expect(single.adjustmentCount == 2)
        expectClose(single.meanMagnitude, (halving + back) / 2, relativeTolerance: 1e-12)
        expectClose(single.maximumMagnitude, halving, relativeTolerance: 1e-12)
        #expect(single.zeroCrossings == 0)
        // Two groups: the step counts once; its magnitude is the larger group change ln 1.05.
        let groups = try RateChanges(rates: [[1, 2], [1, 2.1], [1, 2.1]])
        #expect(groups.adjustmentCount == 1)
        expectClose(groups.maximumMagnitude, log(2.1) - log(2.0), relativeTolerance: 1e-12)
        // A warmup from 0: counted, but no finite magnitude; then a doubling (ln 2).
        let warmup = try RateChanges(rates: [[0], [1e-4], [2e-4]])
        #expect(warmup.adjustmentCount == 2)
        #expect(warmup.zeroCrossings == 1)
        expectClose(warmup.meanMagnitude, log(2.0), relativeTolerance: 1e-12)
        // No steps or one step: nothing changes.
        #expect(
            try RateChanges(rates: [])
                == RateChanges(adjustmentCount: 0, meanMagnitude: 0, maximumMagnitude: 0, zeroCrossings: 0))
        #expect(throws: MetricsError.self) { try RateChanges(rates: [[1e-3], [-1e-3]]) }
        #expect(throws: MetricsError.self) { try RateChanges(rates: [[1e-3], [1e-3, 1e-3]]) }
    }

    @Test("divergence: non-finite loss or above twice the initial loss")
    func divergence() throws {
        let rule = try DivergenceRule(initialLoss: 2.3)  // limit 2 × 2.3 = 4.6
        #expect(rule.limit == 4.6)
        #expect(rule.check(4.6) == nil)  // at the limit is not above it
        #expect(rule.check(4.61) == .lossAboveLimit(loss: 4.61, limit: 4.6))
        #expect(rule.check(.infinity) == .nonFiniteLoss(.infinity))
        #expect(rule.check(.nan).map { if case .nonFiniteLoss(let loss) = $0 { loss.isNaN } else { false } } == true)
        let first = rule.firstDivergence(in: [2.0, 3.0, 5.0, .nan])
        #expect(first?.index == 2)
        #expect(rule.firstDivergence(in: [2.3, 1.0]) == nil)
        // The run's status reads the trailing excursion only: a spike above 4.6 that recovers is none.
        #expect(rule.trailingDivergence(in: [2.0, 9.0, 3.0]) == nil)
        #expect(rule.trailingDivergence(in: [2.0, 9.0, 3.0, 5.0, 7.0])?.index == 3)
        #expect(rule.trailingDivergence(in: [2.0, 9.0, 3.0, 5.0, 7.0])?.reason == .lossAboveLimit(loss: 5, limit: 4.6))
        #expect(rule.trailingDivergence(in: [9.0, 8.0])?.index == 0)
        #expect(rule.trailingDivergence(in: [2.0, .nan])?.index == 1)
        #expect(rule.trailingDivergence(in: []) == nil)
        #expect(throws: MetricsError.self) { try DivergenceRule(initialLoss: 0) }
        #expect(throws: MetricsError.self) { try DivergenceRule(initialLoss: 1, factor: 1) }
    }
}
