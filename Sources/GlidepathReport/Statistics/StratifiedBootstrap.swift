/// rliable's stratified bootstrap: seeds (runs) are resampled with replacement *within each task*, tasks
/// kept fixed (Agarwal et al. 2021, NeurIPS, §4 and Appendix A.1; `rliable/library.py`
/// `StratifiedBootstrap`, `StratifiedIndependentBootstrap`, percentile intervals as its default
/// `method="percentile"`).
///
/// Resample b, for each stratum k in order, draws nₖ indices uniformly from 0..<nₖ with ``ReportGenerator``;
/// for two samples (probability of improvement) X's indices of stratum k are drawn, then Y's, before the next
/// stratum. The interval is [Q(α/2), Q(1 − α/2)] of the B estimates (numpy's linear quantile). rliable
/// defaults to B = 50,000 (2,000 for its profiles); the report uses ``ReportOptions/bootstrapResamples``.
/// Fixture: `scripts/fixtures/report_statistics.py` re-implements the generator and the resampling.
public enum StratifiedBootstrap {
    /// The interval of `statistic` over `strata` resampled within each stratum.
    public static func interval(
        _ strata: [[Double]], resamples: Int, seed: UInt64, level: Double = 0.95,
        statistic: ([[Double]]) -> Double?
    ) throws(ReportError) -> ConfidenceInterval? {
        try validate(resamples: resamples, level: level)
        var generator = ReportGenerator(seed: seed)
        var estimates = [Double]()
        for _ in 0..<resamples {
            let resampled = strata.map { stratum in stratum.map { _ in stratum[generator.below(stratum.count)] } }
            guard let value = statistic(resampled) else { return nil }
            estimates.append(value)
        }
        return interval(of: estimates, level: level)
    }

    /// The interval of a two-sample `statistic`, X and Y resampled independently within each stratum.
    public static func interval(
        x: [[Double]], y: [[Double]], resamples: Int, seed: UInt64, level: Double = 0.95,
        statistic: ([[Double]], [[Double]]) -> Double?
    ) throws(ReportError) -> ConfidenceInterval? {
        try validate(resamples: resamples, level: level)
        guard x.count == y.count else {
            throw .invalidArgument(name: "y", reason: "has \(y.count) strata, x has \(x.count)")
        }
        var generator = ReportGenerator(seed: seed)
        var estimates = [Double]()
        for _ in 0..<resamples {
            var resampledX = [[Double]](), resampledY = [[Double]]()
            for (xs, ys) in zip(x, y) {
                resampledX.append(xs.map { _ in xs[generator.below(xs.count)] })
                resampledY.append(ys.map { _ in ys[generator.below(ys.count)] })
            }
            guard let value = statistic(resampledX, resampledY) else { return nil }
            estimates.append(value)
        }
        return interval(of: estimates, level: level)
    }

    private static func validate(resamples: Int, level: Double) throws(ReportError) {
        guard resamples >= 1 else { throw .invalidArgument(name: "resamples", reason: "must be ≥ 1, got \(resamples)") }
        guard level > 0 && level < 1 else {
            throw .invalidArgument(name: "level", reason: "must be in (0, 1), got \(level)")
        }
    }

    private static func interval(of estimates: [Double], level: Double) -> ConfidenceInterval? {
        let sorted = estimates.sorted()
        let alpha = 1 - level
        guard let lower = Statistics.quantile(sorted, alpha / 2), let upper = Statistics.quantile(sorted, 1 - alpha / 2)
        else { return nil }
        return ConfidenceInterval(lower: lower, upper: upper)
    }
}
