import Foundation

/// A curvature-aware multiplier on any base schedule, driven by loss-landscape probes
/// (`docs/landscape.md`, "The landscape scheduler").
///
/// With η_base(t) the base schedule's rate and m the multiplier (m₀ = 1), the rate is η = m·η_base. At each
/// step whose observation carries a ``LandscapeSignal``:
/// 1. **Spike guard.** If the latest loss is non-finite or above `spikeFactor` × its EMA, m ← m/2
///    (clamped), one divergence event is counted, and the step ends.
/// 2. **Trust warm-up.** During the first `trustWarmup` signals m stays 1.
/// 3. **Proposal** (a rate) by `rule`:
///    `stability`: safety·T with T = 2(1+β)/λ_max for SGD with heavy-ball β, 2(1+β₁)/((1−β₁)·λ_pre) for
///    Adam (Cohen et al. 2021, arXiv 2103.00065; 2022, arXiv 2207.14484);
///    `quadratic`: safety·gᵀu/(uᵀHu);  `noise`: η_base/(1 + B_simple/B) (McCandlish et al. 2018);
///    `step`: η·ρ, ρ = −b/(2a) with b = gᵀΔ, a = L(θ+Δ) − L(θ) − b (Mutschler & Zell 2020, PAL; Zhu et al.
///    2021, LQA); `auto`: the minimum of the available ones.
/// 4. **Hold** when the chosen estimate is missing, non-finite or has non-positive curvature.
/// 5. **Smoothing and clamps.** f = clamp(proposal/η_base, minFactor, maxFactor);
///    log m ← (1−α)·log m + α·log f, with |Δ log m| ≤ log(maxChange); then m is clamped again.
///
/// A step without a signal changes nothing but the base. The base scheduler is stepped with every
/// observation first. Every raw proposal and the decision are in ``lastDecision``; state is a versioned
/// `Codable` value (large probe vectors live in the training lab's checkpoint, not here).
public struct LandscapeScheduler: LearningRateScheduler {
    public struct State: Codable, Equatable, Sendable {
        public static let currentVersion = 1
        public var version: Int
        public var base: StateValue
        public var multiplier: Double
        public var signals: Int
        public var lossAverage: Double?
        public var divergenceEvents: Int
        public var lastDecision: LandscapeDecision?
        public var stepCount: Int
    }

    public let configuration: Configuration
    public private(set) var base: AnyScheduler
    public let cadence: StepCadence
    /// η/η_base.
    public private(set) var multiplier: Double = 1
    /// Landscape signals seen so far.
    public private(set) var signals = 0
    public private(set) var lossAverage: Double?
    /// Loss spikes that halved the rate.
    public private(set) var divergenceEvents = 0
    public private(set) var lastDecision: LandscapeDecision?
    public private(set) var stepCount = 0

    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the first invalid parameter.
    public init(base: some LearningRateScheduler, configuration: Configuration = .init(), cadence: StepCadence? = nil)
        throws(SchedulerError)
    {
        try configuration.validate()
        self.configuration = configuration
        self.base = AnyScheduler(base)
        self.cadence = cadence ?? base.cadence
    }

