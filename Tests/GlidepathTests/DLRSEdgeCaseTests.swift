import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// docs/dlrs.md, "Steps, skips and errors" and "How Glidepath differs from the reference versions": clamps,
/// skip conditions, edge cases as pytorch-dlrs 0.3.0 handles them, and the atomicity of a multi-group update.
/// Inputs that Swift's types rule out (bool, tensor, numpy and generator losses, parameter topology, since
/// schedulers never hold optimizers) have no test.
@Suite("DLRS edge cases, skips and atomicity")
struct DLRSEdgeCaseTests {
    /// Runs `body`, expecting it to throw an invalid observation naming `field` and containing `value`,
    /// and checks that the scheduler's whole state is unchanged.
    static func expectRejected(
        _ scheduler: inout DLRSScheduler, losses: [Double]?, field: String, value: String, reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = scheduler.state
        do {
            try scheduler.step(Observation(losses: losses))
            Issue.record("expected a rejection", sourceLocation: sourceLocation)
        } catch {
            guard case let .invalidObservation(step, actualField, actualValue, actualReason) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(step == before.stepCount, sourceLocation: sourceLocation)
            #expect(actualField == field, sourceLocation: sourceLocation)
            #expect(actualValue.contains(value), "\(actualValue)", sourceLocation: sourceLocation)
            if !reason.isEmpty {
                #expect(actualReason.contains(reason), "\(actualReason)", sourceLocation: sourceLocation)
            }
        }
        #expect(scheduler.state == before, "state changed by a rejected call", sourceLocation: sourceLocation)
    }

    // MARK: Edge cases

