/// The probability of improvement of arm X over arm Y across tasks, rliable's estimator (Agarwal et al.
/// 2021, NeurIPS, §4; `rliable/metrics.py` `probability_of_improvement`).
///
/// P(X > Y) = (1/K) Σₖ P(Xₖ > Yₖ), with the Mann–Whitney estimate per task
/// P(Xₖ > Yₖ) = (1/(n m)) Σᵢ Σⱼ S(xₖᵢ, yₖⱼ), S(x, y) = 1 if x > y, ½ if x = y, 0 otherwise — "better" being
/// higher for higher-is-better endpoints and lower (scores negated) for lower-is-better ones, so +∞ (a miss)
/// is the worst time. Its interval is rliable's `StratifiedIndependentBootstrap`: X's and Y's seeds are
/// resampled independently within each task (``StratifiedBootstrap``). Fixture:
/// `scripts/fixtures/report_statistics.py` (`scipy.stats.mannwhitneyu`, as rliable).
public enum ProbabilityOfImprovement {
    /// P(X > Y) from per-task samples `x[k]`, `y[k]` (oriented so that higher is better; tasks with an
    /// empty sample are left out). `nil` when no task has both.
    public static func of(x: [[Double]], y: [[Double]]) -> Double? {
        var total = 0.0, used = 0
        for (xs, ys) in zip(x, y) where !xs.isEmpty && !ys.isEmpty {
            var wins = 0.0
            for a in xs {
                for b in ys { wins += a > b ? 1 : (a == b ? 0.5 : 0) }
            }
            total += wins / Double(xs.count * ys.count)
            used += 1
        }
        return used > 0 ? total / Double(used) : nil
    }
}
