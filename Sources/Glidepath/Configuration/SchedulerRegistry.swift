/// The one table from a configuration's `"name"` to its type: adding a scheduler is one type conforming
/// to ``SchedulerParameters`` and one line here.
///
/// The order is the order names are listed to users (in error messages and ``SchedulerConfiguration/Name/allCases``).
public enum SchedulerRegistry {
    /// Every configuration type.
    public static let types: [any SchedulerParameters.Type] = [
        FixedSchedule.Configuration.self,
        StepSchedule.Configuration.self,
        MultiStepSchedule.Configuration.self,
        ConstantSchedule.Configuration.self,
        LinearSchedule.Configuration.self,
        ExponentialSchedule.Configuration.self,
        PolynomialSchedule.Configuration.self,
        CosineAnnealingSchedule.Configuration.self,
        CosineWarmRestartsSchedule.Configuration.self,
        CyclicSchedule.Configuration.self,
        OneCycleSchedule.Configuration.self,
        InverseSquareRootSchedule.Configuration.self,
        WarmupStableDecaySchedule.Configuration.self,
        ReduceOnPlateauScheduler.Configuration.self,
        SequentialScheduler.Configuration.self,
        ChainedScheduler.Configuration.self,
        WarmupScheduler.Configuration.self,
        DLRSScheduler.Configuration.self,
        DLRSOnPlateauScheduler.Configuration.self,
        MLRSNetScheduler.Configuration.self,
        LandscapeScheduler.Configuration.self,
    ]

    /// The configuration type registered under `name`.
    public static func type(named name: String) -> (any SchedulerParameters.Type)? {
        types.first { $0.name.rawValue == name }
    }
}

extension SchedulerConfiguration {
    /// A scheduler name as configurations spell it (`"cosine"`, `"dlrs"`, …): PyTorch's (and
    /// pytorch-dlrs's, Hugging Face's) names in lowerCamelCase.
    public struct Name: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        /// Every registered name, in ``SchedulerRegistry/types`` order.
        public static var allCases: [Name] { SchedulerRegistry.types.map { $0.name } }

        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }
}
