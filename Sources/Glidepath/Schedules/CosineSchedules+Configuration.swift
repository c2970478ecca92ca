extension CosineAnnealingSchedule {
    /// `{"name": "cosine", "tMax": T, "etaMin": η_min}`: ``CosineAnnealingSchedule`` (PyTorch
    /// `CosineAnnealingLR`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "cosine"

        /// Half-period T_max ≥ 1, in steps. Required; resolving against a run fills in the steps the
        /// scheduler drives (the whole run at its cadence, or what a composite leaves it), so the rate
        /// reaches η_min at the end.
        public var tMax: Int?
        /// Minimum rate η_min ≥ 0.
        public var etaMin: Double = 0

        public init() {}

        public var defaultCadence: StepCadence? { CosineAnnealingSchedule.defaultCadence }

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            var copy = self
            if copy.tMax == nil { copy.tMax = shape.steps }
            return copy
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let tMax = try context.required(tMax, "tMax")
            return try context.closedForm { () throws(SchedulerError) in
                try CosineAnnealingSchedule(tMax: tMax, etaMin: etaMin)
            }
        }
    }
}

extension CosineWarmRestartsSchedule {
    /// `{"name": "cosineWarmRestarts", "t0": T₀, "tMult": T_mult, "etaMin": η_min}`:
    /// ``CosineWarmRestartsSchedule`` (PyTorch `CosineAnnealingWarmRestarts`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "cosineWarmRestarts"

        /// Length T₀ ≥ 1 of the first cycle. Required.
        public var t0: Int?
        /// Cycle-length multiplier T_mult ≥ 1.
        public var tMult: Int = 1
        /// Minimum rate η_min ≥ 0.
        public var etaMin: Double = 0

        public init() {}

        public var defaultCadence: StepCadence? { CosineWarmRestartsSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let t0 = try context.required(t0, "t0")
            return try context.closedForm { () throws(SchedulerError) in
                try CosineWarmRestartsSchedule(t0: t0, tMult: tMult, etaMin: etaMin)
            }
        }
    }
}
