import Foundation
import Glidepath
import GlidepathMLRSNet
import GlidepathTestSupport
import Testing

@Suite("MLR-SNet scheduler")
struct MLRSNetSchedulerTests {
    private static func observation(_ loss: Double) -> Observation { Observation(losses: [loss]) }

    private static func synthetic(
        switchSteps: [Int] = [4, 9], groups: Int = 2, rule: MLRSNetScaleRule = .guarded,
        convention: MLRSNetGateConvention = .metaTest
    ) throws -> MLRSNetScheduler {
        try MLRSNetScheduler(
            nets: (0...switchSteps.count).map { SyntheticNet.weights(seed: UInt64(10 + $0)) },
            switchSteps: switchSteps, classCount: 10, initialLoss: 2.302585,
            baseRates: Array(repeating: 0.1, count: groups),
            convention: convention, scaleRule: rule)
    }

    /// A seeded, decaying loss sequence.
    private static func losses(_ count: Int, seed: UInt64 = 5) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { 2.3 * exp(-Double($0) / 8) + Double.random(in: 0...0.05, using: &generator) }
    }

    @Test(
        "the meta-test switching protocol matches the PyTorch reference (nets 1 → 100 → 200, γ recomputed)",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func protocolMatchesReference() throws {
        let reference = try MLRSNetReference.load()
        let nets = try OfficialNets.names.map { try OfficialNets.load($0, format: "pth") }
        for run in reference.protocols {
            // By step counts, and by fractions of a 30-step budget (1/3 and 2/3 of 30 = 10 and 20).
            let bySteps = try MLRSNetScheduler(
                nets: nets, switchSteps: run.switchSteps, classCount: run.numClasses,
                initialLoss: run.initialLoss, baseRates: [0.1], scaleRule: .reference)
            let configuration = MLRSNetScheduler.Configuration(
                weights: [], switchAt: [.fraction(1.0 / 3), .fraction(2.0 / 3)], totalSteps: run.losses.count,
                numClasses: run.numClasses, initialLoss: run.initialLoss, scaleRule: .reference)
            #expect(try configuration.resolvedSwitchSteps() == run.switchSteps)
            var scheduler = bySteps
            #expect(scheduler.learningRates == [0.1])  // η(0) = base rate before the first loss
            for (step, loss) in run.losses.enumerated() {
                try scheduler.step(Self.observation(loss))
                // γ: identical double arithmetic to meta_test.py, so bit for bit.
                #expect(scheduler.scale.bitPattern == run.scales[step].bitPattern, "step \(step)")
                #expect(scheduler.stage == run.switchSteps.filter { $0 <= step }.count)
                // a_t within the cell tolerance; η_t = Double(a_t)·γ exactly as the reference.
                let output = Float(scheduler.learningRates[0] / scheduler.scale)
                #expect(
                    floatULPDistance(output, Float(run.outputs[step])) <= MLRSNetReference.ulpTolerance,
                    "C=\(run.numClasses) step \(step)")
                expectClose(
                    scheduler.learningRates[0], run.learningRates[step],
                    relativeTolerance: Double(MLRSNetReference.ulpTolerance) * 0x1p-23)
            }
        }
    }

    @Test(
        "the published schedule is a three-stage step schedule: ≈0.49, 0.001, 0.0006 on CIFAR-10 (docs/mlrsnet.md)",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func threeStageLevels() throws {
        // docs/mlrsnet.md ("The schedule") simulates the ResNet-18 record: L0 ≈ ln 10, then L ≈ 0.004 at the first
        // swap and ≈ 0.008 at the second; the stage levels are about 0.49, 0.001 and 0.0006.
        let nets = try OfficialNets.names.map { try OfficialNets.load($0) }
        var scheduler = try MLRSNetScheduler(
            nets: nets, switchSteps: [600, 1200], classCount: 10, initialLoss: log(10), baseRates: [0.1],
            scaleRule: .reference)
        var levels: [Double] = []
        for step in 0..<1800 {
            let loss = step < 600 ? 1.0 : step < 1200 ? 0.004 : 0.008
            try scheduler.step(Observation(losses: [loss]))
            if step == 599 || step == 1199 || step == 1799 { levels.append(scheduler.learningRates[0]) }
        }
        expectClose(levels[0], 0.49, relativeTolerance: 0.03)
        expectClose(levels[1], 0.001, relativeTolerance: 0.05)
        expectClose(levels[2], 0.0006, relativeTolerance: 0.05)
    }

    @Test("γ(L) agrees bit for bit with meta_test.py's formula (fixture gamma table)")
    func scaleMatchesReference() throws {
        for entry in try MLRSNetReference.load().gamma {
            let ours = MLRSNetScaleRule.absoluteReferenceScale(loss: entry.loss, classCount: entry.numClasses)
            #expect(
                ours.bitPattern == entry.gamma.bitPattern,
                "L=\(entry.loss) C=\(entry.numClasses): \(ours) vs \(entry.gamma)")
        }
        // docs/mlrsnet.md, "γ and the guard near L = 1/C": γ(ln 10; 10) = 0.669, γ(ln 100; 100) = 1.040, γ(1/C) = 0.
        expectClose(MLRSNetScaleRule.reference.scale(loss: log(10), classCount: 10), 0.669, absoluteTolerance: 5e-4)
        expectClose(MLRSNetScaleRule.reference.scale(loss: log(100), classCount: 100), 1.040, absoluteTolerance: 5e-4)
        #expect(MLRSNetScaleRule.reference.scale(loss: 0.1, classCount: 10) < 1e-16)
    }

    @Test("guarded γ: continuous, non-decreasing, never 0 for L > 0, equal to |γ| outside the dip")
    func guardedScale() {
        for classes in [2, 10, 100, 1000] {
            let peakLoss = MLRSNetScaleRule.peakLoss(classCount: classes)
            let peak = MLRSNetScaleRule.peakScale(classCount: classes)
            // docs/mlrsnet.md: the maximum of |γ| below 1/C is e^-1/(2 C^(3/4)) at e^-2/C.
            expectClose(
                MLRSNetScaleRule.reference.scale(loss: peakLoss, classCount: classes), peak, relativeTolerance: 1e-12)
            var previous = 0.0
            for index in 1...4000 {
                let loss = 1e-6 * pow(1e7 / 1e-6, Double(index) / 4000) / Double(classes) * 10  // log sweep
                let guarded = MLRSNetScaleRule.guarded.scale(loss: loss, classCount: classes)
                let reference = MLRSNetScaleRule.reference.scale(loss: loss, classCount: classes)
                #expect(guarded >= previous * (1 - 1e-12), "C=\(classes) L=\(loss)")
                #expect(guarded > 0)
                #expect(guarded >= reference)
                if loss < peakLoss || reference > peak { #expect(guarded == reference) }
                previous = guarded
            }
            #expect(MLRSNetScaleRule.guarded.scale(loss: 1 / Double(classes), classCount: classes) == peak)
        }
        // C = 10: the peak is 0.0327 (docs/mlrsnet.md).
        expectClose(MLRSNetScaleRule.peakScale(classCount: 10), 0.0327, absoluteTolerance: 5e-5)
    }

    @Test("the LSTM state is carried across net switches (not reset)")
    func stateCarriedAcrossSwitch() throws {
        var scheduler = try Self.synthetic(switchSteps: [3, 6])
        let sequence = Self.losses(4)
        for loss in sequence.prefix(3) { try scheduler.step(Self.observation(loss)) }
        let carried = scheduler.cellState
        try scheduler.step(Self.observation(sequence[3]))
        // Net 2 applied to the carried state, and to a fresh state, by hand:
        let cell = MLRSNetCell(weights: SyntheticNet.weights(seed: 11))
        var fromCarried = carried, fromZero = MLRSNetCellState.zero
        let expected = cell(Float(sequence[3]), state: &fromCarried)
        let reset = cell(Float(sequence[3]), state: &fromZero)
        let gamma = MLRSNetScaleRule.guarded.scale(loss: sequence[3], classCount: 10)
        #expect(scheduler.stage == 1)
        #expect(scheduler.scale == gamma)
        #expect(scheduler.learningRates == [Double(expected) * gamma, Double(expected) * gamma])
        #expect(scheduler.cellState == fromCarried)
        #expect(expected != reset)
    }

    @Test("every group gets γ·a_t; base rates are only η(0)")
    func baseRates() throws {
        var scheduler = try MLRSNetScheduler(
            nets: [SyntheticNet.weights(seed: 1)], switchSteps: [], classCount: 10, initialLoss: 2.3,
            baseRates: [0.1, 0.01, 0])
        #expect(scheduler.learningRates == [0.1, 0.01, 0])
        #expect(scheduler.cadence == .perUpdate)
        try scheduler.step(Self.observation(2.2))
        var state = MLRSNetCellState.zero
        let output = MLRSNetCell(weights: SyntheticNet.weights(seed: 1))(Float(2.2), state: &state)
        let rate = Double(output) * MLRSNetScaleRule.guarded.scale(loss: 2.3, classCount: 10)
        #expect(scheduler.learningRates == [rate, rate, rate])

        // A −0.0 base rate is reported as +0.0, so the state before the first step survives a JSON
        // round trip bit for bit (JSON writes −0.0 as "-0", which StateValue reads back as the integer 0).
        let signed = try MLRSNetScheduler(
            nets: [SyntheticNet.weights(seed: 1)], switchSteps: [], classCount: 10, initialLoss: 2.3, baseRates: [-0.0])
        #expect(signed.learningRates.map(\.bitPattern) == [0])
        let value = try StateValue(encoding: signed.state)
        let back = try value.decode(MLRSNetScheduler.State.self)
        #expect(back.learningRates.map(\.bitPattern) == signed.state.learningRates.map(\.bitPattern))
    }

    @Test("save and restore at every step continues bit-identically (typed state and StateValue JSON)")
    func resumeAtEveryStep() throws {
        let sequence = Self.losses(14)
        var full = try Self.synthetic()
        var trajectory: [[UInt64]] = []
        var states: [MLRSNetScheduler.State] = []
        for loss in sequence {
            states.append(full.state)
            try full.step(Self.observation(loss))
            trajectory.append(full.learningRates.map(\.bitPattern))
        }
        for split in sequence.indices {
            var resumed = try Self.synthetic()
            try resumed.restore(states[split])
            var erased = AnyScheduler(try Self.synthetic())
            let json = try StateCoding.encoder().encode(StateValue(encoding: states[split]))
            try erased.restore(StateCoding.decoder().decode(StateValue.self, from: json))
            for index in split..<sequence.count {
                try resumed.step(Self.observation(sequence[index]))
                try erased.step(Self.observation(sequence[index]))
                #expect(resumed.learningRates.map(\.bitPattern) == trajectory[index], "split \(split) step \(index)")
                #expect(erased.learningRates.map(\.bitPattern) == trajectory[index], "split \(split) step \(index)")
            }
            #expect(resumed.state == full.state)
        }
    }

    @Test("invalid observations are rejected before any state changes")
    func invalidObservations() throws {
        var scheduler = try Self.synthetic()
        try scheduler.step(Self.observation(1.5))
        let before = scheduler.state
        for (observation, value) in [
            (Observation(), "nil"), (Observation(losses: []), "[]"),
            (Self.observation(.nan), "nan"), (Self.observation(-0.5), "-0.5"),
            (Self.observation(.infinity), "inf"), (Self.observation(1e39), "1e+39"),
        ] {
            #expect(
                throws: SchedulerError.invalidObservation(
                    step: 1, field: "losses", value: value,
                    reason: value == "nil" || value == "[]"
                        ? "MLR-SNet needs the current batch loss as the last element"
                        : "the batch loss must be finite, >= 0 and within float32 range")
            ) {
                try scheduler.step(observation)
            }
            #expect(scheduler.state == before)
        }
        // The last element is the current loss; earlier ones are ignored.
        var other = try Self.synthetic()
        try other.step(Observation(losses: [.nan, 7, 1.5]))
        #expect(other.state == before)
    }

    @Test("invalid arguments are rejected, naming the argument")
    func invalidArguments() {
        let net = SyntheticNet.weights(seed: 1)
        func name(_ build: () throws(SchedulerError) -> MLRSNetScheduler) -> String? {
            do { _ = try build(); return nil } catch {
                if case let .invalidArgument(name, _, _) = error { return name }
                return "\(error)"
            }
        }
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(nets: [], switchSteps: [], classCount: 10, initialLoss: 2, baseRates: [1])
            } == "nets")
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(nets: [net, net], switchSteps: [], classCount: 10, initialLoss: 2, baseRates: [1])
            } == "switchSteps")
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(
                    nets: [net, net, net], switchSteps: [5, 5], classCount: 10, initialLoss: 2, baseRates: [1])
            } == "switchSteps[1]")
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(
                    nets: [net, net], switchSteps: [0], classCount: 10, initialLoss: 2, baseRates: [1])
            } == "switchSteps[0]")
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(nets: [net], switchSteps: [], classCount: 1, initialLoss: 2, baseRates: [1])
            } == "classCount")
        for loss in [0, -1, Double.nan, .infinity] {
            #expect(
                name { () throws(SchedulerError) in
                    try MLRSNetScheduler(
                        nets: [net], switchSteps: [], classCount: 10, initialLoss: loss, baseRates: [1])
                } == "initialLoss")
        }
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(nets: [net], switchSteps: [], classCount: 10, initialLoss: 2, baseRates: [])
            } == "baseRates")
        #expect(
            name { () throws(SchedulerError) in
                try MLRSNetScheduler(
                    nets: [net], switchSteps: [], classCount: 10, initialLoss: 2, baseRates: [0.1, -1])
            } == "baseRates[1]")
    }

    @Test("restore rejects states of another version, configuration or shape, leaving the scheduler unchanged")
    func invalidStates() throws {
        var scheduler = try Self.synthetic()
        for loss in Self.losses(5) { try scheduler.step(Self.observation(loss)) }
        let good = scheduler.state
        var mutations: [(String, MLRSNetScheduler.State)] = []
        var state = good; state.version = 2; mutations.append(("version", state))
        state = good; state.stage = 0; mutations.append(("stage", state))
        state = good; state.scale = .nan; mutations.append(("scale", state))
        state = good; state.learningRates = [0.1]; mutations.append(("learningRates", state))
        state = good; state.hidden.removeLast(); mutations.append(("hidden/cell", state))
        state = good; state.cell[3] = Float.nan.bitPattern; mutations.append(("hidden/cell", state))
        state = good; state.stepCount = -1; mutations.append(("stepCount", state))
        state = try Self.synthetic(switchSteps: [4, 10]).state; mutations.append(("configuration", state))
        state = try Self.synthetic(rule: .reference).state; mutations.append(("configuration", state))
        state = try Self.synthetic(convention: .metaTrain).state; mutations.append(("configuration", state))
        for (field, bad) in mutations {
            var target = try Self.synthetic()
            try target.restore(good)
            do {
                try target.restore(bad)
                Issue.record("\(field): accepted")
            } catch {
                guard case .invalidState(let reported, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(reported == field)
            }
            #expect(target.state == good)
        }
    }
}
