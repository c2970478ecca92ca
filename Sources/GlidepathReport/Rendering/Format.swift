import Foundation

/// The report's fixed number formatting (the same bytes on every run and platform with the same input).
enum Format {
    /// A p-value: three significant digits (`%.3g`), "–" when absent.
    static func p(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.3g", value)
    }

    /// A measurement with four significant digits; "∞" for a miss, "–" when absent.
    static func value(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value == .infinity { return "∞" }
        if value == -.infinity { return "−∞" }
        if value.isNaN { return "NaN" }
        return String(format: "%.4g", value)
    }

    /// An interval "[lower, upper]".
    static func interval(_ interval: ConfidenceInterval?) -> String {
        guard let interval else { return "–" }
        return "[\(value(interval.lower)), \(value(interval.upper))]"
    }

    /// An SVG coordinate: two decimals.
    static func coordinate(_ value: Double) -> String { String(format: "%.2f", value) }

    /// An axis tick label (`%g`).
    static func tick(_ value: Double) -> String { String(format: "%g", value) }

    /// Text escaped for XML / HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
