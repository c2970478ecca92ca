import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// Properties of ``LandscapeScheduler`` over seeded sweeps of random signals (SplitMix64): bounded by
/// its clamps, change per update bounded, holds on invalid estimates, bit-identical after save/restore
/// at every step. Expected values come from the scheduler's definition.
@Suite("Landscape scheduler")
struct LandscapeSchedulerTests {
    static let seeds: [UInt64] = Array(0..<40)

    /// A random observation: sometimes no signal, sometimes invalid estimates, losses with spikes.
    static func observation(_ rng: inout SplitMix64) -> Observation {
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var signal = LandscapeSignal()
        let kind = rng.next() % 10
        if kind == 0 { return Observation(losses: [1 + uniform()]) }
        signal.lambdaMax = kind == 1 ? -uniform() : (kind == 2 ? .nan : Foundation.exp(uniform() * 12 - 4))
        signal.preconditionedLambdaMax = Foundation.exp(uniform() * 14)
        signal.quadraticStep = kind == 3 ? nil : Foundation.exp(uniform() * 8 - 8)
        signal.noiseScale = uniform() * 500
        signal.batchSize = 64
        signal.stepSlope = -uniform()
        signal.stepLossChange = uniform() - 0.5
        let loss = kind == 4 ? 10 + uniform() : 1 + 0.1 * uniform()
        return Observation(losses: [loss], landscape: signal)
    }

    static func scheduler(seed: UInt64) throws -> LandscapeScheduler {
        var configuration = LandscapeScheduler.Configuration()
        configuration.rule = LandscapeRule.allCases[Int(seed % UInt64(LandscapeRule.allCases.count))]
        configuration.optimizer = seed % 2 == 0 ? .adam : .sgd
        configuration.momentum = seed % 3 == 0 ? 0.9 : 0
        configuration.trustWarmup = Int(seed % 4)
        configuration.maxChange = 1.5 + Double(seed % 3)
        let base = try ClosedFormScheduler(
            perGroup: [try CosineAnnealingSchedule(tMax: 100, etaMin: 1e-4)],
            baseRates: [1e-2])
        return try LandscapeScheduler(base: base, configuration: configuration)
    }

    @Test(arguments: seeds)
    func boundedChangeLimitedAndResumable(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var scheduler = try Self.scheduler(seed: seed)
        let c = scheduler.configuration
        for step in 0..<120 {
            let observation = Self.observation(&rng)
            let before = scheduler.multiplier
            // Save/restore at every step: a fresh scheduler restored from the state continues identically.
            var twin = try Self.scheduler(seed: seed)
            try twin.restore(scheduler.state)
            try scheduler.step(observation)
            try twin.step(observation)
            #expect(
                twin.state == scheduler.state
                    && twin.learningRates.map(\.bitPattern) == scheduler.learningRates.map(\.bitPattern),
                "seed \(seed) step \(step)")
            let after = scheduler.multiplier
            #expect(after >= c.minFactor && after <= c.maxFactor, "seed \(seed) step \(step): \(after)")
            let decision = try #require(scheduler.lastDecision)
            switch decision.action {
            case .applied:
                #expect(max(after / before, before / after) <= c.maxChange * (1 + 1e-12))
            case .halvedOnSpike:
                #expect(after == max(before / 2, c.minFactor))
            case .warmup:
                #expect(after == 1)
            case .held, .noSignal:
                #expect(after == before, "seed \(seed) step \(step): \(decision)")
            }
            // The state survives JSON encoding bit for bit.
            let data = try StateCoding.encoder().encode(scheduler.state)
            #expect(try StateCoding.decoder().decode(LandscapeScheduler.State.self, from: data) == scheduler.state)
        }
    }

    @Test func holdsOnInvalidEstimates() throws {
        var configuration = LandscapeScheduler.Configuration()
        configuration.rule = .stability
        configuration.optimizer = .sgd
        configuration.trustWarmup = 0
        let base = try ClosedFormScheduler(perGroup: [try ConstantSchedule(factor: 1, totalIters: 1)], baseRates: [0.1])
        var scheduler = try LandscapeScheduler(base: base, configuration: configuration)
        try scheduler.step(Observation(landscape: LandscapeSignal(lambdaMax: 50)))
        let held = scheduler.learningRates
        for lambda in [-1.0, 0, .nan, .infinity] {
            try scheduler.step(Observation(landscape: LandscapeSignal(lambdaMax: lambda)))
            #expect(scheduler.learningRates == held && scheduler.lastDecision?.action == .held, "λ = \(lambda)")
        }
        // A loss spike halves the rate and counts one divergence event.
        try scheduler.step(Observation(losses: [1], landscape: LandscapeSignal(lambdaMax: 50)))
        let beforeSpike = scheduler.learningRates[0]
        try scheduler.step(Observation(losses: [3], landscape: LandscapeSignal(lambdaMax: 50)))
        #expect(scheduler.learningRates[0] == beforeSpike / 2 && scheduler.divergenceEvents == 1)
    }

    @Test func ruleProposalsFollowTheirFormulas() throws {
        var configuration = LandscapeScheduler.Configuration()
        configuration.optimizer = .sgd
        configuration.momentum = 0.5
        configuration.trustWarmup = 0
        let base = try ClosedFormScheduler(perGroup: [try ConstantSchedule(factor: 1, totalIters: 1)], baseRates: [0.1])
        var scheduler = try LandscapeScheduler(base: base, configuration: configuration)
        // b = −2, a = 1.5 − (−2) = 3.5 → ρ = 2/7.
        try scheduler.step(
            Observation(
                landscape: LandscapeSignal(
                    lambdaMax: 10, quadraticStep: 0.04, noiseScale: 192, batchSize: 64, stepSlope: -2,
                    stepLossChange: 1.5)))
        let d = try #require(scheduler.lastDecision)
        expectClose(d.stability ?? 0, 0.5 * (2 + 2 * 0.5) / 10, relativeTolerance: 1e-15)
        expectClose(d.quadratic ?? 0, 0.5 * 0.04, relativeTolerance: 1e-15)
        expectClose(d.noise ?? 0, 0.1 / (1 + 192.0 / 64), relativeTolerance: 1e-15)
        expectClose(d.step ?? 0, 0.1 * 2 / 7, relativeTolerance: 1e-15)
        #expect(
            d.proposal == [d.stability, d.quadratic, d.noise, d.step].compactMap { $0 }.min(), "auto = the minimum")
    }

    @Test func configurationFromJSON() throws {
        let object: StateValue = .object([
            "name": .string("landscape"), "rule": .string("noise"),
            "scheduler": .object(["name": .string("cosine"), "tMax": .int(10)]),
        ])
        let scheduler = try SchedulerConfiguration(object).makeScheduler(baseRates: [0.1])
        let landscape = try #require(scheduler.base as? LandscapeScheduler)
        #expect(landscape.configuration.rule == .noise)
        #expect(landscape.base.base is ClosedFormScheduler<CosineAnnealingSchedule>)
        #expect(throws: SchedulerError.self) {
            try SchedulerConfiguration(.object(["name": .string("landscape"), "smoothing": .double(0)]))
                .makeScheduler(baseRates: [0.1])
        }
    }
}
