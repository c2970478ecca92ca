import Foundation

/// A scheduler described as JSON: `{"name": NAME, …parameters}`, the `"scheduler"` object of the
/// `glidepath schedule` configuration and of training-run configurations.
///
/// Names and parameters are PyTorch's (and pytorch-dlrs's, Hugging Face's) in lowerCamelCase, with their
/// defaults; ``Name`` lists them, and `docs/schedulers.md` has the full table. Decoding rejects an unknown
/// name, an unknown field and an ill-typed field with one ``SchedulerError/invalidArgument(name:value:reason:)``
/// naming the field path (for example `scheduler.schedulers[1].gamma`) and the value. Range checks run
/// when the scheduler is built with ``makeScheduler(baseRates:momenta:)``, by the schedulers' own
/// initializers, and name the same field path.
///
/// Every configuration also accepts `"cadence": "perUpdate" | "perEpoch"` to override the scheduler's
/// default cadence.
public struct SchedulerConfiguration: Sendable, Equatable, Decodable {
    /// Every scheduler name a configuration can use.
    public enum Name: String, Sendable, Codable, CaseIterable {
        /// The base rate at every step: training without a scheduler (`ConstantLR(factor=1)` in effect).
        case fixed
        case step, multiStep, constant, linear, exponential, polynomial, cosine, cosineWarmRestarts
        case cyclic, oneCycle, inverseSquareRoot, warmupStableDecay
        case reduceOnPlateau
        case sequential, chained, warmup
        case dlrs, dlrsOnPlateau, mlrsnet
        /// A curvature-aware multiplier on a base schedule (``LandscapeScheduler``).
        case landscape
    }

    /// The scheduler's name.
    public let name: Name
    /// Every field of the object except `"name"`, as given.
    public let parameters: [String: StateValue]
    /// Where this object sits in the enclosing document (`"scheduler"` at the top level); prefixes the
    /// field names in errors.
    public let path: String
    /// Nested configurations: `schedulers` of sequential/chained, `scheduler` of warmup.
    public let children: [SchedulerConfiguration]
    /// The `"cadence"` field, when given: overrides the scheduler's default cadence (for every name,
    /// including those built from their own `Configuration` type).
    public let cadence: StepCadence?

