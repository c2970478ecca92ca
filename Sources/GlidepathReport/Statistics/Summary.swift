/// Per task and arm, the seeds' summary: mean, sample standard deviation, median (issue 12, item 4).
///
/// For n values x₁…xₙ: mean x̄ = (1/n)Σxᵢ; sample standard deviation s = √(Σ(xᵢ − x̄)²/(n − 1)) (Bessel's
/// correction, numpy `std(ddof=1)`; undefined for n < 2); median = the middle order statistic, or the mean
/// of the two middle ones (numpy `median`). A missed target (+∞) makes the mean +∞ and the standard
/// deviation undefined (`nil`); the median stays finite while fewer than half the seeds missed.
/// Fixture: `scripts/fixtures/report_statistics.py` (numpy).
public struct Summary: Codable, Sendable, Equatable {
    /// Values summarised (missed targets included as +∞; undefined values left out).
    public var count: Int
    /// Values that are finite (for a to-target endpoint: the seeds that reached the target).
    public var finiteCount: Int
    public var mean: Double?
    public var standardDeviation: Double?
    public var median: Double?

    /// The summary of `values` (may contain +∞; must not contain NaN).
    public init(_ values: [Double]) {
        count = values.count
        finiteCount = values.filter(\.isFinite).count
        mean = Statistics.mean(values)
        standardDeviation = Statistics.sampleStandardDeviation(values)
        median = Statistics.median(values)
    }
}

/// The elementary estimators the others build on.
public enum Statistics {
    /// (1/n)Σxᵢ, or `nil` for no values. Summed in order, so the result is reproducible.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// √(Σ(xᵢ − x̄)²/(n − 1)), or `nil` for n < 2 or any non-finite value.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, values.allSatisfy(\.isFinite), let mean = mean(values) else { return nil }
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// The median (mean of the two middle values for even n), or `nil` for no values.
    public static func median(_ values: [Double]) -> Double? {
        quantile(values.sorted(), 0.5)
    }

    /// The q-quantile of ascending `sorted` values by linear interpolation between order statistics,
    /// numpy's default (`method="linear"`, Hyndman & Fan 1996 type 7): h = (n − 1)q,
    /// Q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎). Equal neighbours (both +∞ included) give that value; an
    /// interpolation towards +∞ gives +∞ (from −∞: −∞); between −∞ and +∞ (two opposite misses in paired
    /// differences) it gives 0.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * q
        let low = Int(h.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = h - Double(low)
        let a = sorted[low], b = sorted[high]
        if fraction == 0 || a == b { return a }
        if a == -.infinity && b == .infinity { return 0 }  // the two middle values are opposite misses
        if a == -.infinity { return -.infinity }
        if b == .infinity { return .infinity }
        return a + fraction * (b - a)
    }
}
