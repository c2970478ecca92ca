extension StepSchedule {
    /// `{"name": "step", "stepSize": s, "gamma": γ}`: ``StepSchedule`` (PyTorch `StepLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "step"

        /// Steps between decays, s ≥ 1. Required.
        public var stepSize: Int?
        /// Multiplicative decay γ ≥ 0.
        public var gamma: Double = 0.1

        public init() {}

        public var defaultCadence: StepCadence? { StepSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let stepSize = try context.required(stepSize, "stepSize")
            return try context.closedForm { () throws(SchedulerError) in
                try StepSchedule(stepSize: stepSize, gamma: gamma)
            }
        }
    }
}

extension MultiStepSchedule {
    /// `{"name": "multiStep", "milestones": [m…], "gamma": γ}`: ``MultiStepSchedule`` (PyTorch `MultiStepLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "multiStep"

        /// Steps ≥ 0 at which the rate is multiplied by γ, in any order. Required.
        public var milestones: [Int]?
        /// Multiplicative decay γ ≥ 0.
        public var gamma: Double = 0.1

        public init() {}

        public var defaultCadence: StepCadence? { MultiStepSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let milestones = try context.required(milestones, "milestones")
            return try context.closedForm { () throws(SchedulerError) in
                try MultiStepSchedule(milestones: milestones, gamma: gamma)
            }
        }
    }
}

extension ExponentialSchedule {
    /// `{"name": "exponential", "gamma": γ}`: ``ExponentialSchedule`` (PyTorch `ExponentialLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "exponential"

        /// Multiplicative decay per step, γ ≥ 0. Required (PyTorch has no default).
        public var gamma: Double?

        public init() {}

        public var defaultCadence: StepCadence? { ExponentialSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let gamma = try context.required(gamma, "gamma")
            return try context.closedForm { () throws(SchedulerError) in try ExponentialSchedule(gamma: gamma) }
        }
    }
}
