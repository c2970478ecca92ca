/// Strict decoding of any `Codable` configuration type from a JSON object, starting from its defaults:
/// the one mechanism scheduler configurations (``SchedulerParameters``) are read by, public so that other
/// configurations (optimizers, study plans) are read the same way.
///
/// 1. The fields the type accepts are the keys its `Decodable` conformance asks for (recorded while it
///    decodes its own defaults), so no list of fields is written by hand: a synthesized conformance is
///    enough.
/// 2. A given field the type does not accept is refused, in sorted order, naming the field and listing
///    the accepted ones.
/// 3. The given fields overwrite the defaults and the result is decoded by the type's conformance
///    through a ``StateValue`` decoder (numbers as any number type that holds them exactly, `"NaN"` and
///    `"±Infinity"` strings as doubles, string enums checked against their cases).
///
/// Errors are `DecodingError`s whose coding path names the field; ``field(of:under:in:)`` turns one into
/// the field path (`scheduler.schedulers[1].gamma`), the value and a one-line reason.
///
/// Rule for a type decoded this way: an optional field's default is `nil` (encoding omits `nil`, so a
/// non-`nil` default could not be written as absent).
public enum StrictDecoding {
    /// Decodes `T` from `fields`, starting from `defaults`.
    ///
    /// - Parameters:
    ///   - kind: what `T` configures, for the unknown-field message (`"step"`).
    ///   - alsoKnown: fields the enclosing object handles itself, listed as known (`"cadence"`).
    ///   - codingPath: where the object sits, for the errors' coding paths.
    public static func decode<T: Codable>(
        _ type: T.Type, from fields: [String: StateValue], defaults: T, kind: String, alsoKnown: [String] = [],
        codingPath: [any CodingKey] = []
    ) throws -> T {
        let base = try objectFields(of: defaults)
        let accepted = try acceptedFields(of: type, base: base, codingPath: codingPath)
        for (key, _) in fields.sorted(by: { $0.key < $1.key }) where !accepted.contains(key) {
            let known = accepted.union(alsoKnown).sorted().joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [ConfigurationKey(key)],
                    debugDescription: "unknown field for \(kind) (unknown key '\(key)'); known fields: \(known)"))
        }
        return try T(from: ConfigurationDecoder(value: .object(base.merging(fields) { $1 }), codingPath: codingPath))
    }

    /// The fields `T` accepts (the keys its `Decodable` conformance asks for), sorted.
    public static func fieldNames<T: Codable>(of type: T.Type, defaults: T) throws -> [String] {
        try acceptedFields(of: type, base: objectFields(of: defaults), codingPath: []).sorted()
    }

    /// `value` encoded as a JSON object (through ``StateCoding``).
    public static func objectFields<T: Encodable>(of value: T) throws -> [String: StateValue] {
        guard case .object(let fields) = try StateValue(encoding: value) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [], debugDescription: "\(T.self) does not encode as a JSON object"))
        }
        return fields
    }

    /// The field path, the value found there in `root` (`"nil"` when absent) and the reason of a
    /// decoding error, as ``SchedulerError/invalidArgument(name:value:reason:)`` and other typed errors
    /// report them.
    public static func field(of error: DecodingError, under path: String, in root: StateValue)
        -> (name: String, value: String, reason: String)
    {
        let field = error.configurationField(under: path)
        return (field.path, root.value(at: field.keys)?.jsonText ?? "nil", field.reason)
    }

    private static func acceptedFields<T: Decodable>(
        of type: T.Type, base: [String: StateValue], codingPath: [any CodingKey]
    ) throws -> Set<String> {
        let recorder = KeyRecorder()
        _ = try T(from: ConfigurationDecoder(value: .object(base), codingPath: codingPath, recorder: recorder))
        return recorder.keys
    }
}
