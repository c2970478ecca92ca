extension ReduceOnPlateauScheduler {
    /// `{"name": "reduceOnPlateau", "mode": …, "factor": …, …}`: ``ReduceOnPlateauScheduler`` (PyTorch
    /// `ReduceLROnPlateau`). `minLR` takes one number for every group or one per group.
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "reduceOnPlateau"

        /// Whether lower or higher metrics are better.
        public var mode: PlateauMode = .min
        /// Reduction factor in [0, 1).
        public var factor: Double = 0.1
        /// Non-improving steps tolerated before a reduction, ≥ 0.
        public var patience: Int = 10
        /// Minimum significant improvement, ≥ 0.
        public var threshold: Double = 1e-4
        /// Relative or absolute threshold.
        public var thresholdMode: ThresholdMode = .rel
        /// Steps after a reduction during which bad steps are ignored, ≥ 0.
        public var cooldown: Int = 0
        /// Floor of each group's rate, ≥ 0.
        public var minLR: GroupValues = .all(Self.defaultMinLR)
        /// Reductions smaller than this are skipped, ≥ 0.
        public var eps: Double = 1e-8

        /// The default of ``minLR`` for every group.
        public static let defaultMinLR = 0.0

        public init() {}

        public var defaultCadence: StepCadence? { .perEpoch }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let minLR = try context.perGroup(minLR, "minLR")
            return AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try ReduceOnPlateauScheduler(
                        baseRates: context.baseRates, mode: mode, factor: factor, patience: patience,
                        threshold: threshold,
                        thresholdMode: thresholdMode, cooldown: cooldown, minLR: minLR, eps: eps,
                        cadence: context.cadence ?? .perEpoch)
                })
        }
    }
}
