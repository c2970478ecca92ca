/// The stratified sign-flip permutation test across tasks (issue 12, item 4: "a stratified sign-flip
/// test over all (task, seed) pairs on normalised paired deltas"; Good 2005, *Permutation, Parametric and
/// Bootstrap Tests of Hypotheses*, §3.7 paired samples).
///
/// **Normalised delta.** On task k, seed i, with arm value a and baseline value b:
/// δ = (a − b)/(|a| + |b|) — the symmetric relative difference in [−1, 1], 0 when a = b (two misses
/// included), +1 when only the arm missed (a = +∞), −1 when only the baseline missed. It is scale-free, so
/// accuracies and times on different tasks can be pooled, and it stays defined for misses.
///
/// **Statistic.** T = (1/K) Σₖ (1/nₖ) Σᵢ δₖᵢ — each of the K tasks (strata) weighs the same however many
/// seeds it has.
///
/// **Null distribution.** Under H₀ (no difference on any task) each δₖᵢ is symmetric about 0, so every
/// pattern of signs sᵢ ∈ {±1} is equally likely; T* = (1/K) Σₖ (1/nₖ) Σᵢ sₖᵢδₖᵢ. With N = Σnₖ ≤ 16
/// pairs all 2ᴺ patterns are enumerated and p = #{|T*| ≥ |T|}/2ᴺ (exact; the identity pattern counts);
/// otherwise B patterns are drawn from ``ReportGenerator`` (one sign per pair, in stratum order) and
/// p = (1 + #{|T*| ≥ |T|})/(1 + B) (Phipson & Smyth 2010). Comparisons allow a relative 1e−12 for rounding.
/// Fixture: `scripts/fixtures/report_statistics.py` (enumeration in numpy; the sampled case re-implements
/// the generator).
public struct SignFlipTest: Codable, Sendable, Equatable {
    /// T, the mean over tasks of the mean normalised delta.
    public var statistic: Double
    /// The two-sided p-value.
    public var pValue: Double
    /// N, the number of (task, seed) pairs.
    public var pairs: Int
    /// Whether every sign pattern was enumerated (otherwise sampled).
    public var isExact: Bool

    /// The largest N that is enumerated exactly.
    public static let exactLimit = 16

    /// δ = (a − b)/(|a| + |b|) with δ = 0 for a = b (see the type's documentation).
    public static func normalisedDelta(arm a: Double, baseline b: Double) -> Double {
        if a == b { return 0 }
        if a == .infinity { return 1 }
        if b == .infinity { return -1 }
        return (a - b) / (abs(a) + abs(b))
    }

    /// The test on normalised deltas grouped by task (`strata[k]` = the deltas of task k; empty strata are
    /// ignored).
    public init(strata: [[Double]], resamples: Int, seed: UInt64) throws(ReportError) {
        let used = strata.filter { !$0.isEmpty }
        guard !used.isEmpty else { throw .invalidArgument(name: "strata", reason: "needs at least one pair") }
        guard resamples >= 1 else { throw .invalidArgument(name: "resamples", reason: "must be ≥ 1, got \(resamples)") }
        if used.joined().contains(where: { !$0.isFinite }) {
            throw .invalidArgument(name: "strata", reason: "normalised deltas must be finite")
        }
        // T = Σ wᵢδᵢ with wᵢ = 1/(K nₖ).
        var weighted = [Double]()
        for stratum in used {
            let weight = 1 / (Double(used.count) * Double(stratum.count))
            weighted.append(contentsOf: stratum.map { $0 * weight })
        }
        let observed = abs(weighted.reduce(0, +))
        let threshold = observed * (1 - 1e-12)
        statistic = weighted.reduce(0, +)
        pairs = weighted.count
        if pairs <= Self.exactLimit {
            isExact = true
            var extreme = 0
            let patterns = 1 << pairs
            for pattern in 0..<patterns {
                var total = 0.0
                for (index, value) in weighted.enumerated() { total += (pattern >> index) & 1 == 1 ? -value : value }
                if abs(total) >= threshold { extreme += 1 }
            }
            pValue = Double(extreme) / Double(patterns)
        } else {
            isExact = false
            var generator = ReportGenerator(seed: seed)
            var extreme = 0
            for _ in 0..<resamples {
                var total = 0.0
                for value in weighted { total += generator.sign() * value }
                if abs(total) >= threshold { extreme += 1 }
            }
            pValue = Double(1 + extreme) / Double(1 + resamples)
        }
    }
}
