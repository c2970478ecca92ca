/// A parameter given once for every parameter group or once per group: JSON `0.1` or `[0.1, 0.01]`
/// (cyclic's `baseLR`, one-cycle's `maxLR`, the plateau scheduler's `minLR`, …).
///
/// A list must have one value per group; that is checked when the scheduler is built
/// (``SchedulerBuildContext/perGroup(_:_:)``), when the number of groups is known.
public enum GroupValues: Codable, Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral
{
    /// The same value for every group.
    case all(Double)
    /// One value per group, in group order.
    case each([Double])

    public init(floatLiteral value: Double) { self = .all(value) }
    public init(integerLiteral value: Int) { self = .all(Double(value)) }
    public init(arrayLiteral elements: Double...) { self = .each(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .all(value)
        } else if let values = try? container.decode([Double].self) {
            self = .each(values)
        } else {
            throw DecodingError.typeMismatch(
                GroupValues.self,
                .init(
                    codingPath: decoder.codingPath, debugDescription: "expected a number or a list of numbers"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .all(let value): try container.encode(value)
        case .each(let values): try container.encode(values)
        }
    }

    /// The value as compact JSON, for error messages.
    var jsonText: String {
        switch self {
        case .all(let value): return StateValue.double(value).jsonText
        case .each(let values): return StateValue.array(values.map(StateValue.double)).jsonText
        }
    }
}
