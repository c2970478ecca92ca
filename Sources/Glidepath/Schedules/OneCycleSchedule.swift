import Foundation

/// How ``OneCycleSchedule`` interpolates inside a phase.
public enum AnnealStrategy: String, Sendable, Codable, CaseIterable {
    /// end + (start − end)/2·(1 + cos(π·pct)).
    case cos
    /// start + (end − start)·pct.
    case linear
}

/// The 1cycle policy: warm up from `maxLR/divFactor` to `maxLR`, then anneal to
/// `maxLR/(divFactor·finalDivFactor)`, with momentum moving the opposite way.
///
/// With T = `totalSteps`, p = `pctStart`, η_init = maxLR/divFactor and η_min = η_init/finalDivFactor:
/// * two phases: steps [0, pT−1] go η_init→maxLR (momentum maxMomentum→baseMomentum), then
///   [pT−1, T−1] go maxLR→η_min (momentum baseMomentum→maxMomentum);
/// * three phases: [0, pT−1] η_init→maxLR, [pT−1, 2pT−2] maxLR→η_init, [2pT−2, T−1] η_init→η_min
///   (momentum max→base, base→max, then held at max).
/// Inside a phase [a, b], pct = (t − a)/(b − a) and ``AnnealStrategy`` interpolates.
///
/// **After `totalSteps`:** for t ≥ T − 1 the schedule holds its value at T − 1 (η_min, and the final
/// momentum). PyTorch instead extrapolates at t = T (the linear strategy can then go negative) and
/// raises "Tried to step N times" beyond it — the gradient-accumulation / DDP failure users report.
///
/// The group's own base rate is ignored: like PyTorch, the schedule derives every rate from `maxLR`.
///
/// - Parameters:
///   - maxLR: peak rate, finite and > 0.
///   - totalSteps: T ≥ 2.
///   - pctStart: p ∈ [0, 1] with a warm-up phase of positive length (pT > 1), a two-phase decay of
///     positive length (p < 1) and, with three phases, 2pT < T + 1 (PyTorch divides by zero or runs
///     phases backwards otherwise).
///   - annealStrategy: ``AnnealStrategy``.
///   - cycleMomentum: whether momentum is scheduled.
///   - baseMomentum, maxMomentum: in [0, 1].
///   - divFactor, finalDivFactor: finite and > 0.
///   - threePhase: use the three-phase variant.
///
/// References: Smith & Topin, "Super-Convergence", arXiv 1708.07120; Smith, arXiv 1803.09820;
/// PyTorch `OneCycleLR` (`torch/optim/lr_scheduler.py`), whose `get_lr` this reproduces operation by
/// operation, so values for t ≤ T − 1 are bit-identical.
public struct OneCycleSchedule: ClosedFormSchedule {
    /// Peak rate, > 0.
    public let maxLR: Double
    /// Scheduled steps T ≥ 2; the value at T − 1 is held afterwards.
    public let totalSteps: Int
    /// Fraction p of T spent warming up.
    public let pctStart: Double
    /// Interpolation inside each phase.
    public let annealStrategy: AnnealStrategy
    /// Whether momentum is scheduled.
    public let cycleMomentum: Bool
    /// Momentum at the peak rate, in [0, 1].
    public let baseMomentum: Double
    /// Momentum at the start and the end, in [0, 1].
    public let maxMomentum: Double
    /// initialLR = maxLR / divFactor, > 0.
    public let divFactor: Double
    /// minLR = initialLR / finalDivFactor, > 0.
    public let finalDivFactor: Double
    /// Whether to use the three-phase variant.
    public let threePhase: Bool

    public static var defaultCadence: StepCadence { .perUpdate }

