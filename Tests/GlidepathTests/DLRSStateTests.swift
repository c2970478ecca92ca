import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// Save/restore (bit-identical continuation at every step), restore validation, and scale invariance.
@Suite("DLRS state and properties")
struct DLRSStateTests {
    /// A seeded epoch: mostly random positive losses, sometimes a skip or a special shape.
    static func epoch(_ generator: inout SplitMix64) -> [Double]? {
        switch Int.random(in: 0..<12, using: &generator) {
        case 0: return nil
        case 1: return [Double.random(in: 0...2, using: &generator)]
        case 2: return [0, 0, 0]
        case 3: return [0.5, 1.5]  // s = 1
        default:
            let count = Int.random(in: 2...40, using: &generator)
            let start = Double.random(in: 0.05...4, using: &generator)
            let trend = Double.random(in: -0.9...2.5, using: &generator)
            return (0..<count).map { k in
                max(
                    0,
                    start * (1 + trend * Double(k) / Double(count)) + Double.random(in: -0.2...0.2, using: &generator))
            }
        }
    }

    static func randomConfiguration(_ generator: inout SplitMix64) -> DLRSScheduler.Configuration {
        DLRSScheduler.Configuration(
            divergenceFactor: Double.random(in: 0.1...1, using: &generator),
            stagnationFactor: Double.random(in: 0.5...2, using: &generator),
            convergenceFactor: Double.random(in: 0.01...0.5, using: &generator),
            minimumLearningRate: 1e-8,
            maximumLearningRate: Bool.random(using: &generator) ? nil : 2.0,
            decade: Bool.random(using: &generator) ? .exact : .log10,
            unitSlope: Bool.random(using: &generator) ? .stagnation : .convergence)
    }

    static func roundTrip<S: Codable>(_ value: S) throws -> S {
        let data = try StateCoding.encoder().encode(value)
        return try StateCoding.decoder().decode(S.self, from: data)
    }

    @Test("restoring a JSON round-tripped state at every step continues bit-identically (20 seeds)")
    func roundTripEveryStep() throws {
        for seed in 0..<20 {
            var generator = SplitMix64(seed: UInt64(seed))
            let configuration = Self.randomConfiguration(&generator)
            let rates = [0.1, 1e-6, 0, 0.003, Double.random(in: 1e-5...1, using: &generator)]
            let epochs = (0..<25).map { _ in Self.epoch(&generator) }
            var reference = try DLRSScheduler(configuration: configuration, baseRates: rates)
            var trajectory: [DLRSScheduler.State] = []
            for epoch in epochs {
                try reference.step(Observation(losses: epoch))
                trajectory.append(reference.state)
            }
            for split in 0..<epochs.count {
                var original = try DLRSScheduler(configuration: configuration, baseRates: rates)
                for epoch in epochs[..<split] { try original.step(Observation(losses: epoch)) }
                var resumed = try DLRSScheduler(configuration: configuration, baseRates: rates)
                try resumed.restore(Self.roundTrip(original.state))
                #expect(resumed.state == original.state)
                for (offset, epoch) in epochs[split...].enumerated() {
                    try resumed.step(Observation(losses: epoch))
                    let expected = trajectory[split + offset]
                    #expect(bits(resumed.learningRates) == bits(expected.learningRates), "seed \(seed) split \(split)")
                    #expect(resumed.state == expected)
                }
            }
        }
    }

