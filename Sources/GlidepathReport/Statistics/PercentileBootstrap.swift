/// A two-sided confidence interval.
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The percentile bootstrap interval over seeds (Efron & Tibshirani 1993, *An Introduction to the
/// Bootstrap*, §13.3), used for every per-arm interval and, on the paired differences, for every effect.
///
/// Procedure: B resamples; resample b draws n indices i₁…iₙ uniformly with replacement from 0..<n, in
/// order, from ``ReportGenerator`` (SplitMix64) seeded with `seed`, and evaluates the statistic θ*_b on
/// x_{i₁}…x_{iₙ}. The (1 − α) interval is [Q(α/2), Q(1 − α/2)] of θ*₁…θ*_B with numpy's linear
/// quantile (``Statistics/quantile(_:_:)``). The report uses B = 2000 and α = 0.05 (``ReportOptions``);
/// with n ≤ 10 seeds the interval is rough — it shows spread, the Wilcoxon test carries the inference.
///
/// **Paired.** For an arm against a baseline the seeds are paired, so the interval of the effect
/// resamples the seed-wise differences dᵢ = aᵢ − bᵢ (the same indices for both arms).
/// Fixture: `scripts/fixtures/report_statistics.py` re-implements the generator and the resampling and
/// uses `numpy.quantile`.
public enum PercentileBootstrap {
    /// The statistic a bootstrap evaluates on each resample.
    public enum Statistic: String, Codable, Sendable {
        case mean
        case median

        func evaluate(_ values: [Double]) -> Double {
            switch self {
            case .mean: Statistics.mean(values) ?? .nan
            case .median: Statistics.median(values) ?? .nan
            }
        }
    }

    /// (a + b)/2 on sorted neighbours, as ``Statistics/quantile(_:_:)`` at q = ½ (equal values, ±∞).
    static func midpoint(_ a: Double, _ b: Double) -> Double {
        if a == b { return a }
        if a == -.infinity && b == .infinity { return 0 }
        if a == -.infinity { return -.infinity }
        if b == .infinity { return .infinity }
        return a + 0.5 * (b - a)
    }

    /// The percentile interval of `statistic` over `values`.
    ///
    /// - Parameters:
    ///   - values: n ≥ 1 values (may hold ±∞, not NaN).
    ///   - resamples: B ≥ 1.
    ///   - level: the coverage 1 − α, in (0, 1).
    /// - Throws: ``ReportError/invalidArgument(name:reason:)`` for empty input, B < 1, a level outside (0, 1) or NaN.
    public static func interval(
        _ values: [Double], statistic: Statistic, resamples: Int, seed: UInt64, level: Double = 0.95
    ) throws(ReportError) -> ConfidenceInterval {
        guard !values.isEmpty else { throw .invalidArgument(name: "values", reason: "needs at least one value") }
        guard resamples >= 1 else { throw .invalidArgument(name: "resamples", reason: "must be ≥ 1, got \(resamples)") }
        guard level > 0 && level < 1 else {
            throw .invalidArgument(name: "level", reason: "must be in (0, 1), got \(level)")
        }
        guard !values.contains(where: \.isNaN) else { throw .invalidArgument(name: "values", reason: "contains NaN") }
        var generator = ReportGenerator(seed: seed)
        var estimates = [Double]()
        estimates.reserveCapacity(resamples)
        let n = values.count
        var resample = [Double](repeating: 0, count: n)
        // The statistics inlined (in-order sum; an in-place sort for the median): this loop is most of a
        // report's cost.
        for _ in 0..<resamples {
            switch statistic {
            case .mean:
                var sum = 0.0
                for _ in 0..<n { sum += values[generator.below(n)] }
                estimates.append(sum / Double(n))
            case .median:
                for slot in 0..<n { resample[slot] = values[generator.below(n)] }
                resample.sort()
                estimates.append(n % 2 == 1 ? resample[n / 2] : Self.midpoint(resample[n / 2 - 1], resample[n / 2]))
            }
        }
        estimates.sort()
        let alpha = 1 - level
        return ConfidenceInterval(
            lower: Statistics.quantile(estimates, alpha / 2) ?? .nan,
            upper: Statistics.quantile(estimates, 1 - alpha / 2) ?? .nan)
    }
}
