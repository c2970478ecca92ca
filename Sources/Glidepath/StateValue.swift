import Foundation

/// A self-describing, JSON-shaped value: how type-erased and composite schedulers store the state of
/// children whose concrete types are known only at run time.
///
/// Conversions round-trip exactly: doubles are written in Swift's shortest round-trip form and parsed
/// correctly rounded, and the non-finite values a state may hold (a plateau scheduler's initial best of
/// +∞) are written as the strings `"Infinity"`, `"-Infinity"` and `"NaN"`.
public indirect enum StateValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([StateValue])
    case object([String: StateValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            // "-0" also decodes as the integer 0; keep the sign of a negative zero double.
            if value == 0, let double = try? container.decode(Double.self), double.sign == .minus {
                self = .double(double)
            } else {
                self = .int(value)
            }
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([StateValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: StateValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Converts any `Encodable` value (typically a scheduler's `State`) to a ``StateValue``.
    public init<Value: Encodable>(encoding value: Value) throws(SchedulerError) {
        do {
            let data = try StateCoding.encoder().encode(value)
            self = try StateCoding.decoder().decode(StateValue.self, from: data)
        } catch {
            throw .invalidState(
                field: String(describing: Value.self), value: "<unencodable>",
                reason: "\(error)")
        }
    }

    /// The value as one line of compact JSON, for error messages: a number in Swift's shortest
    /// round-trip form (`0.1`, `-1.0`, `nan`), a string in quotes, `null`, `true`/`false`, and lists and
    /// objects as sorted-key JSON (`[1,2,3]`).
    public var jsonText: String {
        switch self {
        case .double(let value): return "\(value)"
        case .int(let value): return "\(value)"
        case .string(let text): return "\"\(text)\""
        case .bool(let flag): return "\(flag)"
        case .null: return "null"
        case .array, .object:
            guard let data = try? StateCoding.encoder().encode(self) else { return "<value>" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Decodes a typed value (typically a scheduler's `State`) from this ``StateValue``.
    public func decode<Value: Decodable>(_ type: Value.Type) throws(SchedulerError) -> Value {
        do {
            let data = try StateCoding.encoder().encode(self)
            return try StateCoding.decoder().decode(Value.self, from: data)
        } catch {
            throw .invalidState(
                field: String(describing: Value.self), value: "<state>",
                reason: StateCoding.describe(error))
        }
    }
}

/// The one JSON configuration used for scheduler states and configs: sorted keys (deterministic bytes)
/// and non-finite doubles as strings.
public enum StateCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// A one-line description of a decoding error that names the coding path.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            let prefix = path(context)
            return "missing field \(prefix.isEmpty ? "" : prefix + ".")\(key.stringValue)"
        case let .typeMismatch(type, context):
            return "field \(path(context)): expected \(type)"
        case let .valueNotFound(type, context):
            return "field \(path(context)): expected \(type), found null"
        case let .dataCorrupted(context):
            return "field \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
