import Foundation

/// A scheduler described as JSON: `{"name": NAME, "cadence": …, …parameters}`, the `"scheduler"` object
/// of the `glidepath schedule` configuration, of `glidepath train --scheduler-config` and of the run
/// store's records.
///
/// It holds the scheduler's typed ``parameters`` (a ``SchedulerParameters`` type registered in
/// ``SchedulerRegistry`` under ``name``) and the optional `"cadence"` (`"perUpdate"` or `"perEpoch"`),
/// which every scheduler object may carry to override its scheduler's default cadence.
///
/// How a configuration flows — each step once per run:
///
/// ```swift
/// let json = Data(#"{"name": "cosine", "etaMin": 0.001}"#.utf8)
/// let configuration = try SchedulerConfiguration(StateCoding.decoder().decode(StateValue.self, from: json))
/// let shape = RunShape(epochs: 10, updatesPerEpoch: 100, classCount: 10)
/// let resolved = try configuration.resolved(for: shape)   // cosine steps per epoch: tMax = 10
/// let scheduler = try resolved.makeScheduler(baseRates: [0.1])
/// let tMax = (resolved.parameters as? CosineAnnealingSchedule.Configuration)?.tMax
/// // tMax == 10
/// // scheduler.learningRates == [0.1]
/// ```
///
/// Every error is one ``SchedulerError/invalidArgument(name:value:reason:)`` naming the field path (for
/// example `scheduler.schedulers[1].gamma`) and the value: decoding rejects an unknown name, an unknown
/// field and an ill-typed field; building rejects a missing required field (`required`) and a value out
/// of range (the schedulers' own initializers, with the same field path). Encoding writes every
/// parameter, defaults included, with sorted keys (through ``StateCoding/encoder()``).
///
/// ```swift
/// var message = ""
/// do {
///     _ = try SchedulerConfiguration(.object(["name": .string("cosine"), "tmax": .int(5)]))
/// } catch {
///     message = "\(error)"
/// }
/// // message.contains("scheduler.tmax") == true
/// ```
public struct SchedulerConfiguration: Sendable, Equatable, Codable {
    /// The scheduler's typed parameters.
    public var parameters: any SchedulerParameters
    /// The `"cadence"` field, when given: overrides the scheduler's default cadence.
    public var cadence: StepCadence?

    /// The scheduler's name: that of its ``parameters``' type.
    public var name: Name { type(of: parameters).name }

    /// The configurations nested in this one (a composite's schedulers).
    public var children: [SchedulerConfiguration] { parameters.children }

    /// A configuration of `parameters`, stepped at `cadence` (`nil`: the scheduler's default).
    public init(_ parameters: some SchedulerParameters, cadence: StepCadence? = nil) {
        self.parameters = parameters
        self.cadence = cadence
    }

    /// Decodes and type-checks a configuration object.
    ///
    /// - Parameters:
    ///   - name: the scheduler to use when the object has no `"name"` (an object that has one must then
    ///     name this scheduler); `nil` requires `"name"`.
    ///   - path: where the object sits in its document; prefixes the field names in errors.
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the field path and value.
    public init(_ value: StateValue, named name: Name? = nil, path: String = "scheduler") throws(SchedulerError) {
        do {
            self = try SchedulerConfiguration(decoding: value, codingPath: [], defaultName: name)
        } catch let error as SchedulerError {
            throw error
        } catch let error as DecodingError {
            let field = StrictDecoding.field(of: error, under: path, in: value)
            throw .invalidArgument(name: field.name, value: field.value, reason: field.reason)
        } catch {
            throw .invalidArgument(name: path, value: value.jsonText, reason: "\(error)")
        }
    }

