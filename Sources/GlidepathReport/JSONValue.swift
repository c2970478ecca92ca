import Foundation

/// A JSON document with sorted keys and fixed number formatting (integers without a fraction, other
/// numbers as Swift's shortest round-trip description), so `results.json` is byte-identical for the same input. Non-finite numbers are written as
/// the strings "Infinity", "-Infinity" and "NaN" (a missed target's time is "Infinity").
indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }

    func serialised(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent), inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(value): return Self.format(value)
        case let .string(value): return Self.quote(value)
        case let .array(values):
            if values.isEmpty { return "[]" }
            if values.allSatisfy({ if case .number = $0 { true } else if case .null = $0 { true } else { false } }) {
                return "[" + values.map { $0.serialised() }.joined(separator: ", ") + "]"
            }
            return "[\n" + values.map { inner + $0.serialised(indent: indent + 1) }.joined(separator: ",\n")
                + "\n\(pad)]"
        case let .object(members):
            if members.isEmpty { return "{}" }
            let lines = members.keys.sorted().map { key in
                inner + Self.quote(key) + ": " + (members[key] ?? .null).serialised(indent: indent + 1)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(pad)}"
        }
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        // Swift's description is the shortest string that round-trips, and is the same on every platform.
        return "\(value)"
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
