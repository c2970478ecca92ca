import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// Every invalid construction argument throws `invalidArgument` naming the parameter (and, through a
/// configuration, the field path), and an invalid observation leaves the scheduler unchanged.
@Suite("Scheduler argument validation")
struct SchedulerValidationTests {
    /// A constructor call that must fail, and the parameter name the error must carry.
    struct Invalid: Sendable, CustomTestStringConvertible {
        var parameter: String
        var label: String
        var make: @Sendable () throws -> Void
        var testDescription: String { "\(label) → \(parameter)" }
    }

    static let invalid: [Invalid] = [
        Invalid(parameter: "stepSize", label: "step stepSize 0") { _ = try StepSchedule(stepSize: 0) },
        Invalid(parameter: "gamma", label: "step gamma -1") { _ = try StepSchedule(stepSize: 1, gamma: -1) },
        Invalid(parameter: "gamma", label: "step gamma nan") { _ = try StepSchedule(stepSize: 1, gamma: .nan) },
        Invalid(parameter: "milestones[1]", label: "multiStep negative") {
            _ = try MultiStepSchedule(milestones: [2, -1])
        },
        Invalid(parameter: "gamma", label: "multiStep gamma inf") {
            _ = try MultiStepSchedule(milestones: [1], gamma: .infinity)
        },
        Invalid(parameter: "factor", label: "constant factor 1.5") { _ = try ConstantSchedule(factor: 1.5) },
        Invalid(parameter: "factor", label: "constant factor -0.1") { _ = try ConstantSchedule(factor: -0.1) },
        Invalid(parameter: "totalIters", label: "constant totalIters 0") { _ = try ConstantSchedule(totalIters: 0) },
        Invalid(parameter: "startFactor", label: "linear start 0") { _ = try LinearSchedule(startFactor: 0) },
        Invalid(parameter: "startFactor", label: "linear start 1.1") { _ = try LinearSchedule(startFactor: 1.1) },
        Invalid(parameter: "endFactor", label: "linear end 2") { _ = try LinearSchedule(endFactor: 2) },
        Invalid(parameter: "totalIters", label: "linear totalIters 0") { _ = try LinearSchedule(totalIters: 0) },
        Invalid(parameter: "gamma", label: "exponential gamma -0.5") { _ = try ExponentialSchedule(gamma: -0.5) },
        Invalid(parameter: "totalIters", label: "polynomial totalIters 0") {
            _ = try PolynomialSchedule(totalIters: 0)
        },
        Invalid(parameter: "power", label: "polynomial power -1") { _ = try PolynomialSchedule(power: -1) },
        Invalid(parameter: "tMax", label: "cosine tMax 0") { _ = try CosineAnnealingSchedule(tMax: 0) },
        Invalid(parameter: "etaMin", label: "cosine etaMin -1") {
            _ = try CosineAnnealingSchedule(tMax: 3, etaMin: -1)
        },
        Invalid(parameter: "t0", label: "restarts t0 0") { _ = try CosineWarmRestartsSchedule(t0: 0) },
        Invalid(parameter: "tMult", label: "restarts tMult 0") { _ = try CosineWarmRestartsSchedule(t0: 2, tMult: 0) },
        Invalid(parameter: "etaMin", label: "restarts etaMin nan") {
            _ = try CosineWarmRestartsSchedule(t0: 2, etaMin: .nan)
        },
        Invalid(parameter: "baseLR", label: "cyclic baseLR -1") { _ = try CyclicSchedule(baseLR: -1, maxLR: 1) },
        Invalid(parameter: "maxLR", label: "cyclic maxLR inf") { _ = try CyclicSchedule(baseLR: 0, maxLR: .infinity) },
        Invalid(parameter: "stepSizeUp", label: "cyclic up 0") {
            _ = try CyclicSchedule(baseLR: 0, maxLR: 1, stepSizeUp: 0)
        },
        Invalid(parameter: "stepSizeDown", label: "cyclic down -1") {
            _ = try CyclicSchedule(baseLR: 0, maxLR: 1, stepSizeDown: -1)
        },
        Invalid(parameter: "gamma", label: "cyclic gamma 0") { _ = try CyclicSchedule(baseLR: 0, maxLR: 1, gamma: 0) },
        Invalid(parameter: "gamma", label: "cyclic gamma 1.5") {
            _ = try CyclicSchedule(baseLR: 0, maxLR: 1, gamma: 1.5)
        },
        Invalid(parameter: "baseMomentum", label: "cyclic baseMomentum 2") {
            _ = try CyclicSchedule(baseLR: 0, maxLR: 1, baseMomentum: 2)
        },
        Invalid(parameter: "maxMomentum", label: "cyclic maxMomentum -1") {
            _ = try CyclicSchedule(baseLR: 0, maxLR: 1, maxMomentum: -1)
        },
        Invalid(parameter: "maxLR", label: "oneCycle maxLR 0") { _ = try OneCycleSchedule(maxLR: 0, totalSteps: 10) },
        Invalid(parameter: "totalSteps", label: "oneCycle totalSteps 1") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 1)
        },
        Invalid(parameter: "pctStart", label: "oneCycle pctStart 1.2") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, pctStart: 1.2)
        },
        Invalid(parameter: "pctStart", label: "oneCycle pctStart·T = 1") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, pctStart: 0.1)
        },
        Invalid(parameter: "pctStart", label: "oneCycle pctStart 1") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, pctStart: 1)
        },
        Invalid(parameter: "pctStart", label: "oneCycle three-phase 0.6") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, pctStart: 0.6, threePhase: true)
        },
        Invalid(parameter: "divFactor", label: "oneCycle divFactor 0") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, divFactor: 0)
        },
        Invalid(parameter: "finalDivFactor", label: "oneCycle finalDivFactor -1") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, finalDivFactor: -1)
        },
        Invalid(parameter: "baseMomentum", label: "oneCycle baseMomentum 1.5") {
            _ = try OneCycleSchedule(maxLR: 1, totalSteps: 10, baseMomentum: 1.5)
        },
        Invalid(parameter: "numWarmupSteps", label: "rsqrt warmup -1") {
            _ = try InverseSquareRootSchedule(numWarmupSteps: -1)
        },
        Invalid(parameter: "timescale", label: "rsqrt timescale 0") { _ = try InverseSquareRootSchedule(timescale: 0) },
        Invalid(parameter: "numDecaySteps", label: "wsd decay -1") {
            _ = try WarmupStableDecaySchedule(numWarmupSteps: 1, numStableSteps: 1, numDecaySteps: -1)
        },
        Invalid(parameter: "minLRRatio", label: "wsd ratio 2") {
            _ = try WarmupStableDecaySchedule(numWarmupSteps: 1, numStableSteps: 1, numDecaySteps: 1, minLRRatio: 2)
        },
        Invalid(parameter: "numCycles", label: "wsd cycles 0") {
            _ = try WarmupStableDecaySchedule(numWarmupSteps: 1, numStableSteps: 1, numDecaySteps: 1, numCycles: 0)
        },
        Invalid(parameter: "baseRates", label: "no groups") {
            _ = try ClosedFormScheduler(ExponentialSchedule(gamma: 0.9), baseRates: [])
        },
        Invalid(parameter: "baseRates[1]", label: "negative base rate") {
            _ = try ClosedFormScheduler(ExponentialSchedule(gamma: 0.9), baseRates: [0.1, -0.1])
        },
        Invalid(parameter: "factor", label: "plateau factor 1") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], factor: 1)
        },
        Invalid(parameter: "patience", label: "plateau patience -1") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], patience: -1)
        },
        Invalid(parameter: "threshold", label: "plateau threshold nan") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], threshold: .nan)
        },
        Invalid(parameter: "cooldown", label: "plateau cooldown -2") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], cooldown: -2)
        },
        Invalid(parameter: "minLR", label: "plateau minLR list length") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1, 0.2], minLR: [0.0])
        },
        Invalid(parameter: "minLR[0]", label: "plateau minLR negative") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], minLR: [-1.0])
        },
        Invalid(parameter: "eps", label: "plateau eps -1") {
            _ = try ReduceOnPlateauScheduler(baseRates: [0.1], eps: -1)
        },
        Invalid(parameter: "schedulers", label: "sequential empty") {
            _ = try SequentialScheduler(schedulers: [], milestones: [])
        },
        Invalid(parameter: "milestones", label: "sequential milestone count") {
            _ = try SequentialScheduler(schedulers: [exponential(), exponential()], milestones: [])
        },
        Invalid(parameter: "milestones[1]", label: "sequential not increasing") {
            _ = try SequentialScheduler(schedulers: [exponential(), exponential(), exponential()], milestones: [5, 5])
        },
        Invalid(parameter: "milestones[0]", label: "sequential milestone 0") {
            _ = try SequentialScheduler(schedulers: [exponential(), exponential()], milestones: [0])
        },
        Invalid(parameter: "schedulers[1]", label: "sequential group mismatch") {
            _ = try SequentialScheduler(schedulers: [exponential(), exponential(groups: 2)], milestones: [3])
        },
        Invalid(parameter: "cadence", label: "sequential cadence disagreement") {
            let cyclic = try AnyScheduler(ClosedFormScheduler(CyclicSchedule(baseLR: 0, maxLR: 1), baseRates: [0.1]))
            _ = try SequentialScheduler(schedulers: [exponential(), cyclic], milestones: [3])
        },
        Invalid(parameter: "schedulers", label: "chained group mismatch") {
            _ = try ChainedScheduler(schedulers: [exponential()], baseRates: [0.1, 0.2])
        },
        Invalid(parameter: "steps", label: "warmup steps 0") { _ = try WarmupScheduler(exponential(), steps: 0) },
        Invalid(parameter: "startFactor", label: "warmup startFactor 2") {
            _ = try WarmupScheduler(exponential(), steps: 3, startFactor: 2)
        },
    ]

    static func exponential(groups: Int = 1) throws(SchedulerError) -> AnyScheduler {
        AnyScheduler(
            try ClosedFormScheduler(ExponentialSchedule(gamma: 0.9), baseRates: Array(repeating: 0.1, count: groups)))
    }

    @Test("every invalid argument throws naming the parameter", arguments: invalid)
    func invalidArgumentThrows(_ case: Invalid) {
        do {
            try `case`.make()
            Issue.record("\(`case`.label) did not throw")
        } catch {
            guard let error = error as? SchedulerError, case let .invalidArgument(name, _, reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(name == `case`.parameter, "\(`case`.label): \(error)")
            #expect(!reason.isEmpty)
        }
    }

    @Test("a missing or NaN metric is rejected before any change, also inside composites")
    func invalidMetricIsAtomic() throws {
        let plateau = try ReduceOnPlateauScheduler(baseRates: [0.1, 0.2], patience: 0)
        var chained = try ChainedScheduler(
            schedulers: [
                AnyScheduler(
                    ClosedFormScheduler(
                        ExponentialSchedule(gamma: 0.5), baseRates: [0.1, 0.2],
                        cadence: .perEpoch)), AnyScheduler(plateau),
            ],
            baseRates: [0.1, 0.2])
        try chained.step(Observation(metric: 1.0))
        try chained.step(Observation(metric: 2.0))
        let before = chained.state
        for bad in [Observation(), Observation(metric: .nan)] {
            #expect(throws: SchedulerError.self) { try chained.step(bad) }
            do {
                try chained.step(bad)
            } catch {
                // The error is reported at the composite's own step counter.
                guard case let .invalidObservation(step, field, _, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(step == 2 && field == "metric")
            }
            // The exponential child was not advanced either: the whole step was rejected.
            #expect(chained.state == before)
        }
    }

    /// Seeded sweep: take a random valid configuration, break one numeric field (NaN for a number,
    /// −1 for an integer — invalid for every field by the documented ranges) and check the error names
    /// exactly that field.
    @Test("a broken field is named in the error", arguments: Array(UInt64(0)..<300))
    func brokenFieldIsNamed(seed: UInt64) throws {
        var random = RandomSchedulerConfigurations(rng: SplitMix64(seed: seed))
        let baseRates = random.baseRates()
        var object =
            seed % 4 == 0 ? random.plateau(groups: baseRates.count) : random.closedForm(groups: baseRates.count)
        let candidates = object.keys.sorted().filter { key in
            switch object[key] {
            case .double?, .int?: return true
            case .array(let items)?: return !items.isEmpty
            default: return false
            }
        }
        guard !candidates.isEmpty else { return }  // e.g. multiStep with no milestones and gamma only
        var rng = SplitMix64(seed: seed &+ 1_000_003)
        let key = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
        switch object[key] {
        case .int?: object[key] = .int(-1)
        case .array(let items)?:
            var broken = items
            broken[0] = items[0] == .null ? .int(-1) : (items[0].isInteger ? .int(-1) : .double(.nan))
            object[key] = .array(broken)
        default: object[key] = .double(.nan)
        }
        do {
            _ = try SchedulerConfiguration(.object(object)).makeScheduler(baseRates: baseRates)
            Issue.record("seed \(seed): breaking \(key) was accepted: \(object)")
        } catch {
            guard case let .invalidArgument(name, _, _) = error else {
                Issue.record("seed \(seed): unexpected \(error)")
                return
            }
            #expect(name == "scheduler.\(key)" || name.hasPrefix("scheduler.\(key)["), "seed \(seed): \(error)")
        }
    }
}

extension StateValue {
    var isInteger: Bool { if case .int = self { return true } else { return false } }
}
