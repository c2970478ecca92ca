/// DLRS on a rolling window of epoch metrics: each step appends `observation.metric`; once
/// `patience + 2` metrics are stored, every step runs the DLRS rule on the latest `patience + 2` of
/// them as if they were an epoch's losses.
///
/// ```
/// window = last (patience + 2) metrics M_1 … M_w
/// s      = q · (M_w − M_1) / mean(M)      q = +1 in min mode, −1 in max mode
/// ```
/// then the ``DLRSScheduler`` update with that slope. `patience` is therefore a **window length**, not a
/// count of bad epochs: patience 0 means a two-metric window, first applied on the second step. There is
/// no best-metric tracking, threshold or cooldown, and an improving metric **raises** the rate: this is
/// not ReduceLROnPlateau.
///
/// Semantics of pytorch-dlrs 0.3.0 (`docs/dlrs.md`, "DLRSOnPlateau"): max mode works (q = −1), the history is bounded
/// to the window, metrics must be finite and ≥ 0, and a rejected metric or a failed update leaves the history,
/// rates and counters unchanged.
///
/// **Differs from pytorch-dlrs 0.2.1**, where `mode = "max"` is accepted but ignored (a rising accuracy
/// then *cuts* the rate), the history grows without bound, and metrics are not validated.
///
/// Citations: arXiv:2507.21749; pytorch-dlrs 0.2.1 / 0.3.0.dev0 `DLRSOnPlateau`.
public struct DLRSOnPlateauScheduler: LearningRateScheduler {
    /// Whether the monitored metric should fall (a loss) or rise (an accuracy).
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case minimize = "min"
        case maximize = "max"
    }

    /// The mode and window.
    public var mode: Mode { configuration.mode }
    public private(set) var configuration: Configuration
    /// The DLRS scheduler the windows are fed to (its ``DLRSScheduler/diagnostics`` describe the last
    /// update; its ``DLRSScheduler/stepCount`` counts updates, not metrics).
    public private(set) var scheduler: DLRSScheduler
    /// The stored metrics, oldest first: at most `patience + 2`.
    public private(set) var metricHistory: [Double]
    /// Successful ``step(_:)`` calls (metrics accepted).
    public private(set) var stepCount: Int

    public var learningRates: [Double] { scheduler.learningRates }
    public var cadence: StepCadence { .perEpoch }
    /// The validation metric of every epoch.
    public var needs: SchedulerInputs { .metric }

    /// The number of metrics one update reads: `patience + 2`.
    public var windowLength: Int { configuration.patience + 2 }

    /// Creates the wrapper.
    ///
    /// - Parameters:
    ///   - baseRates: one rate per group; each finite and ≥ 0.
    ///   - mode: whether the metric should fall or rise.
    ///   - patience: 0...1,000,000; the window is `patience + 2`.
    ///   - dlrs: the DLRS hyperparameters (validated as in ``DLRSScheduler``).
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the parameter.
    public init(
        baseRates: [Double], mode: Mode = Configuration().mode, patience: Int = Configuration().patience,
        dlrs: DLRSScheduler.Configuration = .init()
    ) throws(SchedulerError) {
        try self.init(
            configuration: Configuration(mode: mode, patience: patience, dlrs: dlrs),
            baseRates: baseRates, names: .swift, patienceName: "patience")
    }

    /// Creates the wrapper from a decoded configuration; errors name the JSON keys.
    public init(configuration: Configuration, baseRates: [Double]) throws(SchedulerError) {
        try self.init(configuration: configuration, baseRates: baseRates, names: .json, patienceName: "patience")
    }

    private init(
        configuration: Configuration, baseRates: [Double], names: DLRSParameterNames, patienceName: String
    ) throws(SchedulerError) {
        try configuration.validate(names: names, patienceName: patienceName)
        self.scheduler = try DLRSScheduler(configuration: configuration.dlrs, baseRates: baseRates, names: names)
        self.configuration = configuration
        self.metricHistory = []
        self.stepCount = 0
    }

    /// Appends `observation.metric` and, once the window is full, runs DLRS on it.
    ///
    /// - Throws: ``SchedulerError/invalidObservation(step:field:value:reason:)`` when the metric is
    ///   missing, NaN, infinite or negative, or the update overflows; nothing changes then.
    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        guard let metric = observation.metric else {
            throw .invalidObservation(
                step: stepCount, field: "metric", value: "nil",
                reason: "DLRSOnPlateau needs a validation metric every step")
        }
        // Negativity first, then finiteness, as pytorch-dlrs 0.3.0 checks (a NaN is "not finite").
        if metric < 0 {
            throw .invalidObservation(
                step: stepCount, field: "metric", value: "\(metric)", reason: "must be nonnegative")
        }
        if !metric.isFinite {
            throw .invalidObservation(step: stepCount, field: "metric", value: "\(metric)", reason: "must be finite")
        }
        var history = metricHistory
        history.append(metric)
        if history.count > windowLength { history.removeFirst(history.count - windowLength) }
        if history.count == windowLength {
            var updated = scheduler
            try updated.update(
                losses: history, direction: mode == .maximize ? -1 : 1,
                errorStep: stepCount, field: "metricHistory")
            scheduler = updated
        }
        metricHistory = history
        stepCount += 1
    }

    /// The wrapper's state: its configuration, history and counter, and the inner DLRS state.
    public struct State: Codable, Equatable, Sendable {
        public var version: Int
        public var mode: Mode
        public var patience: Int
        public var metricHistory: [Double]
        public var stepCount: Int
        public var scheduler: DLRSScheduler.State

        public static let currentVersion = 1

        public init(
            version: Int = State.currentVersion, mode: Mode, patience: Int, metricHistory: [Double],
            stepCount: Int, scheduler: DLRSScheduler.State
        ) {
            self.version = version
            self.mode = mode
            self.patience = patience
            self.metricHistory = metricHistory
            self.stepCount = stepCount
            self.scheduler = scheduler
        }
    }

    public var state: State {
        State(
            mode: configuration.mode, patience: configuration.patience, metricHistory: metricHistory,
            stepCount: stepCount, scheduler: scheduler.state)
    }

    /// Validates everything (version, patience, metrics finite and ≥ 0, the inner DLRS state) before
    /// changing anything. A history longer than the window keeps its newest `patience + 2` metrics, as
    /// pytorch-dlrs 0.3.0 does for legacy checkpoints.
    public mutating func restore(_ state: State) throws(SchedulerError) {
        guard state.version == State.currentVersion else {
            throw .invalidState(
                field: "version", value: "\(state.version)",
                reason: "unsupported DLRSOnPlateau state version (this build reads \(State.currentVersion))")
        }
        guard (0...Configuration.maximumPatience).contains(state.patience) else {
            throw .invalidState(
                field: "patience", value: "\(state.patience)",
                reason: "must be in 0...\(Configuration.maximumPatience)")
        }
        for (index, metric) in state.metricHistory.enumerated() where !(metric.isFinite && metric >= 0) {
            throw .invalidState(field: "metricHistory[\(index)]", value: "\(metric)", reason: "must be finite and >= 0")
        }
        guard state.stepCount >= 0 else {
            throw .invalidState(field: "stepCount", value: "\(state.stepCount)", reason: "must be >= 0")
        }
        try DLRSScheduler.validate(state.scheduler, groupCount: scheduler.learningRates.count, prefix: "scheduler.")
        var inner = scheduler
        try inner.restore(state.scheduler)
        scheduler = inner
        configuration = Configuration(mode: state.mode, patience: state.patience, dlrs: state.scheduler.configuration)
        metricHistory = Array(state.metricHistory.suffix(state.patience + 2))
        stepCount = state.stepCount
    }
}
