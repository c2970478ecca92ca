import Foundation

/// A run's identifier: `YYYYMMDD-HHMMSS-NNNN`, the UTC second the run was created and a 4-digit counter
/// (0001, 0002, …) among the runs created in that second in the same store.
///
/// Fixed width, so identifiers sort as strings in creation order (for a clock that does not go back);
/// unique within a store, because the store allocates the counter inside the transaction that inserts
/// the run. Example: `20261123-071749-0001`.
public struct RunIdentifier: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The identifier text.
    public let rawValue: String

    /// Parses an identifier; `nil` unless `text` has the exact `YYYYMMDD-HHMMSS-NNNN` form with a
    /// counter ≥ 1.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[8] == UInt8(ascii: "-"), bytes[15] == UInt8(ascii: "-") else { return nil }
        for (index, byte) in bytes.enumerated() where index != 8 && index != 15 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        }
        guard text.suffix(4) != "0000" else { return nil }
        rawValue = text
    }

    /// The identifier for `counter` (1…9999) in the second of `date` (UTC).
    public init(date: Date, counter: Int) {
        precondition((1...9999).contains(counter), "run counter \(counter) outside 1...9999")
        rawValue = Self.prefix(for: date) + "-" + Timestamp.pad(counter, 4)
    }

    /// `YYYYMMDD-HHMMSS` of `date` in UTC.
    public static func prefix(for date: Date) -> String {
        let f = Timestamp.fields(of: date)
        return "\(Timestamp.pad(f.year, 4))\(Timestamp.pad(f.month, 2))\(Timestamp.pad(f.day, 2))-"
            + "\(Timestamp.pad(f.hour, 2))\(Timestamp.pad(f.minute, 2))\(Timestamp.pad(f.second, 2))"
    }

    /// The counter part (1…9999).
    public var counter: Int { Int(rawValue.suffix(4)) ?? 0 }

    public var description: String { rawValue }

    public static func < (lhs: RunIdentifier, rhs: RunIdentifier) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let identifier = RunIdentifier(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not a run identifier"))
        }
        self = identifier
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
