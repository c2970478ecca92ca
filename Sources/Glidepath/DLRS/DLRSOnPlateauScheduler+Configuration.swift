extension DLRSOnPlateauScheduler {
    /// The plateau wrapper's configuration: `{"name": "dlrsOnPlateau", "mode": …, "patience": …}` plus the
    /// DLRS keys of ``DLRSScheduler/Configuration`` in the same object. The defaults are pytorch-dlrs's.
    ///
    /// Ranges: `patience` ≥ 0 (and at most 1,000,000, which bounds the window's memory).
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "dlrsOnPlateau"

        /// `mode`: whether the metric should fall or rise.
        public var mode: Mode = .minimize
        /// `patience`: the window is `patience + 2` metrics.
        public var patience: Int = 0
        /// The DLRS hyperparameters (`deltaD`, `deltaO`, `deltaI`, `minLR`, `maxLR`, `decade`, `unitSlope`).
        public var dlrs = DLRSScheduler.Configuration()

        public init() {}

        /// Every field; an argument left out keeps the default above.
        public init(
            mode: Mode = Configuration().mode, patience: Int = Configuration().patience,
            dlrs: DLRSScheduler.Configuration = .init()
        ) {
            self.mode = mode
            self.patience = patience
            self.dlrs = dlrs
        }

        private enum CodingKeys: String, CodingKey {
            case mode, patience
        }

        // Hand-written only to keep the JSON flat: the DLRS keys sit beside `mode` and `patience`, as in
        // pytorch-dlrs's `DLRSOnPlateau(optimizer, mode, patience, delta_d, …)`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mode = try container.decode(Mode.self, forKey: .mode)
            patience = try container.decode(Int.self, forKey: .patience)
            dlrs = try DLRSScheduler.Configuration(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(mode, forKey: .mode)
            try container.encode(patience, forKey: .patience)
            try dlrs.encode(to: encoder)
        }

        public var defaultCadence: StepCadence? { .perEpoch }
        public static var fixedCadence: StepCadence? { .perEpoch }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try DLRSOnPlateauScheduler(configuration: self, baseRates: context.baseRates)
                })
        }

        static let maximumPatience = 1_000_000

        func validate(names: DLRSParameterNames, patienceName: String) throws(SchedulerError) {
            guard (0...Self.maximumPatience).contains(patience) else {
                throw .invalidArgument(
                    name: patienceName, value: "\(patience)",
                    reason: "must be in 0...\(Self.maximumPatience)")
            }
            try dlrs.validate(names: names)
        }
    }
}