    public var learningRates: [Double] { base.learningRates.map { $0 * multiplier } }
    public var momenta: [Double]? { base.momenta }
    /// Landscape probes, and whatever the base reads.
    public var needs: SchedulerInputs { base.needs.union(.landscape) }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        var next = self
        try next.base.step(observation)
        next.stepCount += 1
        next.advance(observation)
        self = next
    }

    private mutating func advance(_ observation: Observation) {
        let before = multiplier
        guard let signal = observation.landscape, !signal.isEmpty else {
            updateLossAverage(observation)
            lastDecision = LandscapeDecision(action: .noSignal, factorBefore: before, factorAfter: before)
            return
        }
        signals += 1
        if let loss = observation.losses?.last, isSpike(loss) {
            multiplier = clamp(multiplier / 2)
            divergenceEvents += 1
            lastDecision = LandscapeDecision(action: .halvedOnSpike, factorBefore: before, factorAfter: multiplier)
            return
        }
        updateLossAverage(observation)
        let baseRate = base.learningRates.first ?? 0
        let current = baseRate * multiplier
        var decision = proposals(signal, baseRate: baseRate, current: current)
        decision.factorBefore = before
        if signals <= configuration.trustWarmup {
            multiplier = 1
            decision.action = .warmup
        } else if let proposal = decision.proposal, proposal > 0, proposal.isFinite, baseRate > 0 {
            let target = clamp(proposal / baseRate)
            let limit = Foundation.log(configuration.maxChange)
            let alpha = configuration.smoothing
            var change = alpha * (Foundation.log(target) - Foundation.log(multiplier))
            change = min(max(change, -limit), limit)
            multiplier = clamp(multiplier * Foundation.exp(change))
            decision.action = .applied
        } else {
            decision.action = .held
        }
        decision.factorAfter = multiplier
        lastDecision = decision
    }

    /// Each rule's proposal and the chosen one (action filled in by the caller).
    func proposals(_ signal: LandscapeSignal, baseRate: Double, current: Double) -> LandscapeDecision {
        let c = configuration
        func positive(_ value: Double?) -> Double? { value.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        let lambda = (c.optimizer ?? .sgd) == .adam ? signal.preconditionedLambdaMax : signal.lambdaMax
        let stability = lambda.flatMap { c.threshold(lambda: $0) }.map { c.safety * $0 }
        let quadratic = positive(signal.quadraticStep).map { c.safety * $0 }
        var noise: Double? = nil
        if let scale = signal.noiseScale, scale >= 0, scale.isFinite,
            let batch = c.noiseBatchSize ?? signal.batchSize, batch >= 1
        {
            noise = baseRate / (1 + scale / Double(batch))
        }
        var step: Double? = nil
        if let b = signal.stepSlope, let change = signal.stepLossChange, b.isFinite, change.isFinite {
            let a = change - b
            if a > 0 && b < 0 { step = positive(current * (-b / (2 * a))) }
        }
        let chosen: Double?
        switch c.rule {
        case .stability: chosen = stability
        case .quadratic: chosen = quadratic
        case .noise: chosen = noise
        case .step: chosen = step
        case .auto: chosen = [stability, quadratic, noise, step].compactMap { $0 }.min()
        }
        return LandscapeDecision(
            action: .held, stability: stability, quadratic: quadratic, noise: noise, step: step,
            proposal: chosen, factorBefore: multiplier, factorAfter: multiplier)
    }

    private func isSpike(_ loss: Double) -> Bool {
        guard loss.isFinite else { return true }
        guard let average = lossAverage else { return false }
        return loss > configuration.spikeFactor * average
    }

    private mutating func updateLossAverage(_ observation: Observation) {
        guard let loss = observation.losses?.last, loss.isFinite else { return }
        let beta = configuration.lossSmoothing
        lossAverage = lossAverage.map { beta * $0 + (1 - beta) * loss } ?? loss
    }

    private func clamp(_ factor: Double) -> Double {
        min(max(factor, configuration.minFactor), configuration.maxFactor)
    }

    public var state: State {
        State(
            version: State.currentVersion, base: base.state, multiplier: multiplier, signals: signals,
            lossAverage: lossAverage, divergenceEvents: divergenceEvents, lastDecision: lastDecision,
            stepCount: stepCount)
    }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        guard state.version == State.currentVersion else {
            throw .invalidState(field: "version", value: "\(state.version)", reason: "expected \(State.currentVersion)")
        }
        guard state.multiplier >= configuration.minFactor, state.multiplier <= configuration.maxFactor else {
            throw .invalidState(
                field: "multiplier", value: "\(state.multiplier)",
                reason: "must lie in [minFactor, maxFactor] = [\(configuration.minFactor), \(configuration.maxFactor)]")
        }
        guard state.signals >= 0, state.divergenceEvents >= 0, state.stepCount >= 0 else {
            throw .invalidState(field: "signals", value: "\(state.signals)", reason: "counters must be >= 0")
        }
        if let average = state.lossAverage, !average.isFinite {
            throw .invalidState(field: "lossAverage", value: "\(average)", reason: "must be finite")
        }
        var restored = base
        try restored.restore(state.base)
        base = restored
        multiplier = state.multiplier
        signals = state.signals
        lossAverage = state.lossAverage
        divergenceEvents = state.divergenceEvents
        lastDecision = state.lastDecision
        stepCount = state.stepCount
    }
}