    public init(
        maxLR: Double, totalSteps: Int, pctStart: Double = Configuration().pctStart,
        annealStrategy: AnnealStrategy = Configuration().annealStrategy,
        cycleMomentum: Bool = Configuration().cycleMomentum,
        baseMomentum: Double = Configuration.defaultBaseMomentum,
        maxMomentum: Double = Configuration.defaultMaxMomentum, divFactor: Double = Configuration().divFactor,
        finalDivFactor: Double = Configuration().finalDivFactor, threePhase: Bool = Configuration().threePhase
    ) throws(SchedulerError) {
        typealias Check = SchedulerArgumentValidation
        try Check.positive(maxLR, "maxLR")
        try Check.atLeast(totalSteps, 2, "totalSteps")
        try Check.unitInterval(pctStart, "pctStart")
        let warmupEnd = pctStart * Double(totalSteps) - 1
        try Check.require(
            warmupEnd > 0, "pctStart", "\(pctStart)",
            "pctStart·totalSteps must be > 1 so the warm-up phase has positive length")
        if threePhase {
            let secondEnd = 2 * pctStart * Double(totalSteps) - 2
            try Check.require(
                Double(totalSteps - 1) > secondEnd, "pctStart", "\(pctStart)",
                "with threePhase, 2·pctStart·totalSteps must be < totalSteps + 1")
        } else {
            try Check.require(
                Double(totalSteps - 1) > warmupEnd, "pctStart", "\(pctStart)",
                "must be < 1 so the annealing phase has positive length")
        }
        try Check.unitInterval(baseMomentum, "baseMomentum")
        try Check.unitInterval(maxMomentum, "maxMomentum")
        try Check.positive(divFactor, "divFactor")
        try Check.positive(finalDivFactor, "finalDivFactor")
        self.maxLR = maxLR
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.annealStrategy = annealStrategy
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.threePhase = threePhase
    }

    /// The starting rate, maxLR/divFactor (PyTorch `initial_lr`).
    public var initialLR: Double { maxLR / divFactor }
    /// The final rate, initialLR/finalDivFactor (PyTorch `min_lr`).
    public var minLR: Double { initialLR / finalDivFactor }

    private struct Phase {
        var endStep: Double
        var startRate: Double, endRate: Double
        var startMomentum: Double, endMomentum: Double
    }

    private var phaseCount: Int { threePhase ? 3 : 2 }

    /// Phase `index` as PyTorch's `_schedule_phases` defines it (computed on demand: a lookup allocates
    /// nothing).
    private func phase(_ index: Int) -> Phase {
        let initial = initialLR
        switch (threePhase, index) {
        case (_, 0):
            return Phase(
                endStep: pctStart * Double(totalSteps) - 1, startRate: initial, endRate: maxLR,
                startMomentum: maxMomentum, endMomentum: baseMomentum)
        case (true, 1):
            return Phase(
                endStep: 2 * pctStart * Double(totalSteps) - 2, startRate: maxLR, endRate: initial,
                startMomentum: baseMomentum, endMomentum: maxMomentum)
        case (true, _):
            return Phase(
                endStep: Double(totalSteps - 1), startRate: initial, endRate: minLR,
                startMomentum: maxMomentum, endMomentum: maxMomentum)
        case (false, _):
            return Phase(
                endStep: Double(totalSteps - 1), startRate: maxLR, endRate: minLR,
                startMomentum: baseMomentum, endMomentum: maxMomentum)
        }
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cos: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    /// Rate and momentum after `step` steps, following PyTorch's phase search.
    private func values(at step: Int) -> (rate: Double, momentum: Double) {
        let held = Double(min(step, totalSteps - 1))
        var startStep = 0.0
        for index in 0..<phaseCount {
            let phase = self.phase(index)
            if held <= phase.endStep || index == phaseCount - 1 {
                let pct = (held - startStep) / (phase.endStep - startStep)
                return (
                    anneal(phase.startRate, phase.endRate, pct),
                    anneal(phase.startMomentum, phase.endMomentum, pct)
                )
            }
            startStep = phase.endStep
        }
        return (minLR, maxMomentum)  // unreachable: the last phase always matches
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double { values(at: step).rate }

    public func momentum(at step: Int) -> Double? {
        cycleMomentum ? values(at: step).momentum : nil
    }

    private enum CodingKeys: String, CodingKey {
        case maxLR, totalSteps, pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum
        case divFactor, finalDivFactor, threePhase
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            maxLR: c.decode(Double.self, forKey: .maxLR), totalSteps: c.decode(Int.self, forKey: .totalSteps),
            pctStart: c.decode(Double.self, forKey: .pctStart),
            annealStrategy: c.decode(AnnealStrategy.self, forKey: .annealStrategy),
            cycleMomentum: c.decode(Bool.self, forKey: .cycleMomentum),
            baseMomentum: c.decode(Double.self, forKey: .baseMomentum),
            maxMomentum: c.decode(Double.self, forKey: .maxMomentum),
            divFactor: c.decode(Double.self, forKey: .divFactor),
            finalDivFactor: c.decode(Double.self, forKey: .finalDivFactor),
            threePhase: c.decode(Bool.self, forKey: .threePhase))
    }
}
