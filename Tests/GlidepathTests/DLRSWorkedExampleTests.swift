import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// The six worked examples of docs/dlrs.md, "Worked examples" (the results both pytorch-dlrs versions give
/// on CPU). Defaults apply unless stated; B = 2.
@Suite("DLRS worked examples (docs/dlrs.md)")
struct DLRSWorkedExampleTests {
    @Test(
        "1. convergence: 0.1 with losses [1.0, 0.5] becomes 0.10666666666666667 in both conventions",
        arguments: DecadeConvention.allCases)
    func convergence(decade: DecadeConvention) throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1], decade: decade)
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        // L̄ = 0.75, s = −0.5/0.75 = −2/3, n = −1, δ_i = 0.1: 0.1 + 0.01·(2/3); docs/dlrs.md gives the binary64 value.
        #expect(scheduler.learningRates == [0.10666666666666667])
        #expect(scheduler.diagnostics.regime == .convergence)
        #expect(scheduler.diagnostics.slope == -0.6666666666666666)
    }

    @Test(
        "2. s = 1 exactly: stagnation collapses 0.1 to minLR = 1e-8 in both conventions",
        arguments: DecadeConvention.allCases)
    func unitSlopeCollapse(decade: DecadeConvention) throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1], decade: decade)
        try scheduler.step(Observation(losses: [0.5, 1.5]))
        // L̄ = 1, s = 1, δ_o = 1: adj = 0.1, 0.1 − 0.1 = 0, clamped to minLR.
        #expect(scheduler.learningRates == [1e-8])
        #expect(scheduler.diagnostics.slope == 1)
        #expect(scheduler.diagnostics.regime == .stagnation)
        #expect(scheduler.diagnostics.usedExactSlope)
        #expect(scheduler.diagnostics.groups[0].clamp == .minimum)
    }

    @Test("2. Algorithm 1's strict reading uses δ_i at s = 1: 0.1 becomes 0.09")
    func unitSlopeAlgorithmOne() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1], unitSlope: .convergence)
        try scheduler.step(Observation(losses: [0.5, 1.5]))
        // adj = (10^−1·δ_i)·1 = 0.01 up to rounding, in the documented evaluation order; 0.1 − adj ≈ 0.09.
        expectClose(scheduler.learningRates[0], 0.09, relativeTolerance: 1e-15)
        #expect(scheduler.learningRates[0] == 0.1 - (0.1 * 0.1) * 1.0)
        #expect(scheduler.diagnostics.regime == .convergence)
    }

    @Test("2. a slope of 1.0001 uses δ_d: 0.1 − 0.05·1.0001 ≈ 0.049995")
    func slopeJustAboveOne() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        // (3.0001 − 0.9999) / 2 = 1.0001 up to rounding.
        try scheduler.step(Observation(losses: [0.9999, 3.0001]))
        expectClose(scheduler.diagnostics.slope, 1.0001, relativeTolerance: 1e-14)
        #expect(scheduler.diagnostics.regime == .divergence)
        expectClose(scheduler.learningRates[0], 0.049995, relativeTolerance: 1e-13)
    }

    @Test(
        "3. divergence overshoot: 1e-3 with [0.1, 10] becomes 1.9801980198019603e-05",
        arguments: DecadeConvention.allCases)
    func divergenceOvershoot(decade: DecadeConvention) throws {
        var scheduler = try DLRSScheduler(baseRates: [1e-3], decade: decade)
        try scheduler.step(Observation(losses: [0.1, 10]))
        // L̄ = 5.05, s = 9.9/5.05 = 1.960396…, adj = 1e-3·0.5·s = 9.802e-4 (docs/dlrs.md's binary64 result).
        #expect(scheduler.learningRates == [1.9801980198019603e-05])
        #expect(scheduler.diagnostics.regime == .divergence)
        expectClose(scheduler.diagnostics.slope, 9.9 / 5.05, relativeTolerance: 1e-15)
    }

    @Test("4. decade convention: 1e-6 with [1, 0] becomes 1.2e-6 (log10) or 1.02e-6 (exact)")
    func decadeConvention() throws {
        var legacy = try DLRSScheduler(baseRates: [1e-6], decade: .log10)
        var exact = try DLRSScheduler(baseRates: [1e-6], decade: .exact)
        try legacy.step(Observation(losses: [1, 0]))
        try exact.step(Observation(losses: [1, 0]))
        // s = −2. log10: n = −6, adj = −2e-7. exact: the stored 1e-6 is below 10^−6, n = −7, adj = −2e-8.
        // Each equals the documented evaluation order (granularity·δ)·s, then α − adj.
        #expect(legacy.learningRates[0] == 1e-6 - (Foundation.pow(10.0, -6.0) * 0.1) * -2.0)
        #expect(exact.learningRates[0] == 1e-6 - (Foundation.pow(10.0, -7.0) * 0.1) * -2.0)
        expectClose(legacy.learningRates[0], 1.2e-6, relativeTolerance: 1e-15)
        expectClose(exact.learningRates[0], 1.02e-6, relativeTolerance: 1e-15)
        #expect(legacy.diagnostics.groups[0].decade == -6)
        #expect(exact.diagnostics.groups[0].decade == -7)
    }

    @Test("5. stacking with StepLR(γ = 0.5): 0.1 → 0.10667 → 0.05333")
    func stacking() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        // A chainable scheduler stepped after DLRS multiplies what DLRS wrote (docs/dlrs.md, "Things to know before
        // using DLRS"); the recorded PyTorch value is checked in DLRSFixtureTests.stacking.
        let stacked = scheduler.learningRates[0] * 0.5
        expectClose(stacked, 0.05333, relativeTolerance: 1e-4)
        #expect(stacked == 0.10666666666666667 * 0.5)
    }

    @Test("6. DLRSOnPlateau, patience 0: accuracies 0.5 then 0.8")
    func plateauMaxMode() throws {
        var maximize = try DLRSOnPlateauScheduler(baseRates: [0.1], mode: .maximize, patience: 0)
        var minimize = try DLRSOnPlateauScheduler(baseRates: [0.1], mode: .minimize, patience: 0)
        for metric in [0.5, 0.8] {
            try maximize.step(Observation(metric: metric))
            try minimize.step(Observation(metric: metric))
        }
        // Raw s = 0.3/0.65 = 0.4615. 0.3.0 max mode: q = −1, convergence, 0.1 + 0.01·0.4615 = 0.10462.
        expectClose(maximize.learningRates[0], 0.1 + 0.01 * (0.3 / 0.65), relativeTolerance: 1e-15)
        expectClose(maximize.learningRates[0], 0.10462, relativeTolerance: 1e-4)
        #expect(maximize.scheduler.diagnostics.regime == .convergence)
        // 0.2.1 ignores the mode, so its max-mode result is what min mode gives: stagnation,
        // 0.1 − 0.1·0.4615 = 0.05385.
        expectClose(minimize.learningRates[0], 0.1 - 0.1 * (0.3 / 0.65), relativeTolerance: 1e-15)
        expectClose(minimize.learningRates[0], 0.05385, relativeTolerance: 1e-4)
        #expect(minimize.scheduler.diagnostics.regime == .stagnation)
    }
}
