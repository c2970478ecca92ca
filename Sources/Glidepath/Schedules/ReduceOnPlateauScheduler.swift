/// Whether a plateau scheduler wants the metric to go down or up.
public enum PlateauMode: String, Sendable, Codable, CaseIterable {
    /// A lower metric is better (a loss). PyTorch `mode="min"`.
    case min
    /// A higher metric is better (an accuracy). PyTorch `mode="max"`.
    case max
}

/// How a plateau scheduler's `threshold` defines a significant improvement.
public enum ThresholdMode: String, Sendable, Codable, CaseIterable {
    /// Relative: better than best·(1 ∓ threshold). PyTorch `threshold_mode="rel"`.
    case rel
    /// Absolute: better than best ∓ threshold. PyTorch `threshold_mode="abs"`.
    case abs
}

/// Reduces every group's rate by `factor` when a validation metric stops improving.
///
/// Each step reads ``Observation/metric`` (call it once per evaluation) and:
/// 1. counts a bad step unless the metric improved significantly (min/rel: a < best·(1 − thr);
///    min/abs: a < best − thr; max/rel: a > best·(1 + thr); max/abs: a > best + thr), updating `best`;
/// 2. while cooling down, decrements the cooldown counter and ignores bad steps;
/// 3. after more than `patience` bad steps, sets each rate to max(η·factor, minLR[g]) when that lowers it
///    by more than `eps`, then starts the cooldown.
///
/// With patience p, the (p + 1)-th consecutive non-improving metric triggers a reduction.
///
/// - Parameters:
///   - baseRates: the starting rate of each group; finite and ≥ 0.
///   - mode: ``PlateauMode``.
///   - factor: in [0, 1) (PyTorch: "Factor should be < 1.0").
///   - patience, cooldown: ≥ 0.
///   - threshold: finite and ≥ 0.
///   - thresholdMode: ``ThresholdMode``.
///   - minLR: one floor per group (or use the scalar initializer), finite and ≥ 0.
///   - eps: finite and ≥ 0.
///
/// Reference: PyTorch `ReduceLROnPlateau` (`torch/optim/lr_scheduler.py`); every comparison and update
/// is the same floating-point operation, so rates are bit-identical. Differs from PyTorch: a missing or
/// NaN metric throws ``SchedulerError/invalidObservation(step:field:value:reason:)`` before any state
/// changes (PyTorch counts NaN as a bad epoch); it composes inside ``SequentialScheduler``,
/// ``ChainedScheduler`` and ``WarmupScheduler`` (PyTorch's composites reject it, pytorch#68978); the
/// rates live in the scheduler's state instead of in the optimizer.
///
/// ```swift
/// var scheduler = try ReduceOnPlateauScheduler(baseRates: [0.1], factor: 0.5, patience: 1)
/// for validationLoss in [1.0, 0.9, 0.95, 0.97] {
///     try scheduler.step(Observation(metric: validationLoss))
/// }
/// // scheduler.learningRates == [0.05]
/// // scheduler.best == 0.9
/// ```
public struct ReduceOnPlateauScheduler: LearningRateScheduler {
    /// The complete mutable state.
    public struct State: Codable, Equatable, Sendable {
        public var version: Int
        public var stepCount: Int
        /// Current rate of every group.
        public var learningRates: [Double]
        /// Best metric so far (±∞ before the first observation).
        public var best: Double
        /// Consecutive non-improving steps (PyTorch `num_bad_epochs`).
        public var badSteps: Int
        /// Steps of cooldown left (PyTorch `cooldown_counter`).
        public var cooldownCounter: Int

        public static let currentVersion = 1
    }

    /// Whether lower or higher metrics are better.
    public let mode: PlateauMode
    /// Reduction factor in [0, 1).
    public let factor: Double
    /// Non-improving steps tolerated before a reduction, ≥ 0.
    public let patience: Int
    /// Minimum significant improvement, ≥ 0.
    public let threshold: Double
    /// Relative or absolute threshold.
    public let thresholdMode: ThresholdMode
    /// Steps after a reduction during which bad steps are ignored, ≥ 0.
    public let cooldown: Int
    /// Floor of each group's rate.
    public let minLR: [Double]
    /// Reductions smaller than this are skipped.
    public let eps: Double
    /// How often to step (default once per epoch, one metric per evaluation).
    public let cadence: StepCadence
    private var current: State

