/// A type-erased ``LearningRateScheduler``: holds any scheduler and stores its state as a ``StateValue``.
///
/// Composites (``SequentialScheduler``, ``ChainedScheduler``, ``WarmupScheduler``) and the training lab
/// hold their schedulers through this wrapper, so any mix of closed-form, reactive and learned schedulers
/// composes and checkpoints the same way.
///
/// ```swift
/// func makeScheduler() throws -> AnyScheduler {
///     AnyScheduler(try ClosedFormScheduler(StepSchedule(stepSize: 2, gamma: 0.5), baseRates: [0.1]))
/// }
/// var scheduler = try makeScheduler()
/// try scheduler.step()
/// try scheduler.step()
/// let saved = try StateCoding.encoder().encode(scheduler.state)   // JSON bytes, e.g. for a checkpoint
/// var resumed = try makeScheduler()
/// try resumed.restore(try StateCoding.decoder().decode(StateValue.self, from: saved))
/// try scheduler.step()
/// try resumed.step()
/// // resumed.learningRates == scheduler.learningRates
/// // resumed.stepCount == 3
/// ```
public struct AnyScheduler: LearningRateScheduler {
    public typealias State = StateValue

    /// The wrapped scheduler.
    public private(set) var base: any LearningRateScheduler

    /// Wraps `base`.
    public init(_ base: some LearningRateScheduler) {
        if let erased = base as? AnyScheduler {
            self = erased
        } else {
            self.base = base
        }
    }

    public var learningRates: [Double] { base.learningRates }
    public var momenta: [Double]? { base.momenta }
    public var cadence: StepCadence { base.cadence }
    public var needs: SchedulerInputs { base.needs }
    public var stepCount: Int { base.stepCount }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        try base.step(observation)
    }

    public var state: StateValue {
        // A scheduler's State is a plain Codable struct, so encoding cannot fail; if a user's custom
        // State did fail, `.null` is what restore then rejects with a clear error.
        (try? StateValue(encoding: base.state)) ?? .null
    }

    public mutating func restore(_ state: StateValue) throws(SchedulerError) {
        base = try Self.restored(base, from: state)
    }

    private static func restored<S: LearningRateScheduler>(
        _ scheduler: S, from value: StateValue
    ) throws(SchedulerError) -> S {
        var copy = scheduler
        try copy.restore(value.decode(S.State.self))
        return copy
    }
}
