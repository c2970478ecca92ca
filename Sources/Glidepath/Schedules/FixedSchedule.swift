/// The base rate at every step, η(t) = η₀: training without a scheduler (PyTorch's `ConstantLR` with
/// `factor=1` in effect).
public struct FixedSchedule: ClosedFormSchedule {
    public static var defaultCadence: StepCadence { .perEpoch }

    public init() {}

    public func learningRate(at step: Int, baseRate: Double) -> Double { baseRate }

    /// `{"name": "fixed"}`: no parameters.
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "fixed"

        public init() {}

        public var defaultCadence: StepCadence? { FixedSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            try context.closedForm { FixedSchedule() }
        }
    }
}
