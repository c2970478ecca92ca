import Foundation
import Testing

@testable import Glidepath

/// Bit parity with the real pytorch-dlrs packages, recorded in `Fixtures/pytorch_dlrs.json` by
/// `scripts/fixtures/pytorch_dlrs.py` (see its header for how inputs were drawn).
@Suite("DLRS parity with pytorch-dlrs")
struct DLRSFixtureTests {
    static func configuration(_ config: DLRSFixture.Config, decade: DecadeConvention) -> DLRSScheduler.Configuration {
        DLRSScheduler.Configuration(
            divergenceFactor: config.delta_d, stagnationFactor: config.delta_o, convergenceFactor: config.delta_i,
            minimumLearningRate: config.min_lr, maximumLearningRate: config.max_lr, decade: decade)
    }

    /// Replays one recorded trajectory and compares rates, slope, adjustment and the error/skip outcome
    /// of every step bit for bit.
    static func replay(_ trajectory: DLRSFixture.Trajectory, decade: DecadeConvention, checkDiagnostics: Bool) throws {
        let configuration = configuration(trajectory.config, decade: decade)
        let rates = hexDoubles(trajectory.rates)
        if trajectory.kind == "dlrs" {
            var scheduler = try DLRSScheduler(configuration: configuration, baseRates: rates)
            for (index, step) in trajectory.steps.enumerated() {
                let losses: [Double]?
                switch step.input {
                case .none: losses = nil
                case .losses(let values): losses = hexDoubles(values)
                case .metric: Issue.record("metric input in a DLRS trajectory"); return
                }
                var threw = false
                do { try scheduler.step(Observation(losses: losses)) } catch { threw = true }
                #expect(threw == step.error, "\(trajectory.name) step \(index): error \(threw) vs \(step.error)")
                #expect(
                    bits(scheduler.learningRates) == bits(hexDoubles(step.rates)),
                    "\(trajectory.name) step \(index): \(scheduler.learningRates) vs \(hexDoubles(step.rates))")
                if checkDiagnostics {
                    #expect(
                        scheduler.diagnostics.slope.bitPattern == hexDouble(step.slope).bitPattern,
                        "\(trajectory.name) step \(index): slope \(scheduler.diagnostics.slope) vs \(hexDouble(step.slope))"
                    )
                    #expect(
                        scheduler.diagnostics.adjustment.bitPattern == hexDouble(step.adjustment).bitPattern,
                        "\(trajectory.name) step \(index): adjustment")
                    // 0.3.0 counts every successful call; torch's construction step makes last_epoch start at 0.
                    #expect(scheduler.stepCount == step.lastEpoch, "\(trajectory.name) step \(index): counter")
                }
            }
        } else {
            let mode = DLRSOnPlateauScheduler.Mode(rawValue: trajectory.config.mode ?? "min") ?? .minimize
            var scheduler = try DLRSOnPlateauScheduler(
                configuration: .init(mode: mode, patience: trajectory.config.patience ?? 0, dlrs: configuration),
                baseRates: rates)
            for (index, step) in trajectory.steps.enumerated() {
                guard case .metric(let text) = step.input else {
                    Issue.record("non-metric input in a plateau trajectory"); return
                }
                var threw = false
                do { try scheduler.step(Observation(metric: hexDouble(text))) } catch { threw = true }
                #expect(threw == step.error, "\(trajectory.name) step \(index)")
                #expect(
                    bits(scheduler.learningRates) == bits(hexDoubles(step.rates)),
                    "\(trajectory.name) step \(index): \(scheduler.learningRates) vs \(hexDoubles(step.rates))")
                if checkDiagnostics {
                    #expect(
                        scheduler.scheduler.diagnostics.slope.bitPattern == hexDouble(step.slope).bitPattern,
                        "\(trajectory.name) step \(index): slope")
                    #expect(
                        scheduler.scheduler.stepCount == step.lastEpoch, "\(trajectory.name) step \(index): updates")
                }
            }
        }
    }

    @Test("0.3.0.dev0: rates, slope, adjustment, counters and rejections of every recorded step")
    func version030() throws {
        let fixture = try DLRSFixture.load()
        let version = try #require(fixture.versions["0.3.0"])
        #expect(version.version == "0.3.0.dev0")
        #expect(version.trajectories.count >= 819)  // 19 trajectories + 800 single-step stress cases
        for trajectory in version.trajectories {
            try Self.replay(trajectory, decade: .exact, checkDiagnostics: true)
        }
    }

    @Test("0.2.1: rates of every recorded step with the log10 decade (dyadic losses, exact plain sums)")
    func version021() throws {
        let fixture = try DLRSFixture.load()
        let version = try #require(fixture.versions["0.2.1"])
        #expect(version.version == "0.2.1")
        for trajectory in version.trajectories {
            // 0.2.1 leaves loss_slope/adjustment stale on skips and counts differently (docs/dlrs.md, "How Glidepath
            // differs from the reference versions"), so only rates are compared.
            try Self.replay(trajectory, decade: .log10, checkDiagnostics: false)
        }
    }

    @Test("0.2.1 and 0.3.0 trajectories really differ with the other decade convention")
    func conventionsMatter() throws {
        // Guards against a fixture where the decade never mattered: replaying the 0.2.1 trajectory
        // with the exact decade must diverge somewhere (the groups start at 1e-6 and 1e-7).
        let fixture = try DLRSFixture.load()
        let trajectory = try #require(fixture.versions["0.2.1"]?.trajectories.first { $0.kind == "dlrs" })
        var scheduler = try DLRSScheduler(
            configuration: Self.configuration(trajectory.config, decade: .exact),
            baseRates: hexDoubles(trajectory.rates))
        var differs = false
        for step in trajectory.steps {
            if case .losses(let values) = step.input {
                try scheduler.step(Observation(losses: hexDoubles(values)))
            } else {
                try scheduler.step(Observation())
            }
            if bits(scheduler.learningRates) != bits(hexDoubles(step.rates)) { differs = true }
        }
        #expect(differs)
    }

    @Test("worked example 5: DLRS then StepLR(γ = 0.5) stacks multiplicatively")
    func stacking() throws {
        // Fixture: DLRSScheduler.step([1.0, 0.5]) then StepLR(step_size=1, gamma=0.5).step() on the
        // same optimizer (0.3.0.dev0). A chained composite multiplies DLRS's rate by StepLR's factor.
        let fixture = try DLRSFixture.load()
        let stacking = try #require(fixture.versions["0.3.0"]?.stacking)
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        try scheduler.step(Observation(losses: [1.0, 0.5]))
        #expect(scheduler.learningRates[0].bitPattern == hexDouble(stacking.afterDLRS).bitPattern)
        #expect((scheduler.learningRates[0] * 0.5).bitPattern == hexDouble(stacking.afterStepLR).bitPattern)
        #expect(scheduler.learningRates[0] * 0.5 == 0.05333333333333334)
    }
}
