/// The typed configuration of one scheduler: the parameters of its JSON object `{"name": NAME, …}`.
///
/// A conforming type is a plain `Codable` struct whose **defaults live in the type**: the initial values
/// of its stored properties, collected by ``init()`` — the one place a default is stated (the schedulers'
/// Swift initializers take theirs from it, `gamma: Double = Configuration().gamma`).
/// Its JSON keys are its coding keys (the property names unless the type renames them). Decoding a
/// configuration object starts from ``init()`` and overwrites the fields the object gives; any other
/// field is refused with ``SchedulerError/invalidArgument(name:value:reason:)`` naming the field path
/// (see ``SchedulerConfiguration/init(_:named:path:)``). Parameters that the build requires but that have no
/// default are optionals (`nil` = absent), reported as `required` when the scheduler is built.
///
/// A configuration goes through three steps, each done once for a run:
/// 1. **decode** (``SchedulerConfiguration/init(_:named:path:)``): names, field types, unknown fields;
/// 2. **resolve** (``resolved(for:)``): fills the parameters that depend on the run's ``RunShape`` and
///    were left out (cosine's `tMax`, one-cycle's `totalSteps`, MLR-SNet's `numClasses`, …);
/// 3. **build** (``makeScheduler(in:)``): range checks (by the schedulers' own initializers) and the
///    scheduler itself.
///
/// Adding a scheduler: one type conforming to this protocol and one line in
/// ``SchedulerRegistry/types``. The step schedule's configuration, in outline:
///
/// ```
/// extension StepSchedule {
///     public struct Configuration: SchedulerParameters {
///         public static let name: SchedulerConfiguration.Name = "step"
///         public var stepSize: Int?       // required
///         public var gamma: Double = 0.1
///         public init() {}
///         public var defaultCadence: StepCadence? { StepSchedule.defaultCadence }
///         public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
///             let stepSize = try context.required(stepSize, "stepSize")
///             return try context.closedForm { () throws(SchedulerError) in try StepSchedule(stepSize: stepSize, gamma: gamma) }
///         }
///     }
/// }
/// ```
///
/// Rule for optional fields: their default is `nil` (an encoded configuration omits `nil` fields, so a
/// non-`nil` default could not be recorded as absent).
public protocol SchedulerParameters: Codable, Sendable, Equatable {
    /// The scheduler's `"name"` in configurations and its key in ``SchedulerRegistry``.
    static var name: SchedulerConfiguration.Name { get }

    /// Every parameter at its default: where decoding starts.
    init()

    /// The cadence the built scheduler steps at when the configuration has no `"cadence"`; `nil` when
    /// the nested configurations disagree (a composite then needs an explicit one).
    var defaultCadence: StepCadence? { get }

    /// The only cadence the scheduler is defined at, if any (DLRS: per epoch; MLR-SNet: per update). A
    /// configuration asking for another is refused when decoded.
    static var fixedCadence: StepCadence? { get }

    /// The configurations nested in this one (a composite's schedulers), in document order.
    var children: [SchedulerConfiguration] { get }

    /// This configuration with ``children`` replaced by `children` (same count and order).
    func replacingChildren(_ children: [SchedulerConfiguration]) -> Self

    /// Whether ``resolved(for:)`` reads ``RunShape/initialLoss`` (measured before training, so the lab
    /// only measures it when some configuration asks).
    var readsInitialLoss: Bool { get }

    /// This configuration with the parameters that depend on the run filled in where they are absent.
    /// Given parameters are never changed. Composites resolve their children with the part of the run
    /// each child drives (``RunShape/narrowed(skipping:count:)``).
    func resolved(for shape: RunShape) throws(SchedulerError) -> Self

    /// Builds the scheduler; `context` carries the base rates, the `"cadence"` and the field path that
    /// errors are named by.
    func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler
}

extension SchedulerParameters {
    public static var fixedCadence: StepCadence? { nil }
    public var children: [SchedulerConfiguration] { [] }
    public func replacingChildren(_ children: [SchedulerConfiguration]) -> Self { self }
    public var readsInitialLoss: Bool { false }
    public func resolved(for shape: RunShape) throws(SchedulerError) -> Self { self }

    /// Whether `other` is a configuration of the same type with the same values.
    func isEqual(to other: any SchedulerParameters) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}
