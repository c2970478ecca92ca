import Foundation

/// The JSON type of one configuration parameter, used to reject ill-typed fields when a configuration
/// is decoded (before any scheduler is built).
enum ConfigurationFieldType: Sendable {
    case number
    case integer
    case optionalInteger
    case boolean
    case numberOrList
    case integerList
    case choice([String])
    case scheduler
    case schedulerList

    var expectation: String {
        switch self {
        case .number: return "expected a number"
        case .integer: return "expected an integer"
        case .optionalInteger: return "expected an integer or null"
        case .boolean: return "expected true or false"
        case .numberOrList: return "expected a number or a list of numbers"
        case .integerList: return "expected a list of integers"
        case .choice(let options): return "expected one of " + options.map { "\"\($0)\"" }.joined(separator: ", ")
        case .scheduler: return "expected a scheduler object {\"name\": …}"
        case .schedulerList: return "expected a list of scheduler objects"
        }
    }

    /// Whether `value` has this type. Nested scheduler objects are checked separately (recursively).
    func accepts(_ value: StateValue) -> Bool {
        switch (self, value) {
        case (.number, .double), (.number, .int): return true
        case (.integer, .int): return true
        case (.optionalInteger, .int), (.optionalInteger, .null): return true
        case (.boolean, .bool): return true
        case (.numberOrList, .double), (.numberOrList, .int): return true
        case (.numberOrList, .array(let items)): return items.allSatisfy { $0.numberValue != nil }
        case (.integerList, .array(let items)):
            return items.allSatisfy { if case .int = $0 { return true } else { return false } }
        case (.choice(let options), .string(let text)): return options.contains(text)
        case (.scheduler, .object): return true
        case (.schedulerList, .array(let items)):
            return items.allSatisfy { if case .object = $0 { return true } else { return false } }
        default: return false
        }
    }
}

extension StateValue {
    /// The value as a `Double` when it is a JSON number.
    var numberValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    /// Compact JSON text of the value, for error messages.
    var configurationText: String {
        switch self {
        case .double(let value): return "\(value)"
        case .int(let value): return "\(value)"
        case .string(let text): return "\"\(text)\""
        case .bool(let flag): return "\(flag)"
        case .null: return "null"
        default:
            guard let data = try? StateCoding.encoder().encode(self), let text = String(data: data, encoding: .utf8)
            else { return "<value>" }
            return text
        }
    }
}

/// Reads typed parameters out of a configuration object whose field types were already checked.
struct ConfigurationReader {
    let parameters: [String: StateValue]
    let path: String

    func field(_ key: String) -> String { "\(path).\(key)" }

    private func invalid(_ key: String, _ value: StateValue, _ reason: String) -> SchedulerError {
        .invalidArgument(name: field(key), value: value.configurationText, reason: reason)
    }

    func number(_ key: String, default fallback: Double? = nil) throws(SchedulerError) -> Double {
        guard let value = parameters[key] else {
            if let fallback { return fallback }
            throw .invalidArgument(name: field(key), value: "nil", reason: "required")
        }
        guard let number = value.numberValue else { throw invalid(key, value, "expected a number") }
        return number
    }

    func integer(_ key: String, default fallback: Int? = nil) throws(SchedulerError) -> Int {
        guard let value = parameters[key] else {
            if let fallback { return fallback }
            throw .invalidArgument(name: field(key), value: "nil", reason: "required")
        }
        guard case .int(let number) = value else { throw invalid(key, value, "expected an integer") }
        return number
    }

    func optionalInteger(_ key: String) throws(SchedulerError) -> Int? {
        guard let value = parameters[key], value != .null else { return nil }
        guard case .int(let number) = value else { throw invalid(key, value, "expected an integer or null") }
        return number
    }

    func boolean(_ key: String, default fallback: Bool) throws(SchedulerError) -> Bool {
        guard let value = parameters[key] else { return fallback }
        guard case .bool(let flag) = value else { throw invalid(key, value, "expected true or false") }
        return flag
    }

    /// A number applied to every group, or one number per group.
    func perGroup(_ key: String, groups: Int, default fallback: Double? = nil) throws(SchedulerError) -> [Double] {
        guard let value = parameters[key] else {
            if let fallback { return Array(repeating: fallback, count: groups) }
            throw .invalidArgument(name: field(key), value: "nil", reason: "required")
        }
        if let number = value.numberValue { return Array(repeating: number, count: groups) }
        guard case .array(let items) = value else {
            throw invalid(key, value, "expected a number or a list of numbers")
        }
        var numbers = [Double]()
        for item in items {
            guard let number = item.numberValue else {
                throw invalid(key, value, "expected a number or a list of numbers")
            }
            numbers.append(number)
        }
        guard numbers.count == groups else {
            throw invalid(key, value, "expected \(groups) values (one per parameter group), got \(numbers.count)")
        }
        return numbers
    }

    func integerList(_ key: String) throws(SchedulerError) -> [Int] {
        guard let value = parameters[key] else {
            throw .invalidArgument(name: field(key), value: "nil", reason: "required")
        }
        guard case .array(let items) = value else { throw invalid(key, value, "expected a list of integers") }
        var numbers = [Int]()
        for item in items {
            guard case .int(let number) = item else { throw invalid(key, value, "expected a list of integers") }
            numbers.append(number)
        }
        return numbers
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice?)
        throws(SchedulerError) -> Choice where Choice.RawValue == String
    {
        guard let value = parameters[key] else {
            if let fallback { return fallback }
            throw .invalidArgument(name: field(key), value: "nil", reason: "required")
        }
        guard case .string(let text) = value, let choice = Choice(rawValue: text) else {
            throw invalid(key, value, "expected one of " + Choice.allCases.map { "\"\($0.rawValue)\"" }
                .joined(separator: ", "))
        }
        return choice
    }
}
