/// How a configuration type is decoded: ``StrictDecoding`` with the type's ``SchedulerParameters/init()``
/// as defaults. Errors are `DecodingError`s whose coding path names the field (relative to the decoder
/// the configuration sits in); ``SchedulerConfiguration/init(_:named:path:)`` turns them into
/// ``SchedulerError``s naming the field path and value.
extension SchedulerParameters {
    /// Decodes a scheduler object for this type on its own, outside a ``SchedulerConfiguration``:
    /// `"name"` may be given and must then be ``name``; `"cadence"` may only be given as the type's
    /// ``fixedCadence`` (any other cadence belongs in a ``SchedulerConfiguration``, which keeps it).
    ///
    /// - Throws: a `DecodingError` naming the field (format it with ``StateCoding/describe(_:)``).
    public static func decode(_ value: StateValue) throws -> Self {
        guard case .object(var fields) = value else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: [], debugDescription: "expected an object"))
        }
        if let given = fields.removeValue(forKey: "name"), given != .string(name.rawValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [ConfigurationKey.name],
                    debugDescription: "expected \"\(name.rawValue)\", found \(given.jsonText)"))
        }
        if let given = fields.removeValue(forKey: "cadence") {
            let cadence = try SchedulerConfiguration.decodeCadence(given, codingPath: [], for: self)
            guard cadence == fixedCadence else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: [ConfigurationKey.cadence],
                        debugDescription:
                            "a cadence for \(name.rawValue) is kept by SchedulerConfiguration, not by its parameters"))
            }
        }
        return try decode(fields: fields, codingPath: [])
    }

    /// The fields this type accepts (its coding keys, besides `"name"` and `"cadence"`), sorted.
    public static func fieldNames() throws -> [String] {
        try StrictDecoding.fieldNames(of: Self.self, defaults: Self())
    }

    /// Decodes the parameters (every field of the scheduler object except `"name"` and `"cadence"`).
    static func decode(fields: [String: StateValue], codingPath: [any CodingKey]) throws -> Self {
        try StrictDecoding.decode(
            Self.self, from: fields, defaults: Self(), kind: name.rawValue,
            alsoKnown: ["cadence"], codingPath: codingPath)
    }

    /// The defaults, ``init()`` as a JSON object: every field that has a default (a field without one,
    /// `nil` in ``init()``, is absent).
    public static func defaultFields() throws -> [String: StateValue] {
        try StrictDecoding.objectFields(of: Self())
    }

    /// The parameters as a JSON object (what a configuration records, defaults included).
    func encodedFields() throws(SchedulerError) -> [String: StateValue] {
        guard case .object(let fields) = try StateValue(encoding: self) else {
            throw .invalidState(
                field: Self.name.rawValue, value: "<parameters>", reason: "does not encode as a JSON object")
        }
        return fields
    }
}

/// A field name as a coding key.
struct ConfigurationKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static let name = ConfigurationKey("name")
    static let cadence = ConfigurationKey("cadence")
}

extension DecodingError {
    /// The field path and the one-line reason of a decoding error, as ``SchedulerError`` reports them:
    /// `scheduler.schedulers[1].gamma` and "expected a number".
    func configurationField(under root: String) -> (path: String, keys: [any CodingKey], reason: String) {
        let keys: [any CodingKey]
        let reason: String
        switch self {
        case let .keyNotFound(key, context):
            keys = context.codingPath + [key]
            reason = context.debugDescription
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            keys = context.codingPath
            reason = context.debugDescription
        @unknown default:
            keys = []
            reason = "\(self)"
        }
        return (ConfigurationPath.text(root, keys), keys, reason)
    }
}

/// Field paths as errors spell them: `scheduler.schedulers[1].gamma`.
enum ConfigurationPath {
    static func text(_ root: String, _ keys: [any CodingKey]) -> String {
        var text = root
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += ".\(key.stringValue)" }
        }
        return text
    }
}

extension StateValue {
    /// The value at a coding path inside this value, if there is one.
    func value(at keys: [any CodingKey]) -> StateValue? {
        var current: StateValue? = self
        for key in keys {
            switch current {
            case .object(let fields)?: current = fields[key.stringValue]
            case .array(let items)?:
                guard let index = key.intValue, items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }
}
