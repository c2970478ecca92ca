import Foundation

extension DLRSScheduler {
    /// Which factor DLRS applies when the slope is exactly 1.
    ///
    /// The paper contradicts itself here (arXiv:2507.21749): the piecewise equation of its Section 3.2
    /// puts `0 ≤ ΔL ≤ 1` in the stagnation case, while Algorithm 1 tests the middle case strictly, so
    /// `ΔL = 1` falls through to its final (convergence) branch. Both pytorch-dlrs versions follow
    /// Section 3.2, which is the default here.
    public enum UnitSlopeBranch: String, Sendable, Codable, CaseIterable {
        /// s = 1 uses δ_o (Section 3.2; pytorch-dlrs 0.2.1 and 0.3.0).
        case stagnation
        /// s = 1 uses δ_i (Algorithm 1's strict reading).
        case convergence
    }

    /// The hyperparameters of DLRS: `{"name": "dlrs", "deltaD": δ_d, "deltaO": δ_o, "deltaI": δ_i,
    /// "minLR": …, "maxLR": …, "decade": …, "unitSlope": …}`, every key optional.
    ///
    /// The defaults are pytorch-dlrs's (0.2.1 and 0.3.0), except ``DecadeConvention/exact``. Valid ranges
    /// (checked by the scheduler's initializer, as pytorch-dlrs 0.3.0 does): every factor and
    /// `minimumLearningRate` finite and > 0; `maximumLearningRate` absent or finite and greater than
    /// `minimumLearningRate`. pytorch-dlrs warns (Glidepath does not) when δ_d ∉ [0.1, 1], δ_o ∉ [0.5, 2]
    /// or δ_i ∉ [0.01, 0.5].
    public struct Configuration: SchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "dlrs"

        /// δ_d (`deltaD`): the factor for a diverging epoch, s > 1.
        public var divergenceFactor: Double = 0.5
        /// δ_o (`deltaO`): the factor for a stagnating epoch, 0 ≤ s ≤ 1.
        public var stagnationFactor: Double = 1.0
        /// δ_i (`deltaI`): the factor for a converging epoch, s < 0.
        public var convergenceFactor: Double = 0.1
        /// `minLR`: the lower clamp, applied first.
        public var minimumLearningRate: Double = 1e-8
        /// `maxLR`: the upper clamp, applied last; `nil` for none. Without it a steadily falling loss
        /// grows the rate without bound.
        public var maximumLearningRate: Double?
        /// `decade`: how the decade of a rate is read (see ``DecadeConvention``).
        public var decade: DecadeConvention = .exact
        /// `unitSlope`: the branch for s = 1 exactly (see ``DLRSScheduler/UnitSlopeBranch``).
        public var unitSlope: UnitSlopeBranch = .stagnation

        public init() {}

        /// Every hyperparameter; an argument left out keeps the default above.
        public init(
            divergenceFactor: Double = Configuration().divergenceFactor,
            stagnationFactor: Double = Configuration().stagnationFactor,
            convergenceFactor: Double = Configuration().convergenceFactor,
            minimumLearningRate: Double = Configuration().minimumLearningRate,
            maximumLearningRate: Double? = nil,
            decade: DecadeConvention = Configuration().decade,
            unitSlope: UnitSlopeBranch = Configuration().unitSlope
        ) {
            self.divergenceFactor = divergenceFactor
            self.stagnationFactor = stagnationFactor
            self.convergenceFactor = convergenceFactor
            self.minimumLearningRate = minimumLearningRate
            self.maximumLearningRate = maximumLearningRate
            self.decade = decade
            self.unitSlope = unitSlope
        }

        /// The JSON keys are pytorch-dlrs's argument names in lowerCamelCase.
        enum CodingKeys: String, CodingKey {
            case divergenceFactor = "deltaD"
            case stagnationFactor = "deltaO"
            case convergenceFactor = "deltaI"
            case minimumLearningRate = "minLR"
            case maximumLearningRate = "maxLR"
            case decade
            case unitSlope
        }

        public var defaultCadence: StepCadence? { .perEpoch }
        public static var fixedCadence: StepCadence? { .perEpoch }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try DLRSScheduler(configuration: self, baseRates: context.baseRates)
                })
        }

        /// Checks every range; `names` says how to call each parameter in the error.
        func validate(names: DLRSParameterNames) throws(SchedulerError) {
            for (name, value) in [
                (names.deltaD, divergenceFactor), (names.deltaO, stagnationFactor),
                (names.deltaI, convergenceFactor), (names.minLR, minimumLearningRate),
            ] {
                guard value.isFinite, value > 0 else {
                    throw .invalidArgument(name: name, value: "\(value)", reason: "must be finite and > 0")
                }
            }
            if let maximumLearningRate {
                guard maximumLearningRate.isFinite, maximumLearningRate > 0 else {
                    throw .invalidArgument(
                        name: names.maxLR, value: "\(maximumLearningRate)",
                        reason: "must be finite and > 0, or absent")
                }
                guard maximumLearningRate > minimumLearningRate else {
                    throw .invalidArgument(
                        name: names.maxLR, value: "\(maximumLearningRate)",
                        reason: "must be greater than \(names.minLR)=\(minimumLearningRate)")
                }
            }
        }
    }
}

/// How DLRS parameters are named in errors: by their Swift labels for the Swift initializer, by their
/// JSON keys for configurations, and with a prefix inside saved states.
struct DLRSParameterNames: Sendable {
    var deltaD, deltaO, deltaI, minLR, maxLR, rates: String

    static let swift = DLRSParameterNames(
        deltaD: "divergenceFactor", deltaO: "stagnationFactor", deltaI: "convergenceFactor",
        minLR: "minimumLearningRate", maxLR: "maximumLearningRate", rates: "baseRates")
    static let json = DLRSParameterNames(
        deltaD: "deltaD", deltaO: "deltaO", deltaI: "deltaI", minLR: "minLR", maxLR: "maxLR", rates: "lrs")

    static func state(_ prefix: String) -> DLRSParameterNames {
        DLRSParameterNames(
            deltaD: prefix + "deltaD", deltaO: prefix + "deltaO", deltaI: prefix + "deltaI",
            minLR: prefix + "minLR", maxLR: prefix + "maxLR", rates: prefix + "learningRates")
    }
}

/// Validates per-group rates: at least one group, each finite and ≥ 0 (pytorch-dlrs 0.3.0's domain).
func validateLearningRates(_ rates: [Double], name: String) throws(SchedulerError) {
    guard !rates.isEmpty else {
        throw .invalidArgument(name: name, value: "[]", reason: "needs at least one parameter group")
    }
    for (index, rate) in rates.enumerated() where !(rate.isFinite && rate >= 0) {
        throw .invalidArgument(name: "\(name)[\(index)]", value: "\(rate)", reason: "must be finite and >= 0")
    }
}
