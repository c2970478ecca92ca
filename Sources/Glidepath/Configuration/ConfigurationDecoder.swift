/// A `Decoder` reading a ``StateValue``: how configuration types are decoded with their synthesized
/// `Codable` conformance, strictly.
///
/// JSON numbers decode as any number type when they fit (an integer field refuses `2.5`), the strings
/// `"NaN"`, `"Infinity"` and `"-Infinity"` decode as doubles (so range checks, not the parser, reject
/// them), and a `String`-backed `CaseIterable` enum refuses anything but one of its raw values, listing
/// them. Failures are `DecodingError`s whose coding path names the field and whose description is the
/// one-line expectation ("expected an integer"); ``SchedulerParameters`` turns them into
/// ``SchedulerError``s naming the field path and the value.
///
/// With a ``KeyRecorder``, every key the decoded type asks this decoder's object for — present or not —
/// is recorded (nested values are decoded without it): that is how the fields a type accepts are known
/// without a hand-written list.
struct ConfigurationDecoder: Decoder {
    let value: StateValue
    let codingPath: [any CodingKey]
    let recorder: KeyRecorder?

    init(value: StateValue, codingPath: [any CodingKey] = [], recorder: KeyRecorder? = nil) {
        self.value = value
        self.codingPath = codingPath
        self.recorder = recorder
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: StateValue].self, "expected an object") }
        return KeyedDecodingContainer(
            KeyedContainer<Key>(
                object: object, codingPath: codingPath, recorder: recorder))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([StateValue].self, "expected a list") }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }

    private func mismatch(_ type: Any.Type, _ expectation: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: expectation))
    }
}

/// The keys a decoded type asked its top-level object for.
final class KeyRecorder {
    private(set) var keys: Set<String> = []
    func record(_ key: String) { keys.insert(key) }
}

/// An index as a coding key (`schedulers[1]`).
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// Converts one ``StateValue`` to the primitive types `Decodable` asks for.
enum ConfigurationScalar {
    static func decode<T: Decodable>(_ type: T.Type, from value: StateValue, codingPath: [any CodingKey]) throws -> T {
        func fail(_ expectation: String) -> DecodingError {
            .typeMismatch(type, .init(codingPath: codingPath, debugDescription: expectation))
        }
        if let choices = Self.choices(of: type) {
            guard case .string(let text) = value, choices.contains(text) else {
                throw fail("expected one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
            }
        }
        switch type {
        case is Bool.Type:
            guard case .bool(let flag) = value, let result = flag as? T else { throw fail("expected true or false") }
            return result
        case is String.Type:
            guard case .string(let text) = value, let result = text as? T else { throw fail("expected a string") }
            return result
        case is Double.Type:
            guard let number = double(value), let result = number as? T else { throw fail("expected a number") }
            return result
        case is Float.Type:
            guard let number = double(value), let result = Float(number) as? T else { throw fail("expected a number") }
            return result
        default:
            if let integerType = type as? any FixedWidthInteger.Type {
                guard let result = try integer(integerType, value, fail) as? T else {
                    throw fail("expected an integer")
                }
                return result
            }
            return try T(from: ConfigurationDecoder(value: value, codingPath: codingPath))
        }
    }

    private static func double(_ value: StateValue) -> Double? {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }

    private static func integer<I: FixedWidthInteger>(
        _ type: I.Type, _ value: StateValue, _ fail: (String) -> DecodingError
    ) throws -> I {
        guard case .int(let number) = value else { throw fail("expected an integer") }
        guard let result = I(exactly: number) else { throw fail("expected an integer in \(I.min)...\(I.max)") }
        return result
    }

    /// The raw values of a `String`-backed `CaseIterable` type, or `nil` for any other type.
    static func choices<T>(of type: T.Type) -> [String]? {
        guard let iterable = type as? any CaseIterable.Type else { return nil }
        func names<C: CaseIterable>(_ type: C.Type) -> [String]? {
            let names = C.allCases.compactMap { ($0 as? any RawRepresentable).flatMap { $0.rawValue as? String } }
            return names.count == C.allCases.count ? names : nil
        }
        return names(iterable)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: StateValue]
    let codingPath: [any CodingKey]
    let recorder: KeyRecorder?

    var allKeys: [Key] { object.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        recorder?.record(key.stringValue)
        return object[key.stringValue] != nil
    }

    private func value(_ key: Key) throws -> StateValue {
        recorder?.record(key.stringValue)
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ConfigurationScalar.decode(type, from: value(key), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
        throws -> KeyedDecodingContainer<NestedKey>
    {
        try ConfigurationDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ConfigurationDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ConfigurationDecoder(value: .object(object), codingPath: codingPath, recorder: recorder)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ConfigurationDecoder(value: try value(key), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [StateValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(items: [StateValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next<T>(_ type: T.Type) throws -> (StateValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: codingPath + [IndexKey(currentIndex)],
                    debugDescription: "the list ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        return try ConfigurationScalar.decode(type, from: value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type)
        throws -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next([String: StateValue].self)
        return try ConfigurationDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([StateValue].self)
        return try ConfigurationDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(StateValue.self)
        return ConfigurationDecoder(value: value, codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: StateValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ConfigurationScalar.decode(type, from: value, codingPath: codingPath)
    }
}
