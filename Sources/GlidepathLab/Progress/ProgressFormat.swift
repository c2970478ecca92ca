import Foundation

/// The fixed number formats of progress and report text (locale-independent, so golden files hold).
public enum ProgressFormat {
    /// A loss with 4 decimals: `0.4123`; `nan`/`inf` for non-finite values.
    public static func loss(_ value: Double) -> String { fixed(value, decimals: 4) }

    /// A metric in [0, 1] with 4 decimals.
    public static func metric(_ value: Double) -> String { fixed(value, decimals: 4) }

    /// A learning rate in scientific notation with 3 decimals: `1.000e-03`.
    public static func rate(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3e", value) : nonFinite(value)
    }

    /// Seconds with one decimal: `12.3s`.
    public static func seconds(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1fs", value) : nonFinite(value)
    }

    /// A duration rounded to whole seconds: `45s`, `2m05s`, `1h02m03s`; `--` when unknown.
    public static func duration(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "--" }
        let total = Int(value.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let seconds = total % 60
        if hours > 0 { return "\(hours)h\(twoDigits(minutes))m\(twoDigits(seconds))s" }
        if minutes > 0 { return "\(minutes)m\(twoDigits(seconds))s" }
        return "\(seconds)s"
    }

    /// Samples per second with one decimal.
    public static func throughput(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-- samples/s" }
        return String(format: "%.1f samples/s", value)
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : nonFinite(value)
    }

    private static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
