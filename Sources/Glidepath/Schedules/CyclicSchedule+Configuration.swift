extension CyclicSchedule {
    /// `{"name": "cyclic", "baseLR": …, "maxLR": …, …}`: ``CyclicSchedule`` (PyTorch `CyclicLR`). The
    /// rate and momentum bounds take one number for every group or a list with one per group.
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "cyclic"

        /// Lower end of the triangle, ≥ 0. Required.
        public var baseLR: GroupValues?
        /// Upper end of the triangle, ≥ 0. Required.
        public var maxLR: GroupValues?
        /// Steps ≥ 1 from `baseLR` up to `maxLR`.
        public var stepSizeUp: Int = 2000
        /// Steps ≥ 0 back down; `nil` means `stepSizeUp`.
        public var stepSizeDown: Int?
        /// Amplitude scaling per cycle or per step.
        public var mode: CyclicMode = .triangular
        /// Per-step amplitude decay γ ∈ (0, 1] of ``CyclicMode/expRange``.
        public var gamma: Double = 1.0
        /// Whether momentum cycles inversely to the rate.
        public var cycleMomentum: Bool = true
        /// Momentum at the peak rate, in [0, 1].
        public var baseMomentum: GroupValues = .all(Self.defaultBaseMomentum)
        /// Momentum at the base rate, in [0, 1].
        public var maxMomentum: GroupValues = .all(Self.defaultMaxMomentum)

        /// The default of ``baseMomentum`` for every group.
        public static let defaultBaseMomentum = 0.8
        /// The default of ``maxMomentum`` for every group.
        public static let defaultMaxMomentum = 0.9

        public init() {}

        public var defaultCadence: StepCadence? { CyclicSchedule.defaultCadence }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let baseLR = try context.perGroup(try context.required(baseLR, "baseLR"), "baseLR")
            let maxLR = try context.perGroup(try context.required(maxLR, "maxLR"), "maxLR")
            let baseMomentum = try context.perGroup(baseMomentum, "baseMomentum")
            let maxMomentum = try context.perGroup(maxMomentum, "maxMomentum")
            var schedules: [CyclicSchedule] = []
            for group in 0..<context.groups {
                schedules.append(
                    try context.named { () throws(SchedulerError) in
                        try CyclicSchedule(
                            baseLR: baseLR[group], maxLR: maxLR[group], stepSizeUp: stepSizeUp,
                            stepSizeDown: stepSizeDown,
                            mode: mode, gamma: gamma, cycleMomentum: cycleMomentum, baseMomentum: baseMomentum[group],
                            maxMomentum: maxMomentum[group])
                    })
            }
            return try context.closedForm(perGroup: schedules)
        }
    }
}
