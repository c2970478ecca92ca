extension SchedulerError {
    /// The same error, with an observation error re-numbered to the composite's own step counter, so a
    /// rejected observation is reported at the step the caller sees rather than a child's local step.
    func reportedAtStep(_ step: Int) -> SchedulerError {
        if case let .invalidObservation(_, field, value, reason) = self {
            return .invalidObservation(step: step, field: field, value: value, reason: reason)
        }
        return self
    }
}

/// The state of a composite that holds a list of children: ``SequentialScheduler`` and
/// ``ChainedScheduler`` (the same layout, so the bookkeeping is shared).
public struct CompositeSchedulerState: Codable, Equatable, Sendable {
    public var version: Int
    /// The composite's own steps.
    public var stepCount: Int
    /// The state of every child, in order.
    public var children: [StateValue]

    public static let currentVersion = 1

    public init(version: Int = Self.currentVersion, stepCount: Int, children: [StateValue]) {
        self.version = version
        self.stepCount = stepCount
        self.children = children
    }
}

/// Checks and bookkeeping shared by the composites.
enum CompositeValidation {
    /// All children must drive the same number of parameter groups.
    static func groupCount(_ children: [AnyScheduler], name: String) throws(SchedulerError) -> Int {
        guard let first = children.first else {
            throw .invalidArgument(name: name, value: "[]", reason: "needs at least one scheduler")
        }
        let groups = first.learningRates.count
        for (index, child) in children.enumerated() where child.learningRates.count != groups {
            throw .invalidArgument(
                name: "\(name)[\(index)]", value: "\(child.learningRates.count) groups",
                reason: "every scheduler must drive the same \(groups) parameter groups")
        }
        return groups
    }

    /// The composite's cadence: the explicit one, or the children's common cadence.
    static func cadence(_ explicit: StepCadence?, _ children: [AnyScheduler], name: String)
        throws(SchedulerError) -> StepCadence
    {
        if let explicit { return explicit }
        let cadences = children.map(\.cadence)
        guard let first = cadences.first, cadences.allSatisfy({ $0 == first }) else {
            throw .invalidArgument(
                name: "cadence", value: "nil",
                reason: "the \(name) disagree on cadence (\(cadences.map(\.rawValue))); choose one explicitly")
        }
        return first
    }

    /// The cadence several configurations share when none is given, or `nil` when they disagree.
    static func commonCadence(_ children: [SchedulerConfiguration]) -> StepCadence? {
        let cadences = children.map(\.effectiveCadence)
        guard let first = cadences.first, cadences.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// Refuses a step that would overflow the composite's counter.
    static func checkStep(_ stepCount: Int) throws(SchedulerError) {
        guard stepCount < Int.max else {
            throw .invalidObservation(
                step: stepCount, field: "step", value: "\(stepCount)",
                reason: "step counter overflow")
        }
    }

    /// Checks a saved composite state's version and counter.
    static func checkHeader(version: Int, stepCount: Int) throws(SchedulerError) {
        guard version == CompositeSchedulerState.currentVersion else {
            throw .invalidState(
                field: "version", value: "\(version)",
                reason: "expected \(CompositeSchedulerState.currentVersion)")
        }
        guard stepCount >= 0 else {
            throw .invalidState(field: "stepCount", value: "\(stepCount)", reason: "must be >= 0")
        }
    }

    /// `children` with `state` restored into them, after checking the whole state; nothing is changed
    /// when any part does not fit.
    static func restored(_ children: [AnyScheduler], from state: CompositeSchedulerState)
        throws(SchedulerError) -> [AnyScheduler]
    {
        try checkHeader(version: state.version, stepCount: state.stepCount)
        guard state.children.count == children.count else {
            throw .invalidState(
                field: "children", value: "\(state.children.count) states",
                reason: "expected \(children.count)")
        }
        var restored = children
        for index in restored.indices { try restored[index].restore(state.children[index]) }
        return restored
    }

    /// The union of the children's inputs.
    static func needs(_ children: [AnyScheduler]) -> SchedulerInputs {
        children.reduce(into: []) { $0.formUnion($1.needs) }
    }
}
