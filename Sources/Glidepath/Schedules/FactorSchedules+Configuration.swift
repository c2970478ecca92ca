extension ConstantSchedule {
    /// `{"name": "constant", "factor": f, "totalIters": T}`: ``ConstantSchedule`` (PyTorch `ConstantLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "constant"

        /// The factor f ∈ [0, 1] applied before `totalIters`.
        public var factor: Double = 1.0 / 3
        /// T ≥ 1 steps at the reduced rate.
        public var totalIters: Int = 5

        public init() {}

        public var defaultCadence: StepCadence? { ConstantSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            try context.closedForm { () throws(SchedulerError) in
                try ConstantSchedule(factor: factor, totalIters: totalIters)
            }
        }
    }
}

extension LinearSchedule {
    /// `{"name": "linear", "startFactor": s, "endFactor": e, "totalIters": T}`: ``LinearSchedule``
    /// (PyTorch `LinearLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "linear"

        /// Factor at t = 0, s ∈ (0, 1].
        public var startFactor: Double = 1.0 / 3
        /// Factor from t = T on, e ∈ [0, 1].
        public var endFactor: Double = 1.0
        /// T ≥ 1 steps from s to e.
        public var totalIters: Int = 5

        public init() {}

        public var defaultCadence: StepCadence? { LinearSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            try context.closedForm { () throws(SchedulerError) in
                try LinearSchedule(startFactor: startFactor, endFactor: endFactor, totalIters: totalIters)
            }
        }
    }
}

extension PolynomialSchedule {
    /// `{"name": "polynomial", "totalIters": T, "power": p}`: ``PolynomialSchedule`` (PyTorch `PolynomialLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "polynomial"

        /// T ≥ 1 steps to zero.
        public var totalIters: Int = 5
        /// Exponent p ≥ 0.
        public var power: Double = 1.0

        public init() {}

        public var defaultCadence: StepCadence? { PolynomialSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            try context.closedForm { () throws(SchedulerError) in
                try PolynomialSchedule(totalIters: totalIters, power: power)
            }
        }
    }
}
