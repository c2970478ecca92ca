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

    /// The hyperparameters of DLRS, decodable from the `glidepath schedule` JSON
    /// (`{"name": "dlrs", "deltaD": 0.5, "deltaO": 1, "deltaI": 0.1, "minLR": 1e-8, "maxLR": null,
    /// "decade": "exact", "unitSlope": "stagnation"}`; every key optional, unknown keys rejected).
    ///
    /// Valid ranges (checked by the scheduler's initializer, as pytorch-dlrs 0.3.0 does): every factor
    /// and `minimumLearningRate` finite and > 0; `maximumLearningRate` absent or finite and greater than
    /// `minimumLearningRate`. pytorch-dlrs warns (Glidepath does not) when δ_d ∉ [0.1, 1], δ_o ∉ [0.5, 2]
    /// or δ_i ∉ [0.01, 0.5].
    public struct Configuration: Sendable, Equatable, Codable {
        /// δ_d (`deltaD`): the factor for a diverging epoch, s > 1. pytorch-dlrs default 0.5.
        public var divergenceFactor: Double
        /// δ_o (`deltaO`): the factor for a stagnating epoch, 0 ≤ s ≤ 1. pytorch-dlrs default 1.0.
        public var stagnationFactor: Double
        /// δ_i (`deltaI`): the factor for a converging epoch, s < 0. pytorch-dlrs default 0.1.
        public var convergenceFactor: Double
        /// `minLR`: the lower clamp, applied first. pytorch-dlrs default 1e-8.
        public var minimumLearningRate: Double
        /// `maxLR`: the upper clamp, applied last; `nil` for none (pytorch-dlrs default).
        /// Without it a steadily falling loss grows the rate without bound.
        public var maximumLearningRate: Double?
        /// `decade`: how the decade of a rate is read (see ``DecadeConvention``).
        public var decade: DecadeConvention
        /// `unitSlope`: the branch for s = 1 exactly (see ``DLRSScheduler/UnitSlopeBranch``).
        public var unitSlope: UnitSlopeBranch

        public init(
            divergenceFactor: Double = 0.5,
            stagnationFactor: Double = 1.0,
            convergenceFactor: Double = 0.1,
            minimumLearningRate: Double = 1e-8,
            maximumLearningRate: Double? = nil,
            decade: DecadeConvention = .exact,
            unitSlope: UnitSlopeBranch = .stagnation
        ) {
            self.divergenceFactor = divergenceFactor
            self.stagnationFactor = stagnationFactor
            self.convergenceFactor = convergenceFactor
            self.minimumLearningRate = minimumLearningRate
            self.maximumLearningRate = maximumLearningRate
            self.decade = decade
            self.unitSlope = unitSlope
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case divergenceFactor = "deltaD"
            case stagnationFactor = "deltaO"
            case convergenceFactor = "deltaI"
            case minimumLearningRate = "minLR"
            case maximumLearningRate = "maxLR"
            case decade
            case unitSlope
        }

        /// Decodes the JSON keys above; any other key except `name` (the factory's discriminator) is
        /// rejected with an error naming it.
        public init(from decoder: any Decoder) throws {
            try DLRSCodingKey.rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue) + ["name"],
                                                scheduler: "dlrs")
            try self.init(decodingFrom: decoder.container(keyedBy: CodingKeys.self))
        }

        init(decodingFrom container: KeyedDecodingContainer<CodingKeys>) throws {
            let defaults = Configuration()
            divergenceFactor = try container.decodeIfPresent(Double.self, forKey: .divergenceFactor)
                ?? defaults.divergenceFactor
            stagnationFactor = try container.decodeIfPresent(Double.self, forKey: .stagnationFactor)
                ?? defaults.stagnationFactor
            convergenceFactor = try container.decodeIfPresent(Double.self, forKey: .convergenceFactor)
                ?? defaults.convergenceFactor
            minimumLearningRate = try container.decodeIfPresent(Double.self, forKey: .minimumLearningRate)
                ?? defaults.minimumLearningRate
            maximumLearningRate = try container.decodeIfPresent(Double.self, forKey: .maximumLearningRate)
            decade = try container.decodeIfPresent(DecadeConvention.self, forKey: .decade) ?? defaults.decade
            unitSlope = try container.decodeIfPresent(UnitSlopeBranch.self, forKey: .unitSlope)
                ?? defaults.unitSlope
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(divergenceFactor, forKey: .divergenceFactor)
            try container.encode(stagnationFactor, forKey: .stagnationFactor)
            try container.encode(convergenceFactor, forKey: .convergenceFactor)
            try container.encode(minimumLearningRate, forKey: .minimumLearningRate)
            // Written as null so a saved state states "no upper clamp" explicitly.
            if let maximumLearningRate {
                try container.encode(maximumLearningRate, forKey: .maximumLearningRate)
            } else {
                try container.encodeNil(forKey: .maximumLearningRate)
            }
            try container.encode(decade, forKey: .decade)
            try container.encode(unitSlope, forKey: .unitSlope)
        }

        /// Checks every range; `names` says how to call each parameter in the error.
        func validate(names: DLRSParameterNames) throws(SchedulerError) {
            for (name, value) in [(names.deltaD, divergenceFactor), (names.deltaO, stagnationFactor),
                                  (names.deltaI, convergenceFactor), (names.minLR, minimumLearningRate)] {
                guard value.isFinite, value > 0 else {
                    throw .invalidArgument(name: name, value: "\(value)", reason: "must be finite and > 0")
                }
            }
            if let maximumLearningRate {
                guard maximumLearningRate.isFinite, maximumLearningRate > 0 else {
                    throw .invalidArgument(name: names.maxLR, value: "\(maximumLearningRate)",
                                           reason: "must be finite and > 0, or absent")
                }
                guard maximumLearningRate > minimumLearningRate else {
                    throw .invalidArgument(name: names.maxLR, value: "\(maximumLearningRate)",
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

/// A coding key for any string: lets configurations list the keys they were given.
struct DLRSCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// Throws a `DecodingError` naming the first key of the object that is not in `allowed`.
    static func rejectUnknownKeys(in decoder: any Decoder, allowed: [String], scheduler: String) throws {
        let container = try decoder.container(keyedBy: DLRSCodingKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        if let first = unknown.first {
            throw DecodingError.dataCorruptedError(
                forKey: DLRSCodingKey(stringValue: first), in: container,
                debugDescription: "unknown key \"\(first)\" for \(scheduler); expected one of "
                    + allowed.filter { $0 != "name" }.joined(separator: ", "))
        }
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
