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

/// Checks shared by the composites.
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

    static func restoreChildren(_ children: [AnyScheduler], from states: [StateValue])
        throws(SchedulerError) -> [AnyScheduler]
    {
        guard states.count == children.count else {
            throw .invalidState(field: "children", value: "\(states.count) states",
                                reason: "expected \(children.count)")
        }
        var restored = children
        for index in restored.indices { try restored[index].restore(states[index]) }
        return restored
    }
}
