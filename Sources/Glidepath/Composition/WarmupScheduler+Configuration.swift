extension WarmupScheduler {
    /// `{"name": "warmup", "scheduler": {…}, "steps": W, "startFactor": s}`: ``WarmupScheduler``.
    ///
    /// Resolving against a run leaves the inner scheduler the steps after the warm-up, so a cosine
    /// without `tMax` behind a warm-up ends at the end of the run (Hugging Face's
    /// `get_cosine_schedule_with_warmup`).
    public struct Configuration: WrapperSchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "warmup"

        /// The scheduler that runs after the warm-up. Required.
        public var scheduler: SchedulerConfiguration?
        /// Warm-up length W ≥ 1. Required.
        public var steps: Int?
        /// Fraction s ∈ [0, 1] of the inner rate at t = 0.
        public var startFactor: Double = 1.0 / 3

        public init() {}

        public var defaultCadence: StepCadence? { scheduler?.effectiveCadence }

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            guard let scheduler else { return self }
            return replacingChildren([try scheduler.resolved(within: shape.narrowed(skipping: steps ?? 0))])
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let inner = try context.required(scheduler, "scheduler")
            let steps = try context.required(steps, "steps")
            let built = try inner.makeScheduler(in: context.child("scheduler"))
            return AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try WarmupScheduler(built, steps: steps, startFactor: startFactor, cadence: context.cadence)
                })
        }
    }
}
