/// One arm against one baseline on one task and endpoint, paired by seed (issue 12, item 4).
public struct Comparison: Codable, Sendable, Equatable {
    public var task: String
    public var arm: String
    public var baseline: String
    public var endpoint: Endpoint
    /// Seeds with a value in both arms.
    public var pairs: Int
    /// The effect: the median (to-target endpoints) or mean paired difference arm − baseline
    /// (``PairedDifferences``).
    public var effect: Double?
    /// Which statistic ``effect`` is.
    public var effectStatistic: PercentileBootstrap.Statistic
    /// The paired percentile-bootstrap 95% interval of the effect.
    public var ci95: ConfidenceInterval?
    /// The exact Wilcoxon signed-rank test on the paired differences.
    public var wilcoxon: WilcoxonSignedRank?
    /// The Holm-adjusted p-value over the report's family (``ReportOptions/holmFamily``).
    public var pHolm: Double?
    /// The smallest p-value the exact test could give with these pairs (2¹⁻ⁿ over the non-zero differences).
    public var smallestAttainableP: Double
    /// The smallest Holm-adjusted p-value the family could give (family size × ``smallestAttainableP``, ≤ 1).
    public var smallestAttainableHolmP: Double
    /// What the report says.
    public var verdict: Verdict

    /// The conclusion of a comparison, in the report's plain words.
    public enum Verdict: String, Codable, Sendable {
        /// Holm-adjusted p < α and the effect is in the better direction.
        case better
        /// Holm-adjusted p < α and the effect is in the worse direction.
        case worse
        /// Holm-adjusted p < α on a descriptive endpoint (neither better nor worse).
        case different
        /// The test could have detected a difference but did not (raw or Holm p ≥ α).
        case notSignificant
        /// With these seeds even the most extreme data cannot reach p < α after Holm: not significant by design.
        case notTestable
    }

    /// The sentence the report prints for this comparison.
    public var sentence: String {
        let what = "\(arm) vs \(baseline) on \(task), \(endpoint.label)"
        switch verdict {
        case .better: return "\(what): \(arm) is better (Holm p = \(Format.p(pHolm)))."
        case .worse: return "\(what): \(arm) is worse (Holm p = \(Format.p(pHolm)))."
        case .different: return "\(what): the arms differ (Holm p = \(Format.p(pHolm)))."
        case .notSignificant:
            return
                "\(what): \(arm) is not better — no significant difference (p = \(Format.p(wilcoxon?.pValue)), Holm p = \(Format.p(pHolm)))."
        case .notTestable:
            let used = wilcoxon?.count ?? 0
            let seeds =
                used == pairs ? "\(pairs) paired seeds" : "\(used) non-zero differences of \(pairs) paired seeds"
            return
                "\(what): \(arm) is not shown better — with \(seeds) the smallest attainable Holm p is \(Format.p(smallestAttainableHolmP)), so no difference can be significant by design."
        }
    }
}