    /// Decodes a configuration object from any decoder. Inside a configuration being decoded (a
    /// composite's child) errors stay `DecodingError`s that the enclosing configuration reports; from any
    /// other decoder (use ``StateCoding/decoder()``, so `"Infinity"`/`"NaN"` strings read as numbers and
    /// are then rejected by range checks) they are ``SchedulerError``s named from the decoder's coding
    /// path (`scheduler` at the top).
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ConfigurationDecoder {
            try self.init(decoding: decoder.value, codingPath: decoder.codingPath)
        } else {
            var path = "scheduler"
            if let first = decoder.codingPath.first, first.intValue == nil {
                path = ConfigurationPath.text(first.stringValue, Array(decoder.codingPath.dropFirst()))
            }
            try self.init(StateValue(from: decoder), path: path)
        }
    }

    private init(decoding value: StateValue, codingPath: [any CodingKey], defaultName: Name? = nil) throws {
        guard case .object(var fields) = value else {
            throw DecodingError.typeMismatch(
                SchedulerConfiguration.self,
                .init(
                    codingPath: codingPath, debugDescription: "expected an object {\"name\": …}"))
        }
        let options = Name.allCases.map(\.rawValue).joined(separator: ", ")
        if let defaultName, let given = fields["name"], given != .string(defaultName.rawValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [ConfigurationKey.name], debugDescription: "expected \"\(defaultName)\""))
        }
        guard let nameValue = fields.removeValue(forKey: "name") ?? defaultName.map({ .string($0.rawValue) }) else {
            throw DecodingError.keyNotFound(
                ConfigurationKey.name,
                .init(
                    codingPath: codingPath, debugDescription: "required; one of \(options)"))
        }
        guard case .string(let text) = nameValue, let type = SchedulerRegistry.type(named: text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [ConfigurationKey.name],
                    debugDescription: "unknown scheduler; expected one of \(options)"))
        }
        var cadence: StepCadence?
        if let given = fields.removeValue(forKey: "cadence") {
            cadence = try Self.decodeCadence(given, codingPath: codingPath, for: type)
        }
        self.parameters = try type.decode(fields: fields, codingPath: codingPath)
        self.cadence = cadence
    }

    /// Reads a `"cadence"` value for a scheduler of `type` (one whose ``SchedulerParameters/fixedCadence``
    /// is set accepts only that one).
    static func decodeCadence(_ value: StateValue, codingPath: [any CodingKey], for type: any SchedulerParameters.Type)
        throws -> StepCadence
    {
        let path = codingPath + [ConfigurationKey.cadence]
        guard case .string(let text) = value, let cadence = StepCadence(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: path,
                    debugDescription: "expected one of "
                        + StepCadence.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")))
        }
        if let fixed = type.fixedCadence, cadence != fixed {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: path,
                    debugDescription:
                        "\(type.name.rawValue) is only defined stepped \(fixed == .perUpdate ? "once per update" : "once per epoch"); "
                        + "only \"\(fixed.rawValue)\" is allowed"))
        }
        return cadence
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = try parameters.encodedFields()
        fields["name"] = .string(name.rawValue)
        if let cadence { fields["cadence"] = .string(cadence.rawValue) }
        try StateValue.object(fields).encode(to: encoder)
    }

    public static func == (lhs: SchedulerConfiguration, rhs: SchedulerConfiguration) -> Bool {
        lhs.cadence == rhs.cadence && lhs.parameters.isEqual(to: rhs.parameters)
    }

    // MARK: Resolve and build

    /// The cadence the built scheduler steps at: the `"cadence"` field, else the scheduler's default
    /// (`nil` when a composite's children disagree).
    public var effectiveCadence: StepCadence? { cadence ?? parameters.defaultCadence }

    /// Whether resolving reads ``RunShape/initialLoss`` (this configuration or a nested one).
    public var readsInitialLoss: Bool { parameters.readsInitialLoss || children.contains { $0.readsInitialLoss } }

    /// This configuration, as the top-level scheduler of a run of `shape`, with every parameter that
    /// depends on the run filled in where it was left out (nested configurations included). Given
    /// parameters never change, so resolving twice gives the same configuration.
    ///
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` when the run's figures are out of
    ///   range (epochs or updates per epoch < 1, or their product overflows).
    public func resolved(for shape: RunShape) throws(SchedulerError) -> SchedulerConfiguration {
        try resolved(within: shape.positioned(at: effectiveCadence ?? .perEpoch))
    }

    /// This configuration resolved as a nested scheduler at `shape`'s position (what a composite calls
    /// for its children, with ``RunShape/narrowed(skipping:count:)``).
    public func resolved(within shape: RunShape) throws(SchedulerError) -> SchedulerConfiguration {
        var copy = self
        copy.parameters = try parameters.resolved(for: shape)
        return copy
    }

    /// Builds the configured scheduler for parameter groups with the given base rates.
    ///
    /// - Parameters:
    ///   - baseRates: η₀ of every group (the optimizer's initial rates); at least one, finite, ≥ 0.
    ///   - momenta: the optimizer's momentum (or β₁) per group, if it has one: validated (one finite value
    ///     in [0, 1] per group). Like PyTorch, cyclic and one-cycle schedules with `cycleMomentum`
    ///     overwrite it with their own `maxMomentum`…`baseMomentum` cycle; no other scheduler moves it.
    ///   - path: the field path errors are named by.
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the field path and value.
    public func makeScheduler(baseRates: [Double], momenta: [Double]? = nil, path: String = "scheduler")
        throws(SchedulerError) -> AnyScheduler
    {
        try SchedulerArgumentValidation.baseRates(baseRates, name: "lrs")
        if let momenta {
            try SchedulerArgumentValidation.perGroup(momenta, groups: baseRates.count, "momentum")
            for (index, value) in momenta.enumerated() {
                try SchedulerArgumentValidation.unitInterval(value, "momentum[\(index)]")
            }
        }
        return try makeScheduler(in: SchedulerBuildContext(baseRates: baseRates, cadence: cadence, path: path))
    }

    /// Builds as a nested scheduler: `context`'s base rates and path, this configuration's cadence.
    public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
        try parameters.makeScheduler(
            in: SchedulerBuildContext(
                baseRates: context.baseRates, cadence: cadence,
                path: context.path))
    }

    /// This configuration with `transform` applied to every configuration in it, innermost first.
    public func map<Failure: Error>(_ transform: (SchedulerConfiguration) throws(Failure) -> SchedulerConfiguration)
        throws(Failure) -> SchedulerConfiguration
    {
        var mapped: [SchedulerConfiguration] = []
        for child in children { mapped.append(try child.map(transform)) }
        var copy = self
        if !mapped.isEmpty { copy.parameters = parameters.replacingChildren(mapped) }
        return try transform(copy)
    }
}
