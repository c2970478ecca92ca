/// A linear warm-up in front of any scheduler, closed-form or reactive, with **prefix** semantics.
///
/// With W = `steps`, s = `startFactor` and r₀ the inner scheduler's rates at its time 0:
/// * t < W: η(t) = r₀·(s + (1 − s)·t/W) — a linear ramp from s·r₀ to r₀;
/// * t ≥ W: η(t) = the inner scheduler's rates after t − W of its own steps.
///
/// **What the inner scheduler sees during warm-up: nothing.** It is not stepped and receives no
/// observation until step W; the observations of warm-up steps are ignored (not even validated), so a
/// plateau scheduler's patience and a DLRS loss history start when the main schedule starts. Its time 0
/// begins at t = W, so the schedule starts from its peak, never with a "sharp drop" (timm#1242).
/// Momentum, when the inner scheduler moves it, is reported at its time-0 value during warm-up.
///
/// - Parameters:
///   - inner: any scheduler.
///   - steps: W ≥ 1.
///   - startFactor: s ∈ [0, 1].
///   - cadence: `nil` uses the inner scheduler's cadence.
///
/// References: Goyal et al., "Accurate, Large Minibatch SGD", arXiv 1706.02677 (gradual warm-up).
/// Equivalent to PyTorch `SequentialLR([LinearLR(startFactor, 1.0, W), inner], milestones=[W])`
/// (`torch/optim/lr_scheduler.py`), bit-identical to `LinearLR`'s closed form during warm-up; timm's
/// `warmup_prefix=True` is the same idea. Differs from PyTorch: works in front of reactive schedulers,
/// and `startFactor = 0` is allowed (LinearLR requires > 0 because its recursion divides by it).
///
/// ```swift
/// let constant = try ClosedFormScheduler(FixedSchedule(), baseRates: [0.1])
/// var scheduler = try WarmupScheduler(constant, steps: 4, startFactor: 0.5)
/// var rates = [scheduler.learningRates[0]]
/// for _ in 0..<5 {
///     try scheduler.step()
///     rates.append(scheduler.learningRates[0])
/// }
/// // rates == [0.05, 0.0625, 0.07500000000000001, 0.08750000000000001, 0.1, 0.1]
/// ```
public struct WarmupScheduler: LearningRateScheduler {
    public struct State: Codable, Equatable, Sendable {
        public var version: Int
        public var stepCount: Int
        public var inner: StateValue
        public static let currentVersion = CompositeSchedulerState.currentVersion
    }

    public private(set) var inner: AnyScheduler
    /// Warm-up length W ≥ 1.
    public let steps: Int
    /// Fraction s ∈ [0, 1] of the inner rate at t = 0.
    public let startFactor: Double
    /// How often to step.
    public let cadence: StepCadence
    public private(set) var stepCount: Int = 0

    public init(
        _ inner: some LearningRateScheduler, steps: Int, startFactor: Double = Configuration().startFactor,
        cadence: StepCadence? = nil
    ) throws(SchedulerError) {
        try SchedulerArgumentValidation.atLeast(steps, 1, "steps")
        try SchedulerArgumentValidation.unitInterval(startFactor, "startFactor")
        self.inner = AnyScheduler(inner)
        self.steps = steps
        self.startFactor = startFactor
        self.cadence = cadence ?? inner.cadence
    }

    /// Whether the warm-up is still running.
    public var isWarmingUp: Bool { stepCount < steps }

    public var learningRates: [Double] {
        let rates = inner.learningRates
        guard isWarmingUp else { return rates }
        let factor = startFactor + (1.0 - startFactor) * Double(min(steps, stepCount)) / Double(steps)
        return rates.map { $0 * factor }
    }

    public var momenta: [Double]? { inner.momenta }

    /// The inner scheduler's inputs (read from step W on).
    public var needs: SchedulerInputs { inner.needs }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        try CompositeValidation.checkStep(stepCount)
        if stepCount + 1 > steps {
            do {
                try inner.step(observation)
            } catch {
                throw error.reportedAtStep(stepCount)
            }
        }
        stepCount += 1
    }

    public var state: State {
        State(version: State.currentVersion, stepCount: stepCount, inner: inner.state)
    }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        try CompositeValidation.checkHeader(version: state.version, stepCount: state.stepCount)
        var restored = inner
        try restored.restore(state.inner)
        inner = restored
        stepCount = state.stepCount
    }
}
