import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// Named properties of every scheduler over seeded sweeps (SplitMix64, seeds 0..<N): the expected
/// values come from the schedules' definitions (bounds, monotone phases), never from recorded outputs.
@Suite("Scheduler properties")
struct SchedulerPropertyTests {
    static let seeds: [UInt64] = Array(0..<300)

    /// Runs `steps` steps of a scheduler built from a random configuration, feeding random metrics.
    static func trajectory(_ scheduler: inout AnyScheduler, metrics: [Double]) throws -> [[Double]] {
        var rates = [scheduler.learningRates]
        for metric in metrics {
            try scheduler.step(Observation(metric: metric))
            rates.append(scheduler.learningRates)
        }
        return rates
    }

    @Test("bounded: every closed form stays inside its definition's range", arguments: seeds)
    func bounded(seed: UInt64) throws {
        var random = RandomSchedulerConfigurations(rng: SplitMix64(seed: seed))
        let baseRates = random.baseRates()
        let object = random.closedForm(groups: baseRates.count)
        let configuration = try SchedulerConfiguration(.object(object))
        var scheduler = try configuration.makeScheduler(baseRates: baseRates)
        for step in 0...150 {
            if step > 0 { try scheduler.step() }
            for (group, rate) in scheduler.learningRates.enumerated() {
                let (low, high) = Self.bounds(object, baseRate: baseRates[group])
                // Interpolations of the form (end − start)·pct + start (PyTorch's linear one-cycle and
                // cyclic triangle) are exact only to rounding at the scale of the larger endpoint.
                let slack = 4 * high.ulp
                #expect(
                    rate.isFinite && rate >= low * (1 - 1e-12) - slack && rate <= high * (1 + 1e-12) + slack,
                    "seed \(seed) \(configuration.name) step \(step): \(rate) not in [\(low), \(high)]")
            }
            if let momenta = scheduler.momenta, case .double(let low)? = object["baseMomentum"],
                case .double(let high)? = object["maxMomentum"]
            {
                for momentum in momenta { #expect(momentum >= low - 1e-15 && momentum <= high + 1e-15) }
            }
        }
    }

    /// The range each definition allows (see the schedules' documentation), for γ ≤ 1 configurations.
    static func bounds(_ object: [String: StateValue], baseRate: Double) -> (Double, Double) {
        func number(_ key: String) -> Double { object[key].flatMap(\.double) ?? 0 }
        switch object["name"] {
        case .string("cosine")?, .string("cosineWarmRestarts")?:
            return (min(number("etaMin"), baseRate), max(number("etaMin"), baseRate))
        case .string("cyclic")?:
            return (min(number("baseLR"), number("maxLR")), max(number("baseLR"), number("maxLR")))
        case .string("oneCycle")?:
            let maxLR = number("maxLR")
            return (maxLR / number("divFactor") / number("finalDivFactor"), maxLR)
        case .string("warmupStableDecay")?:
            return (0, baseRate)
        default:
            return (0, baseRate)
        }
    }

    @Test("monotone: decays never increase inside a decay phase", arguments: seeds)
    func monotone(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let base = Double.random(in: 1e-4...1, using: &rng)
        let tMax = Int.random(in: 1...60, using: &rng)
        let cosine = try CosineAnnealingSchedule(tMax: tMax, etaMin: base * Double.random(in: 0...0.5, using: &rng))
        let exponential = try ExponentialSchedule(gamma: Double.random(in: 0.5...1, using: &rng))
        let step = try StepSchedule(
            stepSize: Int.random(in: 1...9, using: &rng), gamma: Double.random(in: 0...1, using: &rng))
        let polynomial = try PolynomialSchedule(totalIters: tMax, power: Double.random(in: 0...3, using: &rng))
        let restarts = try CosineWarmRestartsSchedule(
            t0: Int.random(in: 1...8, using: &rng), tMult: Int.random(in: 1...3, using: &rng))
        let total = Int.random(in: 20...200, using: &rng)
        let oneCycle = try OneCycleSchedule(
            maxLR: base, totalSteps: total, pctStart: Double.random(in: 0.1...0.9, using: &rng),
            annealStrategy: Bool.random(using: &rng) ? .cos : .linear)
        let wsd = try WarmupStableDecaySchedule(
            numWarmupSteps: Int.random(in: 0...10, using: &rng), numStableSteps: Int.random(in: 0...10, using: &rng),
            numDecaySteps: Int.random(in: 1...40, using: &rng),
            decayType: WarmupStableDecayShape.allCases.randomElement(using: &rng) ?? .linear,
            minLRRatio: Double.random(in: 0...0.5, using: &rng))
        let warmupEnd = Int((oneCycle.pctStart * Double(total) - 1).rounded(.down))
        for t in 0..<300 {
            let next = t + 1
            if t < tMax {  // cosine decays on [0, tMax]
                #expect(cosine.learningRate(at: next, baseRate: base) <= cosine.learningRate(at: t, baseRate: base))
                #expect(
                    polynomial.learningRate(at: next, baseRate: base) <= polynomial.learningRate(at: t, baseRate: base))
            }
            #expect(
                exponential.learningRate(at: next, baseRate: base) <= exponential.learningRate(at: t, baseRate: base))
            #expect(step.learningRate(at: next, baseRate: base) <= step.learningRate(at: t, baseRate: base))
            if restarts.cyclePosition(at: next).current != 0 {  // inside one cycle
                #expect(restarts.learningRate(at: next, baseRate: base) <= restarts.learningRate(at: t, baseRate: base))
            }
            let (up, down) = (
                oneCycle.learningRate(at: t, baseRate: base), oneCycle.learningRate(at: next, baseRate: base)
            )
            if next <= warmupEnd { #expect(down >= up, "one-cycle warm-up at \(t)") }
            if t > warmupEnd { #expect(down <= up, "one-cycle anneal at \(t): \(up) -> \(down)") }
            if t >= wsd.numWarmupSteps {
                #expect(wsd.learningRate(at: next, baseRate: base) <= wsd.learningRate(at: t, baseRate: base))
            }
        }
        // A plateau scheduler never raises a rate.
        var random = RandomSchedulerConfigurations(rng: rng)
        var plateau = try SchedulerConfiguration(.object(random.plateau(groups: 2))).makeScheduler(baseRates: [
            base, base / 3,
        ])
        let rates = try Self.trajectory(&plateau, metrics: random.metrics(count: 100))
        for index in rates.indices.dropFirst() {
            #expect(zip(rates[index], rates[index - 1]).allSatisfy { $0 <= $1 })
        }
    }

