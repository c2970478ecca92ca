/// The training signals a scheduler reads, beyond the step itself: what the training loop must measure
/// and when (``LearningRateScheduler/needs``).
///
/// Composites (``SequentialScheduler``, ``ChainedScheduler``, ``WarmupScheduler``) need the union of
/// their children's inputs, so a loop that asks the top-level scheduler sees what any nested one reads.
///
/// | input | who reads it | what the loop does |
/// |---|---|---|
/// | ``currentLoss`` | MLR-SNet | steps the scheduler with the update's own loss *before* that update, and uses the rates it then reports for it |
/// | ``epochLosses`` | DLRS | passes the epoch's minibatch losses, in order, to the per-epoch step |
/// | ``metric`` | plateau schedulers, DLRS-on-plateau | passes the validation metric to the per-epoch step |
/// | ``landscape`` | curvature-aware schedulers | measures curvature probes (``Observation/curvature``) for the step |
public struct SchedulerInputs: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The loss of the update about to be applied: the scheduler sets that update's rate from it.
    public static let currentLoss = SchedulerInputs(rawValue: 1 << 0)
    /// The epoch's minibatch losses, at each per-epoch step.
    public static let epochLosses = SchedulerInputs(rawValue: 1 << 1)
    /// A validation metric at each step.
    public static let metric = SchedulerInputs(rawValue: 1 << 2)
    /// Loss-landscape probes (curvature estimates) at each step.
    public static let landscape = SchedulerInputs(rawValue: 1 << 3)

    /// Every input, in the order ``description`` lists them.
    static let named: [(SchedulerInputs, String)] = [
        (.currentLoss, "currentLoss"), (.epochLosses, "epochLosses"), (.metric, "metric"), (.landscape, "landscape"),
    ]

    public var description: String {
        "[" + Self.named.filter { contains($0.0) }.map(\.1).joined(separator: ", ") + "]"
    }
}
