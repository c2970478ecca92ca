import Glidepath

/// The rates (and momenta) of a schedule for k = 0…N, and the text formats `glidepath schedule` writes.
struct ScheduleRow {
    var step: Int
    var learningRates: [Double]
    var momenta: [Double]?

    /// Shortest round-trip decimal form, so parsing the output gives back the exact doubles; non-finite
    /// values use the same strings as Glidepath's state files.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        return "\(value)"
    }

    /// `{"step": k, "lrs": [...], "momentum": [...]}`.
    var jsonLine: String {
        var line = "{\"step\": \(step), \"lrs\": [" + learningRates.map(Self.format).joined(separator: ", ") + "]"
        if let momenta { line += ", \"momentum\": [" + momenta.map(Self.format).joined(separator: ", ") + "]" }
        return line + "}"
    }

    static func csvHeader(groups: Int, momentum: Bool) -> String {
        var columns = ["step"] + (0..<groups).map { "lr_\($0)" }
        if momentum { columns += (0..<groups).map { "momentum_\($0)" } }
        return columns.joined(separator: ",")
    }

    var csvLine: String {
        let values = [String(step)] + learningRates.map(Self.csvFormat) + (momenta ?? []).map(Self.csvFormat)
        return values.joined(separator: ",")
    }

    private static func csvFormat(_ value: Double) -> String {
        value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
    }
}
