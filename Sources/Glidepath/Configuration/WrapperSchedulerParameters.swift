/// The configuration of a scheduler that wraps one other (warmup's and the landscape scheduler's
/// `"scheduler"`): its only child is that configuration, when given.
public protocol WrapperSchedulerParameters: SchedulerParameters {
    /// The wrapped scheduler's configuration (`nil` when left out).
    var scheduler: SchedulerConfiguration? { get set }
}

extension WrapperSchedulerParameters {
    public var children: [SchedulerConfiguration] { scheduler.map { [$0] } ?? [] }

    public func replacingChildren(_ children: [SchedulerConfiguration]) -> Self {
        var copy = self
        copy.scheduler = children.first
        return copy
    }
}
