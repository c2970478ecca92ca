extension InverseSquareRootSchedule {
    /// `{"name": "inverseSquareRoot", "numWarmupSteps": W, "timescale": τ}`: ``InverseSquareRootSchedule``
    /// (Hugging Face `inverse_sqrt`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "inverseSquareRoot"

        /// Linear warm-up length W ≥ 0.
        public var numWarmupSteps: Int = 0
        /// τ ≥ 1; `nil` means W, or 10,000 when W = 0 (the Hugging Face default).
        public var timescale: Int?

        public init() {}

        public var defaultCadence: StepCadence? { InverseSquareRootSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            try context.closedForm { () throws(SchedulerError) in
                try InverseSquareRootSchedule(numWarmupSteps: numWarmupSteps, timescale: timescale)
            }
        }
    }
}

extension WarmupStableDecaySchedule {
    /// `{"name": "warmupStableDecay", "numWarmupSteps": W, "numStableSteps": S, "numDecaySteps": D, …}`:
    /// ``WarmupStableDecaySchedule`` (Hugging Face `warmup_stable_decay`).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "warmupStableDecay"

        /// Warm-up length W ≥ 0. Required.
        public var numWarmupSteps: Int?
        /// Constant-phase length S ≥ 0. Required.
        public var numStableSteps: Int?
        /// Decay length D ≥ 0. Required.
        public var numDecaySteps: Int?
        /// Shape of the warm-up.
        public var warmupType: WarmupStableDecayShape = .linear
        /// Shape of the decay.
        public var decayType: WarmupStableDecayShape = .cosine
        /// Floor ρ ∈ [0, 1] as a fraction of η₀.
        public var minLRRatio: Double = 0
        /// Cosine cycles c > 0 of the cosine decay (0.5 = half a cosine).
        public var numCycles: Double = 0.5

        public init() {}

        public var defaultCadence: StepCadence? { WarmupStableDecaySchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let warmup = try context.required(numWarmupSteps, "numWarmupSteps")
            let stable = try context.required(numStableSteps, "numStableSteps")
            let decay = try context.required(numDecaySteps, "numDecaySteps")
            return try context.closedForm { () throws(SchedulerError) in
                try WarmupStableDecaySchedule(
                    numWarmupSteps: warmup, numStableSteps: stable, numDecaySteps: decay, warmupType: warmupType,
                    decayType: decayType, minLRRatio: minLRRatio, numCycles: numCycles)
            }
        }
    }
}
