import Foundation
import Glidepath
import GlidepathNN

/// An optimizer described as JSON: `{"name": NAME, …parameters, "weightDecayScope": …}` — the lab's
/// optimizer setting, `glidepath train --optimizer NAME --optimizer-config FILE`, a study arm's optimizer and
/// the run store's record.
///
/// It holds the optimizer's typed ``parameters`` (an ``OptimizerParameters`` type registered in
/// ``OptimizerRegistry`` under ``name``) and which parameters weight decay applies to. Decoding is strict:
/// an unknown name or field, or a field of the wrong type, is a
/// ``TaskError/invalidOptimizerSetting(name:value:reason:)`` naming the field path (`optimizer.dCoef`);
/// ``validate()`` range-checks every field (the optimizers' own checks, with the same path). Encoding writes
/// every parameter, defaults included, sorted.
///
/// Run records written before the registry existed (`{"kind": "adam" | "adamw" | "sgd", "learningRate": …,
/// "beta1": …, …}`) decode as the same optimizer with the same values.
public struct OptimizerConfiguration: Sendable, Codable {
    /// The optimizer's typed parameters.
    public var parameters: any OptimizerParameters
    /// Which parameters weight decay applies to; nil = the task's (a run records it resolved).
    public var weightDecayScope: WeightDecayScope?

    /// The optimizer's name: that of its ``parameters``' type.
    public var name: Name { type(of: parameters).name }

    public init(_ parameters: some OptimizerParameters, weightDecayScope: WeightDecayScope? = nil) {
        self.parameters = parameters
        self.weightDecayScope = weightDecayScope
    }

    /// The study's optimizer: Adam, η = 10⁻³, coupled weight decay 5·10⁻⁴ on every parameter.
    public static let study = OptimizerConfiguration(AdamConfiguration(), weightDecayScope: .all)

    /// The text tasks' optimizer: ``study`` with the embedding and biases exempt from decay
    /// (`docs/tasks.md`, "Optimizer": measured to matter for the BiLSTM).
    public static let studyText = OptimizerConfiguration(AdamConfiguration(), weightDecayScope: .weightsOnly)

