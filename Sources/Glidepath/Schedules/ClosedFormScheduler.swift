/// A ``LearningRateScheduler`` that evaluates a ``ClosedFormSchedule`` per parameter group.
///
/// The rate of group `g` after `t` steps is `schedules[g].learningRate(at: t, baseRate: baseRates[g])`.
/// The only mutable state is the step counter, so saving and restoring is exact and O(1), and a rate
/// lookup costs one evaluation of the formula (no recursion, no accumulated rounding).
///
/// ```swift
/// var scheduler = try ClosedFormScheduler(CosineAnnealingSchedule(tMax: 4, etaMin: 0), baseRates: [0.1, 0.01])
/// var rates = [scheduler.learningRates]
/// for _ in 0..<4 {
///     try scheduler.step()
///     rates.append(scheduler.learningRates)
/// }
/// // rates[2] == [0.05, 0.005]
/// // rates[4] == [0.0, 0.0]
/// // scheduler.cadence == .perEpoch
/// ```
///
/// Differs from PyTorch: PyTorch's `step()` updates the optimizer's current rate recursively, so a
/// change made to the optimizer outside the scheduler persists; here the rate is always the formula's
/// value. The recursion and the formula agree to rounding (see each schedule's documentation).
public struct ClosedFormScheduler<Schedule: ClosedFormSchedule>: LearningRateScheduler {
    /// The complete state: the version of this layout and the number of steps taken.
    public struct State: Codable, Equatable, Sendable {
        /// Layout version; ``ClosedFormScheduler/State/currentVersion``.
        public var version: Int
        /// Steps taken so far (PyTorch `last_epoch`).
        public var stepCount: Int

        public static var currentVersion: Int { 1 }

        public init(version: Int = Self.currentVersion, stepCount: Int) {
            self.version = version
            self.stepCount = stepCount
        }
    }

    /// One schedule per parameter group.
    public let schedules: [Schedule]
    /// Base rate η₀ of every group (PyTorch `initial_lr`).
    public let baseRates: [Double]
    /// How often to step (the schedule's default unless chosen).
    public let cadence: StepCadence
    public private(set) var stepCount: Int = 0

    /// Applies `schedule` to every group.
    ///
    /// - Parameters:
    ///   - schedule: the closed form.
    ///   - baseRates: η₀ per group; at least one group, each finite and ≥ 0.
    ///   - cadence: how often to step; `nil` uses `Schedule.defaultCadence`.
    public init(_ schedule: Schedule, baseRates: [Double], cadence: StepCadence? = nil) throws(SchedulerError) {
        try self.init(
            perGroup: Array(repeating: schedule, count: baseRates.count),
            baseRates: baseRates, cadence: cadence)
    }

    /// Uses `schedules[g]` for group `g` (for per-group parameters, such as a `maxLR` list).
    public init(perGroup schedules: [Schedule], baseRates: [Double], cadence: StepCadence? = nil)
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.baseRates(baseRates)
        try SchedulerArgumentValidation.perGroup(schedules, groups: baseRates.count, "schedules")
        self.schedules = schedules
        self.baseRates = baseRates
        self.cadence = cadence ?? Schedule.defaultCadence
    }

    public var learningRates: [Double] {
        var rates = [Double]()
        rates.reserveCapacity(baseRates.count)
        for index in baseRates.indices {
            rates.append(schedules[index].learningRate(at: stepCount, baseRate: baseRates[index]))
        }
        return rates
    }

    /// The rate of one group (`learningRates[group]` without building the array).
    public func learningRate(ofGroup group: Int) -> Double {
        schedules[group].learningRate(at: stepCount, baseRate: baseRates[group])
    }

    /// Momentum per group when the schedule moves momentum (cyclic and one-cycle with
    /// `cycleMomentum`), otherwise `nil`.
    public var momenta: [Double]? {
        var values = [Double]()
        for schedule in schedules {
            guard let value = schedule.momentum(at: stepCount) else { return nil }
            values.append(value)
        }
        return values
    }

    /// Advances the counter. Closed forms ignore the observation, so this only throws when the counter
    /// would overflow.
    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        guard stepCount < Int.max else {
            throw .invalidObservation(
                step: stepCount, field: "step", value: "\(stepCount)",
                reason: "step counter overflow")
        }
        stepCount += 1
    }

    public var state: State { State(stepCount: stepCount) }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        guard state.version == State.currentVersion else {
            throw .invalidState(
                field: "version", value: "\(state.version)",
                reason: "expected \(State.currentVersion)")
        }
        guard state.stepCount >= 0 else {
            throw .invalidState(field: "stepCount", value: "\(state.stepCount)", reason: "must be >= 0")
        }
        stepCount = state.stepCount
    }
}