    @Test("NaN, +inf and negative losses are rejected naming the index, before any change")
    func invalidLosses() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1, 0.01])
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        Self.expectRejected(&scheduler, losses: [1.0, .nan, 0.5], field: "losses[1]", value: "nan", reason: "finite")
        Self.expectRejected(&scheduler, losses: [.infinity, 1.0], field: "losses[0]", value: "inf", reason: "finite")
        // A rising negative loss −1 → −0.5 (0.2.1 would raise the rate).
        Self.expectRejected(&scheduler, losses: [-1.0, -0.5], field: "losses[0]", value: "-1.0", reason: "nonnegative")
        // Mixed signs with a negative mean (0.2.1 collapses to minLR).
        Self.expectRejected(
            &scheduler, losses: [0.5, -3.0, 0.25], field: "losses[1]", value: "-3.0", reason: "nonnegative")
        // A cancelling signed mix (0.2.1's |mean| < 1e-10 skip).
        Self.expectRejected(&scheduler, losses: [1.0, -1.0], field: "losses[1]", value: "-1.0", reason: "nonnegative")
        // −∞ is reported as negative, as in 0.3.0.
        Self.expectRejected(
            &scheduler, losses: [1.0, -.infinity], field: "losses[1]", value: "-inf", reason: "nonnegative")
        // The first invalid loss is named even when it comes last in a long epoch.
        var long = [Double](repeating: 1, count: 10_000)
        long[9_999] = .nan
        Self.expectRejected(&scheduler, losses: long, field: "losses[9999]", value: "nan", reason: "finite")
        // −0.0 is a valid (zero) loss.
        try scheduler.step(Observation(losses: [-0.0, 1.0]))
        #expect(scheduler.diagnostics.regime == .divergence)
    }

    @Test("a zero-rate group stays frozen at 0 in every regime, exempt from minLR")
    func frozenGroup() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.0, 0.1, -0.0], decade: .log10)
        for losses in [[1.0, 0.5], [0.5, 1.5], [0.1, 10], [1, 1]] {
            try scheduler.step(Observation(losses: losses))
            #expect(scheduler.learningRates[0] == 0 && scheduler.learningRates[0].sign == .plus)
            #expect(scheduler.learningRates[2] == 0)
            #expect(scheduler.diagnostics.groups[0].regime == nil)
            #expect(scheduler.diagnostics.groups[0].adjustment == 0)
        }
        // pytorch-dlrs 0.3.0 reports the last group's adjustment, which is 0 for a frozen last group.
        #expect(scheduler.diagnostics.adjustment == 0)
    }

    @Test("negative, NaN and infinite rates are rejected at construction naming the group")
    func invalidRates() {
        for (rates, field) in [
            ([0.1, -0.01], "baseRates[1]"), ([.nan], "baseRates[0]"), ([0.1, 0.2, .infinity], "baseRates[2]"),
        ] {
            #expect(throws: SchedulerError.self) { try DLRSScheduler(baseRates: rates) }
            do {
                _ = try DLRSScheduler(baseRates: rates)
            } catch {
                guard case let .invalidArgument(name, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(name == field)
            }
        }
        #expect(throws: SchedulerError.self) { try DLRSScheduler(baseRates: []) }
        // The configuration initializer names the CLI's JSON field.
        do {
            _ = try DLRSScheduler(configuration: .init(), baseRates: [0.1, -1])
            Issue.record("expected a rejection")
        } catch {
            #expect(error == .invalidArgument(name: "lrs[1]", value: "-1.0", reason: "must be finite and >= 0"))
        }
    }

    @Test("every invalid hyperparameter is rejected naming the parameter and value")
    func invalidHyperparameters() {
        let cases: [(DLRSScheduler.Configuration, String)] = [
            (.init(divergenceFactor: 0), "deltaD"), (.init(divergenceFactor: -0.5), "deltaD"),
            (.init(divergenceFactor: .nan), "deltaD"), (.init(stagnationFactor: .infinity), "deltaO"),
            (.init(stagnationFactor: 0), "deltaO"), (.init(convergenceFactor: -1), "deltaI"),
            (.init(minimumLearningRate: 0), "minLR"), (.init(minimumLearningRate: .nan), "minLR"),
            (.init(maximumLearningRate: 0), "maxLR"),
            (.init(minimumLearningRate: 0.1, maximumLearningRate: 0.1), "maxLR"),
            (.init(maximumLearningRate: .infinity), "maxLR"),
        ]
        for (configuration, name) in cases {
            do {
                _ = try DLRSScheduler(configuration: configuration, baseRates: [0.1])
                Issue.record("expected \(name) to be rejected")
            } catch {
                guard case let .invalidArgument(actual, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(actual == name)
            }
        }
        // The Swift initializer names its own labels.
        #expect(
            throws: SchedulerError.invalidArgument(
                name: "divergenceFactor", value: "0.0", reason: "must be finite and > 0")
        ) {
            try DLRSScheduler(baseRates: [0.1], divergenceFactor: 0)
        }
    }

    @Test("a rate below minLR is clamped up at the next active update, not on a skip")
    func rateBelowMinimum() throws {
        var scheduler = try DLRSScheduler(baseRates: [1e-10], minimumLearningRate: 1e-8)
        try scheduler.step(Observation(losses: nil))
        try scheduler.step(Observation(losses: [0.5]))
        #expect(scheduler.learningRates == [1e-10])
        // Identical positive losses: s = 0, adj = 0, still an active update, so the clamp applies.
        try scheduler.step(Observation(losses: [2, 2, 2]))
        #expect(scheduler.learningRates == [1e-8])
        #expect(scheduler.diagnostics.regime == .stagnation && scheduler.diagnostics.groups[0].clamp == .minimum)
    }

    @Test("clamps: minLR first, then maxLR, which can move a rate against the slope")
    func clampOrder() throws {
        // Starting above maxLR, a falling loss (which raises rates) still ends at maxLR.
        var scheduler = try DLRSScheduler(baseRates: [0.9, 0.05], minimumLearningRate: 1e-3, maximumLearningRate: 0.5)
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        #expect(scheduler.learningRates[0] == 0.5)
        #expect(scheduler.diagnostics.groups[0].clamp == .maximum)
        // 0.05 + (10^−2·0.1)·(2/3), unclamped.
        #expect(scheduler.learningRates[1] == 0.05 - (0.01 * 0.1) * -0.6666666666666666)
        // Unbounded growth without maxLR: steps grow 10x after a decade crossing (docs/dlrs.md, "Things to know").
        var growing = try DLRSScheduler(baseRates: [0.95])
        for _ in 0..<3 { try growing.step(Observation(losses: [1, 0])) }  // s = −2: +0.02 while below 1
        #expect(growing.diagnostics.groups[0].decade == -1)
        try growing.step(Observation(losses: [1, 0]))  // 1.01 ≥ 1: +0.2
        #expect(growing.diagnostics.groups[0].decade == 0)
        expectClose(growing.learningRates[0], 0.95 + 3 * 0.02 + 0.2, relativeTolerance: 1e-14)
    }

    @Test("a proposal that overflows throws and leaves every group untouched")
    func overflow() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1, 1.7e308])
        // s = −2 on 1.7e308: n = 308, 1.7e308 + (1e308·0.1)·2 overflows; group 0 alone would update.
        Self.expectRejected(&scheduler, losses: [1, 0], field: "losses", value: "slope -2.0", reason: "group 1")
    }

    @Test("subnormal steps use the 50-digit decimal fallback, not binary64 arithmetic")
    func decimalFallback() throws {
        // 3e-320 is stored as 6072·2^−1074; n = −320. With s = −2 and δ_i = 0.1 the exact step is
        // +2e-321 ≈ 404.8 ulps, so the exact result is 6476.8 ulps → 6477·2^−1074 (pytorch-dlrs 0.3.0.dev0
        // gives 3.2e-320 = 6477 ulps and adjustment −2e-321). Plain binary64 would round 10^−320 and
        // 10^−320·0.1 to subnormals first and land on 6476 ulps.
        var scheduler = try DLRSScheduler(baseRates: [3e-320], minimumLearningRate: 5e-324)
        try scheduler.step(Observation(losses: [1, 0]))
        #expect(scheduler.learningRates[0] == 6477 * Double.leastNonzeroMagnitude)
        #expect(scheduler.learningRates[0] == 3.2e-320)
        #expect(scheduler.diagnostics.adjustment == -2e-321)
        let naive = 3e-320 - (Foundation.pow(10.0, -320) * 0.1) * -2.0
        #expect(naive == 6476 * Double.leastNonzeroMagnitude)
    }

    @Test("a nonzero exact slope that rounds to 0 throws")
    func unrepresentableSlope() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        // (5e-324 − 0)·3 / (1.7e308 + 5e-324) ≈ 8.7e-632: nonzero, not representable.
        Self.expectRejected(
            &scheduler, losses: [0, 1.7e308, 5e-324], field: "losses", value: "/", reason: "not representable")
    }

    // MARK: Skips

    @Test("skips: no losses, fewer than two, all zero; counters advance, diagnostics zeroed (0.3.0)")
    func skips() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1, 0.02])
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        let rates = scheduler.learningRates
        #expect(scheduler.diagnostics.slope != 0)
        let cases: [([Double]?, DLRSSkipReason)] = [
            (nil, .noLosses), ([], .tooFewLosses), ([0.7], .tooFewLosses), ([0, 0, 0], .allZeroLosses),
        ]
        for (offset, (losses, reason)) in cases.enumerated() {
            try scheduler.step(Observation(losses: losses))
            #expect(scheduler.learningRates == rates)
            #expect(scheduler.stepCount == 2 + offset)
            #expect(scheduler.diagnostics == DLRSDiagnostics(losses: losses ?? [], skipReason: reason))
        }
        // A single invalid loss is still rejected rather than skipped (0.3.0 validates first).
        Self.expectRejected(&scheduler, losses: [.nan], field: "losses[0]", value: "nan", reason: "finite")
    }

    @Test("tiny positive losses update normally: no 1e-10 cutoff (0.3.0)")
    func tinyLosses() throws {
        var tiny = try DLRSScheduler(baseRates: [0.1])
        var unit = try DLRSScheduler(baseRates: [0.1])
        try tiny.step(Observation(losses: [1e-20, 0.5e-20]))
        try unit.step(Observation(losses: [1.0, 0.5]))
        #expect(tiny.diagnostics.regime == .convergence)
        // 1e-20 is not a power of two, so the slopes agree to rounding only.
        expectClose(tiny.learningRates[0], unit.learningRates[0], relativeTolerance: 1e-15)
    }

    // MARK: Atomicity

    @Test("a rejected call leaves rates, counters, diagnostics and history untouched after any prefix")
    func atomicitySweep() throws {
        var generator = SplitMix64(seed: 9)
        for _ in 0..<20 {
            var scheduler = try DLRSScheduler(baseRates: [0.1, 0, 3e-4, 2.5])
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                let losses = (0..<Int.random(in: 2...10, using: &generator)).map { _ in
                    Double.random(in: 0.01...3, using: &generator)
                }
                try scheduler.step(Observation(losses: losses))
            }
            var losses = (0..<Int.random(in: 2...10, using: &generator)).map { _ in
                Double.random(in: 0...3, using: &generator)
            }
            let index = Int.random(in: 0..<losses.count, using: &generator)
            let bad = [Double.nan, .infinity, -1e-300, -2][Int.random(in: 0...3, using: &generator)]
            losses[index] = bad
            Self.expectRejected(&scheduler, losses: losses, field: "losses[\(index)]", value: "\(bad)", reason: "")
        }
    }
}
