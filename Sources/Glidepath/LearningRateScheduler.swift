/// How often the training loop should step a scheduler.
public enum StepCadence: String, Sendable, Codable, CaseIterable {
    /// Once per optimizer update (per batch), like PyTorch's `OneCycleLR` or MLR-SNet.
    case perUpdate
    /// Once per epoch, like DLRS or a `StepLR` counted in epochs.
    case perEpoch
}

/// A learning-rate scheduler: a state machine that turns observations into per-group learning rates.
///
/// The contract every scheduler in Glidepath meets:
/// * `learningRates` holds one rate per parameter group: the rate to use *now*, after the steps taken so
///   far. A freshly built scheduler reports η(0), exactly what a PyTorch scheduler reports after its
///   implicit construction step; after `k` calls of ``step(_:)`` it reports η(k) = PyTorch's value after
///   `k` calls of `step()`.
/// * A scheduler never holds an optimizer. The training loop hands the rates to any
///   ``LearningRateReceiver`` (ours or a user's), see ``LearningRateScheduler/apply(to:)``.
/// * Construction validates every argument and throws ``SchedulerError/invalidArgument(name:value:reason:)``
///   naming the parameter and value. ``step(_:)`` only throws for an invalid observation, and then
///   before any state changes.
/// * ``state`` is an explicit, versioned, `Codable` value. Restoring it into a scheduler built from the
///   same configuration continues bit-identically.
///
/// ```swift
/// var scheduler = try ClosedFormScheduler(StepSchedule(stepSize: 2, gamma: 0.5), baseRates: [0.1])
/// var rates = [scheduler.learningRates[0]]   // η(0)
/// for _ in 0..<4 {
///     try scheduler.step()
///     rates.append(scheduler.learningRates[0])
/// }
/// // rates == [0.1, 0.1, 0.05, 0.05, 0.025]
/// ```
public protocol LearningRateScheduler: Sendable {
    /// The complete mutable state of the scheduler: everything needed to resume exactly.
    associatedtype State: Codable, Equatable, Sendable

    /// The learning rate of every parameter group after the steps taken so far.
    var learningRates: [Double] { get }

    /// Momentum (SGD momentum or Adam's β₁) of every group, when this scheduler moves momentum;
    /// `nil` otherwise.
    var momenta: [Double]? { get }

    /// The granularity this scheduler expects to be stepped at.
    var cadence: StepCadence { get }

    /// The training signals this scheduler reads (a composite: the union of its children's), so the
    /// training loop knows what to measure and when. Closed-form schedules need nothing (`[]`, the
    /// default).
    var needs: SchedulerInputs { get }

    /// Number of successful ``step(_:)`` calls so far (PyTorch's `last_epoch`).
    var stepCount: Int { get }

    /// Advances the scheduler by one step using the signals in `observation`.
    ///
    /// - Throws: ``SchedulerError/invalidObservation(step:field:value:reason:)`` if the observation
    ///   cannot be used; the scheduler is then unchanged.
    mutating func step(_ observation: Observation) throws(SchedulerError)

    /// A snapshot of the scheduler's state. Never aliases live state.
    var state: State { get }

    /// Replaces the scheduler's state with `state`.
    ///
    /// - Throws: ``SchedulerError/invalidState(field:value:reason:)`` if `state` has an unknown version
    ///   or does not fit this scheduler's configuration (for example a different number of groups);
    ///   the scheduler is then unchanged.
    mutating func restore(_ state: State) throws(SchedulerError)
}

extension LearningRateScheduler {
    /// The default: schedulers that do not schedule momentum report `nil`.
    public var momenta: [Double]? { nil }

    /// The default: a scheduler that reads no training signal.
    public var needs: SchedulerInputs { [] }

    /// Advances one step with an empty observation (what a closed-form schedule needs).
    public mutating func step() throws(SchedulerError) {
        try step(.empty)
    }

    /// Hands the current rates (and momenta, if scheduled) to `receiver`.
    public func apply<Receiver: LearningRateReceiver>(to receiver: inout Receiver) {
        receiver.receive(learningRates: learningRates, momenta: momenta)
    }
}

/// Anything that can take learning rates from a scheduler: an optimizer with parameter groups.
///
/// Conform your own optimizer with one method; Glidepath's optimizers conform already.
///
/// ```swift
/// struct RecordingOptimizer: LearningRateReceiver {
///     var rates: [Double] = []
///     mutating func receive(learningRates: [Double], momenta: [Double]?) { rates = learningRates }
/// }
/// var optimizer = RecordingOptimizer()
/// var scheduler = try ClosedFormScheduler(ExponentialSchedule(gamma: 0.5), baseRates: [0.1, 0.01])
/// try scheduler.step()
/// scheduler.apply(to: &optimizer)
/// // optimizer.rates == [0.05, 0.005]
/// ```
public protocol LearningRateReceiver {
    /// Sets the learning rate (and, when `momenta` is non-nil, the momentum or β₁) of each parameter
    /// group. Both arrays have one entry per group, in group order.
    mutating func receive(learningRates: [Double], momenta: [Double]?)
}
