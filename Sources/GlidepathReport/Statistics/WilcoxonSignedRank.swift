/// The exact two-sided Wilcoxon signed-rank test on paired differences (Wilcoxon 1945, "Individual
/// comparisons by ranking methods", Biometrics Bull. 1(6)).
///
/// Procedure, as `scipy.stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")`:
/// 1. Zero differences are dropped (Wilcoxon's own treatment, SciPy's default `zero_method="wilcox"`);
///    n is the number left.
/// 2. |dᵢ| are ranked 1…n, ties getting their average rank (midranks); T⁺ = Σ_{dᵢ>0} rankᵢ.
/// 3. Under H₀ every sign pattern of the n ranks is equally likely (2ⁿ patterns). The p-value is
///    p = min(1, 2·min(P(T⁺ ≤ t), P(T⁺ ≥ t))) over that exact null distribution, computed by counting sign
///    patterns per attainable sum (dynamic programming over doubled midranks, which are integers).
///
/// Without ties this is SciPy's `method="exact"`; with tied |dᵢ| the null distribution is conditional on
/// the observed midranks — the exact permutation distribution SciPy's default `method="auto"` enumerates
/// for n ≤ 13 (its `PermutationMethod`); SciPy's `method="exact"` would instead round T⁺ and use the
/// no-ties table. ``hasTies`` records when that happened. Infinite differences (a miss against a reach)
/// rank above every finite one. With no non-zero difference, p = 1.
/// Fixture: `scripts/fixtures/report_statistics.py` (`scipy.stats.wilcoxon`).
public struct WilcoxonSignedRank: Codable, Sendable, Equatable {
    /// Non-zero differences used (n).
    public var count: Int
    /// Zero differences dropped.
    public var zeros: Int
    /// T⁺, the sum of the ranks of the positive differences.
    public var positiveRankSum: Double
    /// min(T⁺, T⁻), what SciPy reports as the statistic.
    public var statistic: Double
    /// Whether some |dᵢ| were tied (the null distribution then uses midranks).
    public var hasTies: Bool
    /// The exact two-sided p-value.
    public var pValue: Double

    /// The test on `differences` (must not contain NaN; ±∞ allowed).
    public init(differences: [Double]) throws(ReportError) {
        guard !differences.contains(where: \.isNaN) else {
            throw .invalidArgument(name: "differences", reason: "contains NaN")
        }
        let nonZero = differences.filter { $0 != 0 }
        zeros = differences.count - nonZero.count
        count = nonZero.count
        let ranks = Ranking.averageRanks(nonZero.map { abs($0) })
        positiveRankSum = zip(nonZero, ranks).reduce(0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let total = Double(count * (count + 1)) / 2
        statistic = min(positiveRankSum, total - positiveRankSum)
        hasTies = Set(nonZero.map { abs($0) }).count < count
        guard count > 0 else {
            pValue = 1
            return
        }
        // Doubled midranks are integers; count sign patterns by the doubled positive-rank sum.
        let doubled = ranks.map { Int(($0 * 2).rounded()) }
        let maximum = doubled.reduce(0, +)
        var patterns = [Double](repeating: 0, count: maximum + 1)
        patterns[0] = 1
        var reach = 0
        for rank in doubled {
            for sum in stride(from: reach, through: 0, by: -1) where patterns[sum] != 0 {
                patterns[sum + rank] += patterns[sum]
            }
            reach += rank
        }
        let observed = Int((positiveRankSum * 2).rounded())
        let all = patterns.reduce(0, +)
        let atMost = patterns[0...observed].reduce(0, +) / all
        let atLeast = patterns[observed...].reduce(0, +) / all
        pValue = min(1, 2 * min(atMost, atLeast))
    }

    /// The smallest two-sided p-value the exact test can give with n non-zero differences: 2/2ⁿ = 2¹⁻ⁿ
    /// (all differences of one sign), capped at 1 — 0.0625 at n = 5, 0.03125 at n = 6, 0.0078 at n = 8,
    /// 0.00195 at n = 10. Below n = 6 no result can reach p < 0.05: such a comparison is *not significant
    /// by design*, whatever the data.
    public static func smallestAttainablePValue(count: Int) -> Double {
        count <= 0 ? 1 : min(1, 2 / pow2(count))
    }

    private static func pow2(_ n: Int) -> Double {
        var value = 1.0
        for _ in 0..<n { value *= 2 }
        return value
    }
}

/// Average ranks (1-based; ties share the mean of their positions), as `scipy.stats.rankdata(method="average")`.
enum Ranking {
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }
}