    /// Decodes and type-checks a configuration object.
    ///
    /// - Parameters:
    ///   - name: the optimizer when the object has no `"name"` (an object that has one must then name this
    ///     optimizer); nil requires `"name"`.
    ///   - path: where the object sits in its document; prefixes the field names in errors.
    /// - Throws: ``TaskError/invalidOptimizerSetting(name:value:reason:)`` naming the field path and value.
    public init(_ value: StateValue, named name: Name? = nil, path: String = "optimizer") throws(TaskError) {
        func fail(_ field: String, _ value: String, _ reason: String) -> TaskError {
            .invalidOptimizerSetting(name: field.isEmpty ? path : "\(path).\(field)", value: value, reason: reason)
        }
        guard case .object(var fields) = value else {
            throw fail("", Self.text(value), "expected a JSON object with the optimizer's parameters")
        }
        if fields["kind"] != nil && fields["name"] == nil {
            do {
                self = try StateCoding.decoder().decode(
                    LegacyOptimizerSettings.self,
                    from: StateCoding.encoder().encode(value)
                ).configuration
                return
            } catch {
                throw fail("", Self.text(value), "not a recorded optimizer setting: \(StateCoding.describe(error))")
            }
        }
        let given = fields.removeValue(forKey: "name")
        var chosen = name
        if let given {
            guard case .string(let text) = given else { throw fail("name", Self.text(given), "expected a string") }
            if let name, name.rawValue != text {
                throw fail("name", Self.text(given), "the configuration is for another optimizer than \(name)")
            }
            chosen = Name(rawValue: text)
        }
        guard let chosen else { throw fail("name", "nil", "required; one of \(Name.list)") }
        guard let type = OptimizerRegistry.type(named: chosen.rawValue) else {
            throw fail("name", "\"\(chosen)\"", "unknown optimizer; expected one of \(Name.list)")
        }
        var scope: WeightDecayScope? = nil
        if let text = fields.removeValue(forKey: "weightDecayScope") {
            guard case .string(let raw) = text, let parsed = WeightDecayScope(rawValue: raw) else {
                throw fail(
                    "weightDecayScope", Self.text(text),
                    "expected one of " + WeightDecayScope.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
            scope = parsed
        }
        func decode<T: OptimizerParameters>(_ type: T.Type) throws -> any OptimizerParameters {
            // A fixed field may appear only with the name's own value (as a recorded configuration has it).
            let defaults = T(), fixed = try StrictDecoding.objectFields(of: defaults)
            for key in fields.keys.sorted() where T.fixedFields.contains(key) && fields[key] != fixed[key] {
                throw TaskError.invalidOptimizerSetting(
                    name: "\(path).\(key)", value: Self.text(fields[key] ?? .null),
                    reason: "fixed by the optimizer's name \(chosen) (\(Self.text(fixed[key] ?? .null)))")
            }
            return try StrictDecoding.decode(
                type, from: fields, defaults: defaults, kind: chosen.rawValue,
                alsoKnown: ["name", "weightDecayScope"])
        }
        do {
            parameters = try decode(type)
        } catch let error as TaskError {
            throw error
        } catch let error as DecodingError {
            let field = StrictDecoding.field(of: error, under: path, in: .object(fields))
            throw .invalidOptimizerSetting(name: field.name, value: field.value, reason: field.reason)
        } catch {
            throw fail("", Self.text(value), "\(error)")
        }
        weightDecayScope = scope
    }

    /// Range-checks every field.
    /// - Throws: ``TaskError/invalidOptimizerSetting(name:value:reason:)`` naming `optimizer.<field>`.
    public func validate(path: String = "optimizer") throws(TaskError) {
        do { try parameters.validate(path: path + ".") } catch {
            switch error {
            case let .invalidArgument(name, value, reason), let .invalidInput(name, value, reason):
                throw .invalidOptimizerSetting(name: name, value: value, reason: reason)
            }
        }
    }

    /// This configuration with an absent weight-decay scope replaced by `scope`.
    public func resolvingScope(_ scope: WeightDecayScope) -> OptimizerConfiguration {
        var resolved = self
        if resolved.weightDecayScope == nil { resolved.weightDecayScope = scope }
        return resolved
    }

    /// Decodes strictly (see ``init(_:named:path:)``); errors name the field by the decoder's coding path,
    /// so a configuration embedded in a larger document (a study plan's `arms[2].optimizer`) is named there.
    public init(from decoder: any Decoder) throws {
        var path = ""
        for key in decoder.codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
        try self.init(StateValue(from: decoder), path: path.isEmpty ? "optimizer" : path)
    }

    public func encode(to encoder: any Encoder) throws {
        guard case .object(var fields) = try StateValue(encoding: parameters) else {
            throw EncodingError.invalidValue(
                parameters,
                .init(
                    codingPath: encoder.codingPath,
                    debugDescription: "parameters are not an object"))
        }
        fields["name"] = .string(name.rawValue)
        if let weightDecayScope { fields["weightDecayScope"] = .string(weightDecayScope.rawValue) }
        try StateValue.object(fields).encode(to: encoder)
    }

    static func text(_ value: StateValue) -> String {
        (try? StateCoding.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "<value>"
    }
}

extension OptimizerConfiguration: Equatable {
    /// Equal when they encode equally (same name, every parameter and the scope).
    public static func == (lhs: OptimizerConfiguration, rhs: OptimizerConfiguration) -> Bool {
        (try? StateValue(encoding: lhs)) == (try? StateValue(encoding: rhs))
    }
}

extension OptimizerConfiguration {
    /// An optimizer name as configurations spell it (`"adam"`, `"prodigy"`, `"scheduleFreeAdamW"`, …).
    public struct Name: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }

        /// Every registered name, in ``OptimizerRegistry/types`` order.
        public static var allCases: [Name] { OptimizerRegistry.types.map { $0.name } }

        /// The registered names for messages.
        static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// The configuration for `--optimizer NAME` and `--optimizer-config FILE`: the file's object (with or
    /// without `"name"`; one that names another optimizer than `name` is refused), for `name`, or for the
    /// file's name, or for `fallback`'s name when neither gives one. Returns nil when neither is given.
    ///
    /// - Throws: ``TaskError/invalidOptimizerSetting(name:value:reason:)`` naming the field.
    public static func requested(name: String?, file: StateValue?, fallback: Name) throws(TaskError)
        -> OptimizerConfiguration?
    {
        guard name != nil || file != nil else { return nil }
        if let name, OptimizerRegistry.type(named: name) == nil {
            throw .invalidOptimizerSetting(
                name: "--optimizer", value: name, reason: "unknown optimizer; expected one of \(Name.list)")
        }
        var fileName: Name? = nil
        if case .object(let fields)? = file, case .string(let text)? = fields["name"] {
            fileName = Name(rawValue: text)
        }
        let chosen = name.map(Name.init(rawValue:)) ?? fileName ?? fallback
        let configuration = try OptimizerConfiguration(file ?? .object([:]), named: chosen)
        try configuration.validate()
        return configuration
    }
}
