extension DLRSScheduler {
    /// Everything a ``DLRSScheduler`` needs to resume bit-identically: configuration, rates, counter and
    /// the last step's diagnostics (the content of pytorch-dlrs 0.3.0's `state_dict`, version 1).
    ///
    /// A snapshot is an independent value; restoring validates every field before changing anything.
    public struct State: Codable, Equatable, Sendable {
        /// The state format; ``currentVersion`` is the only one this build reads.
        public var version: Int
        public var configuration: Configuration
        public var baseRates: [Double]
        public var learningRates: [Double]
        public var stepCount: Int
        public var diagnostics: DLRSDiagnostics

        /// The version written by this build.
        public static let currentVersion = 1

        public init(
            version: Int = State.currentVersion, configuration: Configuration, baseRates: [Double],
            learningRates: [Double], stepCount: Int, diagnostics: DLRSDiagnostics
        ) {
            self.version = version
            self.configuration = configuration
            self.baseRates = baseRates
            self.learningRates = learningRates
            self.stepCount = stepCount
            self.diagnostics = diagnostics
        }
    }

    public var state: State {
        State(
            configuration: configuration, baseRates: baseRates, learningRates: learningRates,
            stepCount: stepCount, diagnostics: diagnostics)
    }

    /// Replaces the whole state (configuration included, as pytorch-dlrs 0.3.0's `load_state_dict`
    /// does) after validating all of it: the version, the hyperparameter ranges, one finite rate ≥ 0 per
    /// current group, a counter ≥ 0, and finite diagnostics. Restored rates are not clamped.
    ///
    /// - Throws: ``SchedulerError/invalidState(field:value:reason:)`` naming the field; the scheduler is
    ///   then unchanged.
    public mutating func restore(_ state: State) throws(SchedulerError) {
        try Self.validate(state, groupCount: learningRates.count)
        configuration = state.configuration
        baseRates = state.baseRates
        learningRates = state.learningRates
        stepCount = state.stepCount
        diagnostics = state.diagnostics
    }

    static func validate(_ state: State, groupCount: Int, prefix: String = "") throws(SchedulerError) {
        guard state.version == State.currentVersion else {
            throw .invalidState(
                field: prefix + "version", value: "\(state.version)",
                reason: "unsupported DLRS state version (this build reads \(State.currentVersion))")
        }
        do {
            try state.configuration.validate(names: .state(prefix + "configuration."))
        } catch {
            guard case let .invalidArgument(name, value, reason) = error else { throw error }
            throw .invalidState(field: name, value: value, reason: reason)
        }
        for (name, rates) in [("baseRates", state.baseRates), ("learningRates", state.learningRates)] {
            guard rates.count == groupCount else {
                throw .invalidState(
                    field: prefix + name, value: "\(rates.count) rates",
                    reason: "this scheduler has \(groupCount) parameter groups")
            }
            for (index, rate) in rates.enumerated() where !(rate.isFinite && rate >= 0) {
                throw .invalidState(
                    field: "\(prefix)\(name)[\(index)]", value: "\(rate)",
                    reason: "must be finite and >= 0")
            }
        }
        guard state.stepCount >= 0 else {
            throw .invalidState(field: prefix + "stepCount", value: "\(state.stepCount)", reason: "must be >= 0")
        }
        try validate(state.diagnostics, groupCount: groupCount, prefix: prefix + "diagnostics.")
    }

    private static func validate(
        _ diagnostics: DLRSDiagnostics, groupCount: Int, prefix: String
    ) throws(SchedulerError) {
        for (index, loss) in diagnostics.losses.enumerated() where !(loss.isFinite && loss >= 0) {
            throw .invalidState(
                field: "\(prefix)losses[\(index)]", value: "\(loss)",
                reason: "must be finite and >= 0")
        }
        for (name, value) in [("slope", diagnostics.slope), ("adjustment", diagnostics.adjustment)]
        where !value.isFinite {
            throw .invalidState(field: prefix + name, value: "\(value)", reason: "must be finite")
        }
        guard diagnostics.groups.isEmpty || diagnostics.groups.count == groupCount else {
            throw .invalidState(
                field: prefix + "groups", value: "\(diagnostics.groups.count) entries",
                reason: "must be empty or one per group (\(groupCount))")
        }
        for (index, group) in diagnostics.groups.enumerated() where !group.adjustment.isFinite {
            throw .invalidState(
                field: "\(prefix)groups[\(index)].adjustment", value: "\(group.adjustment)",
                reason: "must be finite")
        }
        guard diagnostics.regime == nil || diagnostics.skipReason == nil else {
            throw .invalidState(
                field: prefix + "skipReason", value: "\(diagnostics.skipReason?.rawValue ?? "")",
                reason: "a step cannot both update (regime) and skip")
        }
    }
}