    public init(
        baseRates: [Double], mode: PlateauMode = Configuration().mode, factor: Double = Configuration().factor,
        patience: Int = Configuration().patience, threshold: Double = Configuration().threshold,
        thresholdMode: ThresholdMode = Configuration().thresholdMode, cooldown: Int = Configuration().cooldown,
        minLR: [Double], eps: Double = Configuration().eps, cadence: StepCadence = .perEpoch
    ) throws(SchedulerError) {
        typealias Check = SchedulerArgumentValidation
        try Check.baseRates(baseRates)
        try Check.finite(factor, "factor")
        try Check.require(factor >= 0 && factor < 1, "factor", "\(factor)", "must be in [0, 1)")
        try Check.atLeast(patience, 0, "patience")
        try Check.nonNegative(threshold, "threshold")
        try Check.atLeast(cooldown, 0, "cooldown")
        try Check.perGroup(minLR, groups: baseRates.count, "minLR")
        for (index, floor) in minLR.enumerated() { try Check.nonNegative(floor, "minLR[\(index)]") }
        try Check.nonNegative(eps, "eps")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLR = minLR
        self.eps = eps
        self.cadence = cadence
        self.current = State(
            version: State.currentVersion, stepCount: 0, learningRates: baseRates,
            best: mode == .min ? .infinity : -.infinity, badSteps: 0, cooldownCounter: 0)
    }

    /// The same with one `minLR` for every group.
    public init(
        baseRates: [Double], mode: PlateauMode = Configuration().mode, factor: Double = Configuration().factor,
        patience: Int = Configuration().patience, threshold: Double = Configuration().threshold,
        thresholdMode: ThresholdMode = Configuration().thresholdMode, cooldown: Int = Configuration().cooldown,
        minLR: Double = Configuration.defaultMinLR, eps: Double = Configuration().eps, cadence: StepCadence = .perEpoch
    ) throws(SchedulerError) {
        try self.init(
            baseRates: baseRates, mode: mode, factor: factor, patience: patience, threshold: threshold,
            thresholdMode: thresholdMode, cooldown: cooldown,
            minLR: Array(repeating: minLR, count: baseRates.count), eps: eps, cadence: cadence)
    }

    public var learningRates: [Double] { current.learningRates }
    /// The validation metric of every step.
    public var needs: SchedulerInputs { .metric }
    public var stepCount: Int { current.stepCount }
    /// Best metric so far.
    public var best: Double { current.best }

    /// Whether `metric` is a significant improvement over `best`.
    public func isImprovement(_ metric: Double, over best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): return metric < best * (1.0 - threshold)
        case (.min, .abs): return metric < best - threshold
        case (.max, .rel): return metric > best * (threshold + 1.0)
        case (.max, .abs): return metric > best + threshold
        }
    }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        guard let metric = observation.metric else {
            throw .invalidObservation(
                step: current.stepCount, field: "metric", value: "nil",
                reason: "reduceOnPlateau needs a validation metric every step")
        }
        guard !metric.isNaN else {
            throw .invalidObservation(
                step: current.stepCount, field: "metric", value: "\(metric)",
                reason: "metric is NaN")
        }
        guard current.stepCount < Int.max else {
            throw .invalidObservation(
                step: current.stepCount, field: "step", value: "\(current.stepCount)",
                reason: "step counter overflow")
        }
        var next = current
        next.stepCount += 1
        if isImprovement(metric, over: next.best) {
            next.best = metric
            next.badSteps = 0
        } else {
            next.badSteps += 1
        }
        if next.cooldownCounter > 0 {
            next.cooldownCounter -= 1
            next.badSteps = 0
        }
        if next.badSteps > patience {
            for index in next.learningRates.indices {
                let old = next.learningRates[index]
                let new = Swift.max(old * factor, minLR[index])
                if old - new > eps { next.learningRates[index] = new }
            }
            next.cooldownCounter = cooldown
            next.badSteps = 0
        }
        current = next
    }

    public var state: State { current }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        guard state.version == State.currentVersion else {
            throw .invalidState(field: "version", value: "\(state.version)", reason: "expected \(State.currentVersion)")
        }
        guard state.learningRates.count == current.learningRates.count else {
            throw .invalidState(
                field: "learningRates", value: "\(state.learningRates.count) groups",
                reason: "expected \(current.learningRates.count) groups")
        }
        guard state.learningRates.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalidState(
                field: "learningRates", value: "\(state.learningRates)",
                reason: "rates must be finite and >= 0")
        }
        guard state.stepCount >= 0, state.badSteps >= 0, state.cooldownCounter >= 0, !state.best.isNaN else {
            throw .invalidState(field: "state", value: "\(state)", reason: "counters must be >= 0 and best not NaN")
        }
        current = state
    }
}
