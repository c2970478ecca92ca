/// The configuration of a scheduler over a list of others (the chained and the sequential scheduler's
/// `"schedulers"`): its children are that list, its default cadence is theirs when they agree.
public protocol CompositeSchedulerParameters: SchedulerParameters {
    /// The combined schedulers' configurations (`nil` when left out; required when built).
    var schedulers: [SchedulerConfiguration]? { get set }
}

extension CompositeSchedulerParameters {
    public var defaultCadence: StepCadence? { CompositeValidation.commonCadence(children) }
    public var children: [SchedulerConfiguration] { schedulers ?? [] }

    public func replacingChildren(_ children: [SchedulerConfiguration]) -> Self {
        var copy = self
        copy.schedulers = children
        return copy
    }

    /// Builds every child, each with its field path `schedulers[i]`.
    ///
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` when `schedulers` is absent, or a
    ///   child's error, named by its path.
    func buildChildren(in context: SchedulerBuildContext) throws(SchedulerError) -> [AnyScheduler] {
        let schedulers = try context.required(schedulers, "schedulers")
        var built: [AnyScheduler] = []
        for (index, child) in schedulers.enumerated() {
            built.append(try child.makeScheduler(in: context.child("schedulers[\(index)]")))
        }
        return built
    }
}