    @Test("continuous at joins: no jump larger than one step of the adjacent phase", arguments: seeds)
    func continuousAtJoins(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let base = Double.random(in: 1e-3...1, using: &rng)
        // Warm-up → inner: the jump at t = W is at most one ramp increment, r₀(1 − s)/W.
        let steps = Int.random(in: 1...20, using: &rng)
        let startFactor = Double.random(in: 0...1, using: &rng)
        let tMax = Int.random(in: 1...50, using: &rng)
        var warmup = try WarmupScheduler(
            AnyScheduler(ClosedFormScheduler(CosineAnnealingSchedule(tMax: tMax), baseRates: [base])),
            steps: steps, startFactor: startFactor)
        var previous = warmup.learningRates[0]
        for t in 1...(steps + 3) {
            try warmup.step()
            let rate = warmup.learningRates[0]
            let increment = base * (1 - startFactor) / Double(steps)
            // |dη/dt| of the cosine is at most η₀·π/(2·tMax).
            let cosineStep = base * Double.pi / (2 * Double(tMax))
            #expect(
                abs(rate - previous) <= max(increment, cosineStep) * (1 + 1e-12) + 1e-300,
                "warm-up join at \(t)")
            previous = rate
        }
        // One-cycle: the phases meet at maxLR (and η_init in three phases) without a jump beyond the
        // largest in-phase step.
        let total = Int.random(in: 30...200, using: &rng)
        let three = Bool.random(using: &rng)
        let oneCycle = try OneCycleSchedule(
            maxLR: base, totalSteps: total, pctStart: Double.random(in: three ? 0.1...0.45 : 0.1...0.9, using: &rng),
            annealStrategy: Bool.random(using: &rng) ? .cos : .linear, threePhase: three)
        let values = (0..<total).map { oneCycle.learningRate(at: $0, baseRate: 0) }
        let jumps = zip(values.dropFirst(), values).map { abs($0 - $1) }
        // A linear ramp over n steps moves (max − init)/n per step; cos at most π/2 times that.
        let shortest = max(1.0, min(oneCycle.pctStart * Double(total) - 1, Double(total) * (1 - oneCycle.pctStart)))
        let bound = (base - oneCycle.minLR) / shortest * Double.pi / 2 * 2
        #expect(jumps.allSatisfy { $0 <= bound }, "seed \(seed): max jump \(jumps.max() ?? 0) > \(bound)")
        // Warmup–stable–decay: entering the stable phase and entering the decay are continuous to one step.
        let wsd = try WarmupStableDecaySchedule(
            numWarmupSteps: Int.random(in: 1...20, using: &rng), numStableSteps: Int.random(in: 0...20, using: &rng),
            numDecaySteps: Int.random(in: 1...40, using: &rng), decayType: .linear)
        let stableStart = wsd.numWarmupSteps, decayStart = stableStart + wsd.numStableSteps
        #expect(
            abs(wsd.factor(at: stableStart) - wsd.factor(at: stableStart - 1)) <= 1.0 / Double(wsd.numWarmupSteps)
                + 1e-15)
        #expect(wsd.factor(at: decayStart) == 1.0)
    }

    @Test("save → JSON → restore at every step continues bit-identically", arguments: Array(seeds.prefix(150)))
    func saveRestore(seed: UInt64) throws {
        var random = RandomSchedulerConfigurations(rng: SplitMix64(seed: seed))
        let baseRates = random.baseRates()
        let configuration = try SchedulerConfiguration(random.any(groups: baseRates.count))
        let metrics = random.metrics(count: 60)
        var original = try configuration.makeScheduler(baseRates: baseRates)
        for k in 0..<40 {
            // Round-trip the state through JSON text into a freshly built scheduler.
            let data = try StateCoding.encoder().encode(original.state)
            var restored = try configuration.makeScheduler(baseRates: baseRates)
            try restored.restore(StateCoding.decoder().decode(StateValue.self, from: data))
            var reference = original
            for lookahead in 0..<5 {
                #expect(
                    restored.learningRates.map(\.bitPattern) == reference.learningRates.map(\.bitPattern),
                    "seed \(seed) saved at \(k), \(lookahead) steps later")
                #expect(restored.momenta?.map(\.bitPattern) == reference.momenta?.map(\.bitPattern))
                #expect(restored.stepCount == reference.stepCount)
                let observation = Observation(metric: metrics[k + lookahead])
                try reference.step(observation)
                try restored.step(observation)
            }
            try original.step(Observation(metric: metrics[k]))
        }
    }
}

extension StateValue {
    var double: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }
}