    @Test("a state snapshot is independent of later steps")
    func snapshotIndependence() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        try scheduler.step(Observation(losses: [1, 0.5]))
        let snapshot = scheduler.state
        try scheduler.step(Observation(losses: [0.5, 1.5]))
        #expect(snapshot.learningRates == [0.10666666666666667])
        #expect(snapshot.stepCount == 1 && snapshot.diagnostics.losses == [1, 0.5])
    }

    @Test("restore validates everything before writing anything")
    func restoreValidation() throws {
        var scheduler = try DLRSScheduler(baseRates: [0.1, 0.2])
        try scheduler.step(Observation(losses: [1, 0.5]))
        let good = scheduler.state
        var cases: [(DLRSScheduler.State, String)] = []
        var state = good; state.version = 2; cases.append((state, "version"))
        state = good; state.learningRates = [0.1]; cases.append((state, "learningRates"))
        state = good; state.baseRates = [0.1, 0.2, 0.3]; cases.append((state, "baseRates"))
        state = good; state.learningRates[1] = .nan; cases.append((state, "learningRates[1]"))
        state = good; state.learningRates[0] = -0.1; cases.append((state, "learningRates[0]"))
        state = good; state.learningRates[0] = .infinity; cases.append((state, "learningRates[0]"))
        state = good; state.stepCount = -1; cases.append((state, "stepCount"))
        state = good; state.configuration.divergenceFactor = 0; cases.append((state, "configuration.deltaD"))
        state = good; state.configuration.maximumLearningRate = 1e-9; cases.append((state, "configuration.maxLR"))
        state = good; state.diagnostics.losses = [1, -1]; cases.append((state, "diagnostics.losses[1]"))
        state = good; state.diagnostics.slope = .nan; cases.append((state, "diagnostics.slope"))
        state = good; state.diagnostics.groups = [state.diagnostics.groups[0]];
        cases.append((state, "diagnostics.groups"))
        for (bad, field) in cases {
            var target = scheduler
            do {
                try target.restore(bad)
                Issue.record("restore accepted a bad \(field)")
            } catch {
                guard case let .invalidState(actual, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(actual == field)
            }
            #expect(target.state == good, "restore of a bad \(field) changed the scheduler")
        }
        // A valid restore may adopt another configuration (as 0.3.0 does) and does not clamp rates.
        var other = good
        other.configuration.decade = .log10
        other.learningRates = [5.0, 0]
        try scheduler.restore(other)
        #expect(scheduler.configuration.decade == .log10 && scheduler.learningRates == [5.0, 0])
    }

    @Test("the slope and every rate are invariant under power-of-two rescaling of the losses")
    func scaleInvariance() throws {
        var generator = SplitMix64(seed: 77)
        for _ in 0..<200 {
            let losses = (0..<Int.random(in: 2...50, using: &generator)).map { _ in
                Double.random(in: 0.001...5, using: &generator)
            }
            var reference = try DLRSScheduler(baseRates: [0.1, 3e-5, 0.7])
            try reference.step(Observation(losses: losses))
            for exponent in [-1000, -300, -64, -1, 1, 7, 300, 1000] {
                let scale = Foundation.pow(2.0, Double(exponent))
                var scaled = try DLRSScheduler(baseRates: [0.1, 3e-5, 0.7])
                try scaled.step(Observation(losses: losses.map { $0 * scale }))
                #expect(
                    scaled.diagnostics.slope.bitPattern == reference.diagnostics.slope.bitPattern,
                    "2^\(exponent)")
                #expect(bits(scaled.learningRates) == bits(reference.learningRates))
            }
        }
        // Losses whose plain sum overflows still give the slope of their scaled copy.
        var huge = try DLRSScheduler(baseRates: [0.1])
        var small = try DLRSScheduler(baseRates: [0.1])
        try huge.step(Observation(losses: [1e308, 1.5e308, 1.7e308]))
        try small.step(Observation(losses: [1e308, 1.5e308, 1.7e308].map { $0 * 0x1p-1000 }))
        #expect(huge.diagnostics.slope == small.diagnostics.slope && huge.diagnostics.slope.isFinite)
    }

    @Test(
        "bounded and direction-correct: after every active update each live rate is in [minLR, maxLR] and moved against the slope unless clamped"
    )
    func boundedAndDirectional() throws {
        for seed in 100..<130 {
            var generator = SplitMix64(seed: UInt64(seed))
            let configuration = Self.randomConfiguration(&generator)
            var scheduler = try DLRSScheduler(configuration: configuration, baseRates: [0.1, 0, 2e-4, 0.9])
            for _ in 0..<40 {
                let before = scheduler.learningRates
                try scheduler.step(Observation(losses: Self.epoch(&generator)))
                guard scheduler.diagnostics.skipReason == nil else {
                    #expect(scheduler.learningRates == before)
                    continue
                }
                for (group, rate) in scheduler.learningRates.enumerated() {
                    if before[group] == 0 {
                        #expect(rate == 0)
                        continue
                    }
                    #expect(rate >= configuration.minimumLearningRate)
                    if let maximum = configuration.maximumLearningRate { #expect(rate <= maximum) }
                    let update = scheduler.diagnostics.groups[group]
                    guard update.clamp == .none else { continue }
                    let slope = scheduler.diagnostics.slope
                    if slope < 0 { #expect(rate >= before[group]) }
                    if slope > 0 { #expect(rate <= before[group]) }
                }
            }
        }
    }

    @Test("deterministic: the same seed and configuration give bit-identical trajectories")
    func deterministic() throws {
        func run() throws -> [[UInt64]] {
            var generator = SplitMix64(seed: 2024)
            var scheduler = try DLRSScheduler(
                configuration: Self.randomConfiguration(&generator), baseRates: [0.05, 0.5])
            return try (0..<30).map { _ in
                try scheduler.step(Observation(losses: Self.epoch(&generator)))
                return bits(scheduler.learningRates)
            }
        }
        #expect(try run() == run())
    }
}
