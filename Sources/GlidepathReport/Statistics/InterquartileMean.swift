/// The interquartile mean (IQM) over all (task, seed) scores, rliable's aggregate (Agarwal et al. 2021,
/// "Deep Reinforcement Learning at the Edge of the Statistical Precipice", NeurIPS, §4;
/// `rliable/metrics.py` `aggregate_iqm` = `scipy.stats.trim_mean(scores, 0.25, axis=None)`).
///
/// With the N pooled scores sorted, g = ⌊0.25·N⌋ are cut from each end and the rest averaged:
/// IQM = (1/(N − 2g)) Σ_{i=g+1}^{N−g} x₍ᵢ₎. Scores must be comparable across tasks; the report uses
/// accuracy-like endpoints as they are and, for a to-target endpoint, the per-task speed score
/// best_k / t (best_k = the fastest cell of task k over all arms and seeds; a miss scores 0).
/// Its interval is the stratified bootstrap (``StratifiedBootstrap``). Fixture:
/// `scripts/fixtures/report_statistics.py` (`scipy.stats.trim_mean`).
public enum InterquartileMean {
    /// The IQM of `scores` (finite; at least one).
    public static func of(_ scores: [Double]) -> Double? {
        guard !scores.isEmpty else { return nil }
        let sorted = scores.sorted()
        let cut = Int((0.25 * Double(sorted.count)).rounded(.down))
        return Statistics.mean(Array(sorted[cut..<(sorted.count - cut)]))
    }
}
