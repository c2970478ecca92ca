import Foundation
import Glidepath

/// Random but valid scheduler configurations (the JSON objects `SchedulerConfiguration` reads), drawn
/// from an injected generator.
struct RandomSchedulerConfigurations<Generator: RandomNumberGenerator> {
    var rng: Generator

    mutating func int(_ range: ClosedRange<Int>) -> StateValue { .int(Int.random(in: range, using: &rng)) }
    mutating func number(_ range: ClosedRange<Double>) -> StateValue { .double(Double.random(in: range, using: &rng)) }
    mutating func logNumber(_ low: Double, _ high: Double) -> Double {
        exp(Double.random(in: log(low)...log(high), using: &rng))
    }
    mutating func flag() -> StateValue { .bool(Bool.random(using: &rng)) }
    mutating func pick(_ options: [String]) -> StateValue { .string(options.randomElement(using: &rng) ?? options[0]) }

    /// Base rates for 1–3 groups.
    mutating func baseRates() -> [Double] {
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in logNumber(1e-4, 1.0) }
    }

    /// A closed-form configuration with a decaying (γ ≤ 1) or bounded shape.
    mutating func closedForm(groups: Int) -> [String: StateValue] {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return ["name": .string("step"), "stepSize": int(1...10), "gamma": number(0...1)]
        case 1:
            let milestones = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                StateValue.int(Int.random(in: 0...40, using: &rng))
            }
            return ["name": .string("multiStep"), "milestones": .array(milestones), "gamma": number(0...1)]
        case 2: return ["name": .string("constant"), "factor": number(0...1), "totalIters": int(1...20)]
        case 3:
            return [
                "name": .string("linear"), "startFactor": number(0.01...1), "endFactor": number(0...1),
                "totalIters": int(1...30),
            ]
        case 4: return ["name": .string("exponential"), "gamma": number(0.5...1)]
        case 5: return ["name": .string("polynomial"), "totalIters": int(1...40), "power": number(0...3)]
        case 6: return ["name": .string("cosine"), "tMax": int(1...40), "etaMin": .double(logNumber(1e-7, 1e-4))]
        case 7:
            return [
                "name": .string("cosineWarmRestarts"), "t0": int(1...10), "tMult": int(1...3),
                "etaMin": .double(logNumber(1e-7, 1e-4)),
            ]
        case 8:
            let base = logNumber(1e-5, 1e-2)
            return [
                "name": .string("cyclic"), "baseLR": .double(base), "maxLR": .double(base * logNumber(1.5, 100)),
                "stepSizeUp": int(1...12), "stepSizeDown": int(0...12),
                "mode": pick(CyclicMode.allCases.map(\.rawValue)), "gamma": number(0.9...1),
                "cycleMomentum": flag(), "baseMomentum": number(0.7...0.85), "maxMomentum": number(0.85...0.99),
            ]
        case 9:
            let total = Int.random(in: 20...120, using: &rng)
            let three = Bool.random(using: &rng)
            return [
                "name": .string("oneCycle"), "maxLR": .double(logNumber(1e-3, 1)), "totalSteps": .int(total),
                "pctStart": number(three ? 0.1...0.45 : 0.1...0.9),
                "annealStrategy": pick(AnnealStrategy.allCases.map(\.rawValue)), "threePhase": .bool(three),
                "divFactor": number(2...50), "finalDivFactor": number(2...1e4), "cycleMomentum": flag(),
            ]
        case 10: return ["name": .string("inverseSquareRoot"), "numWarmupSteps": int(0...20)]
        default:
            return [
                "name": .string("warmupStableDecay"), "numWarmupSteps": int(0...15), "numStableSteps": int(0...15),
                "numDecaySteps": int(0...30), "warmupType": pick(WarmupStableDecayShape.allCases.map(\.rawValue)),
                "decayType": pick(WarmupStableDecayShape.allCases.map(\.rawValue)), "minLRRatio": number(0...0.5),
            ]
        }
    }

    mutating func plateau(groups: Int) -> [String: StateValue] {
        [
            "name": .string("reduceOnPlateau"), "mode": pick(["min", "max"]), "factor": number(0.1...0.9),
            "patience": int(0...4), "threshold": number(0...0.05), "thresholdMode": pick(["rel", "abs"]),
            "cooldown": int(0...3), "minLR": .double(logNumber(1e-7, 1e-5)), "eps": .double(logNumber(1e-12, 1e-8)),
            "cadence": .string("perUpdate"),
        ]
    }

    /// Any scheduler, composites (which may hold plateau schedulers) included. Every child is stepped per
    /// update so composites agree on cadence.
    mutating func any(groups: Int, depth: Int = 0) -> StateValue {
        let roll = Int.random(in: 0..<10, using: &rng)
        var object: [String: StateValue]
        if depth < 2 && roll == 0 {
            let count = Int.random(in: 2...3, using: &rng)
            var milestone = 0
            let milestones = (0..<(count - 1)).map { _ -> StateValue in
                milestone += Int.random(in: 1...15, using: &rng)
                return .int(milestone)
            }
            object = [
                "name": .string("sequential"), "milestones": .array(milestones),
                "schedulers": .array((0..<count).map { _ in any(groups: groups, depth: depth + 1) }),
            ]
        } else if depth < 2 && roll == 1 {
            let count = Int.random(in: 2...3, using: &rng)
            object = [
                "name": .string("chained"),
                "schedulers": .array((0..<count).map { _ in any(groups: groups, depth: depth + 1) }),
            ]
        } else if depth < 2 && roll == 2 {
            object = [
                "name": .string("warmup"), "scheduler": any(groups: groups, depth: depth + 1),
                "steps": int(1...10), "startFactor": number(0...1),
            ]
        } else if roll == 3 {
            object = plateau(groups: groups)
        } else {
            object = closedForm(groups: groups)
        }
        object["cadence"] = .string("perUpdate")
        return .object(object)
    }

    /// A metric sequence with improvements, plateaus and noise.
    mutating func metrics(count: Int) -> [Double] {
        var value = logNumber(0.1, 10)
        return (0..<count).map { _ in
            value *= Double.random(in: 0.9...1.08, using: &rng)
            return value
        }
    }
}
