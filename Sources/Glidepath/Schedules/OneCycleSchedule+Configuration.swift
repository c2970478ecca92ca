extension OneCycleSchedule {
    /// `{"name": "oneCycle", "maxLR": …, "totalSteps": T, …}`: ``OneCycleSchedule`` (PyTorch
    /// `OneCycleLR`). `maxLR` and the momentum bounds take one number for every group or one per group.
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "oneCycle"

        /// Peak rate, > 0. Required.
        public var maxLR: GroupValues?
        /// Scheduled steps T ≥ 2. Give it, or `epochs` and `stepsPerEpoch` (T = their product, as
        /// PyTorch); resolving against a run fills in the steps the scheduler drives when all three are
        /// absent.
        public var totalSteps: Int?
        /// With `stepsPerEpoch`, T = epochs × stepsPerEpoch.
        public var epochs: Int?
        /// With `epochs`, T = epochs × stepsPerEpoch.
        public var stepsPerEpoch: Int?
        /// Fraction p of T spent warming up.
        public var pctStart: Double = 0.3
        /// Interpolation inside each phase.
        public var annealStrategy: AnnealStrategy = .cos
        /// Whether momentum is scheduled.
        public var cycleMomentum: Bool = true
        /// Momentum at the peak rate, in [0, 1].
        public var baseMomentum: GroupValues = .all(Self.defaultBaseMomentum)
        /// Momentum at the start and the end, in [0, 1].
        public var maxMomentum: GroupValues = .all(Self.defaultMaxMomentum)
        /// initialLR = maxLR / divFactor, > 0.
        public var divFactor: Double = 25.0
        /// minLR = initialLR / finalDivFactor, > 0.
        public var finalDivFactor: Double = 1e4
        /// Whether to use the three-phase variant.
        public var threePhase: Bool = false

        /// The default of ``baseMomentum`` for every group.
        public static let defaultBaseMomentum = 0.85
        /// The default of ``maxMomentum`` for every group.
        public static let defaultMaxMomentum = 0.95

        public init() {}

        public var defaultCadence: StepCadence? { OneCycleSchedule.defaultCadence }

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            var copy = self
            if totalSteps == nil && epochs == nil && stepsPerEpoch == nil { copy.totalSteps = shape.steps }
            return copy
        }

        /// T: `totalSteps`, or `epochs × stepsPerEpoch`.
        func scheduledSteps(_ context: SchedulerBuildContext) throws(SchedulerError) -> Int {
            if let totalSteps { return totalSteps }
            guard let epochs, let stepsPerEpoch else {
                throw .invalidArgument(
                    name: context.field("totalSteps"), value: "nil",
                    reason: "define either totalSteps or (epochs and stepsPerEpoch)")
            }
            try context.named { () throws(SchedulerError) in
                try SchedulerArgumentValidation.atLeast(epochs, 1, "epochs")
                try SchedulerArgumentValidation.atLeast(stepsPerEpoch, 1, "stepsPerEpoch")
            }
            let (product, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
            guard !overflow else {
                throw .invalidArgument(
                    name: context.field("epochs"), value: "\(epochs)",
                    reason: "epochs × stepsPerEpoch overflows")
            }
            return product
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let maxLR = try context.perGroup(try context.required(maxLR, "maxLR"), "maxLR")
            let totalSteps = try scheduledSteps(context)
            let baseMomentum = try context.perGroup(baseMomentum, "baseMomentum")
            let maxMomentum = try context.perGroup(maxMomentum, "maxMomentum")
            var schedules: [OneCycleSchedule] = []
            for group in 0..<context.groups {
                schedules.append(
                    try context.named { () throws(SchedulerError) in
                        try OneCycleSchedule(
                            maxLR: maxLR[group], totalSteps: totalSteps, pctStart: pctStart,
                            annealStrategy: annealStrategy,
                            cycleMomentum: cycleMomentum, baseMomentum: baseMomentum[group],
                            maxMomentum: maxMomentum[group],
                            divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase)
                    })
            }
            return try context.closedForm(perGroup: schedules)
        }
    }
}