    /// Parses and type-checks a configuration object.
    public init(_ value: StateValue, path: String = "scheduler") throws(SchedulerError) {
        guard case .object(var fields) = value else {
            throw .invalidArgument(name: path, value: value.configurationText,
                                   reason: "expected an object {\"name\": …}")
        }
        let options = Name.allCases.map(\.rawValue).joined(separator: ", ")
        guard let nameValue = fields.removeValue(forKey: "name") else {
            throw .invalidArgument(name: "\(path).name", value: "nil", reason: "required; one of \(options)")
        }
        guard case .string(let text) = nameValue, let name = Name(rawValue: text) else {
            throw .invalidArgument(name: "\(path).name", value: nameValue.configurationText,
                                   reason: "unknown scheduler; expected one of \(options)")
        }
        var cadence: StepCadence?
        if let value = fields["cadence"] {
            guard case .string(let text) = value, let parsed = StepCadence(rawValue: text) else {
                throw .invalidArgument(
                    name: "\(path).cadence", value: value.configurationText,
                    reason: "expected one of " + StepCadence.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
            cadence = parsed
        }
        // Fields are checked in sorted order so the reported field is deterministic.
        if let schema = Self.schema(for: name) {
            for key in fields.keys.sorted() {
                guard let value = fields[key] else { continue }
                guard let type = schema[key] ?? (key == "cadence" ? .choice(StepCadence.allCases.map(\.rawValue)) : nil)
                else {
                    let known = (Array(schema.keys) + ["cadence"]).sorted().joined(separator: ", ")
                    throw .invalidArgument(name: "\(path).\(key)", value: value.configurationText,
                                           reason: "unknown field for \(name.rawValue); known fields: \(known)")
                }
                guard type.accepts(value) else {
                    throw .invalidArgument(name: "\(path).\(key)", value: value.configurationText,
                                           reason: type.expectation)
                }
            }
        }
        var children = [SchedulerConfiguration]()
        if case .array(let items)? = fields["schedulers"], name == .sequential || name == .chained {
            for (index, item) in items.enumerated() {
                children.append(try SchedulerConfiguration(item, path: "\(path).schedulers[\(index)]"))
            }
        }
        if let item = fields["scheduler"], name == .warmup || name == .landscape {
            children.append(try SchedulerConfiguration(item, path: "\(path).scheduler"))
        }
        self.name = name
        self.parameters = fields
        self.path = path
        self.children = children
        self.cadence = cadence
    }

    /// Decodes a configuration object from any decoder (use ``StateCoding/decoder()`` so that
    /// `"Infinity"`/`"NaN"` strings read as numbers and are then rejected by range checks).
    public init(from decoder: any Decoder) throws {
        try self.init(StateValue(from: decoder))
    }

    /// Decodes the parameters (every field except `"name"` and `"cadence"`) as `type`: how schedulers
    /// that define their own `Configuration: Decodable` (DLRS, MLR-SNet) read their fields. Errors name
    /// the field path.
    public func decodeParameters<Value: Decodable>(_ type: Value.Type, excluding: Set<String> = [])
        throws(SchedulerError) -> Value
    {
        var fields = parameters
        fields["cadence"] = nil
        for key in excluding { fields[key] = nil }
        do {
            let data = try StateCoding.encoder().encode(StateValue.object(fields))
            return try StateCoding.decoder().decode(Value.self, from: data)
        } catch {
            // Name the offending field and its value when the decoding error points at one.
            var keys = [any CodingKey]()
            switch error as? DecodingError {
            case let .keyNotFound(key, context)?: keys = context.codingPath + [key]
            case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?, let .dataCorrupted(context)?:
                keys = context.codingPath
            default: break
            }
            if let first = keys.first, first.intValue == nil {
                var name = "\(path).\(first.stringValue)"
                var value = parameters[first.stringValue]
                for key in keys.dropFirst() {
                    if let index = key.intValue {
                        name += "[\(index)]"
                        if case let .array(items)? = value, items.indices.contains(index) { value = items[index] } else { value = nil }
                    } else {
                        name += ".\(key.stringValue)"
                        if case let .object(fields)? = value { value = fields[key.stringValue] } else { value = nil }
                    }
                }
                throw .invalidArgument(name: name, value: value?.configurationText ?? "nil",
                                       reason: StateCoding.describe(error))
            }
            throw .invalidArgument(name: path, value: StateValue.object(parameters).configurationText,
                                   reason: StateCoding.describe(error))
        }
    }

    /// The fields each name accepts (besides `name` and `cadence`), or `nil` for the schedulers whose
    /// own `Configuration` type checks its fields.
    static func schema(for name: Name) -> [String: ConfigurationFieldType]? {
        let cyclicModes = CyclicMode.allCases.map(\.rawValue)
        switch name {
        case .fixed: return [:]
        case .step: return ["stepSize": .integer, "gamma": .number]
        case .multiStep: return ["milestones": .integerList, "gamma": .number]
        case .constant: return ["factor": .number, "totalIters": .integer]
        case .linear: return ["startFactor": .number, "endFactor": .number, "totalIters": .integer]
        case .exponential: return ["gamma": .number]
        case .polynomial: return ["totalIters": .integer, "power": .number]
        case .cosine: return ["tMax": .integer, "etaMin": .number]
        case .cosineWarmRestarts: return ["t0": .integer, "tMult": .integer, "etaMin": .number]
        case .cyclic:
            return ["baseLR": .numberOrList, "maxLR": .numberOrList, "stepSizeUp": .integer,
                    "stepSizeDown": .optionalInteger, "mode": .choice(cyclicModes), "gamma": .number,
                    "cycleMomentum": .boolean, "baseMomentum": .numberOrList, "maxMomentum": .numberOrList]
        case .oneCycle:
            return ["maxLR": .numberOrList, "totalSteps": .optionalInteger, "epochs": .optionalInteger,
                    "stepsPerEpoch": .optionalInteger, "pctStart": .number,
                    "annealStrategy": .choice(AnnealStrategy.allCases.map(\.rawValue)),
                    "cycleMomentum": .boolean, "baseMomentum": .numberOrList, "maxMomentum": .numberOrList,
                    "divFactor": .number, "finalDivFactor": .number, "threePhase": .boolean]
        case .inverseSquareRoot: return ["numWarmupSteps": .integer, "timescale": .optionalInteger]
        case .warmupStableDecay:
            let shapes = WarmupStableDecayShape.allCases.map(\.rawValue)
            return ["numWarmupSteps": .integer, "numStableSteps": .integer, "numDecaySteps": .integer,
                    "warmupType": .choice(shapes), "decayType": .choice(shapes), "minLRRatio": .number,
                    "numCycles": .number]
        case .reduceOnPlateau:
            return ["mode": .choice(PlateauMode.allCases.map(\.rawValue)), "factor": .number,
                    "patience": .integer, "threshold": .number,
                    "thresholdMode": .choice(ThresholdMode.allCases.map(\.rawValue)), "cooldown": .integer,
                    "minLR": .numberOrList, "eps": .number]
        case .sequential: return ["schedulers": .schedulerList, "milestones": .integerList]
        case .chained: return ["schedulers": .schedulerList]
        case .warmup: return ["scheduler": .scheduler, "steps": .integer, "startFactor": .number]
        case .dlrs, .dlrsOnPlateau, .mlrsnet, .landscape: return nil
        }
    }
}
