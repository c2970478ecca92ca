/// The seed-wise differences of an arm against a baseline, and the effect that summarises them.
///
/// dᵢ = aᵢ − bᵢ over the seeds both cells have, in seed order. On the extended reals of a to-target
/// endpoint (a miss is +∞): a miss against a reach is +∞ (or −∞ the other way), and two misses are a tie,
/// dᵢ = 0 — the seed says nothing about which arm is faster.
///
/// **Effect.** For a to-target endpoint the effect is the *median* paired difference (defined while fewer
/// than half the seeds are a one-sided miss); for every other endpoint it is the *mean* paired difference.
/// Its interval is the paired percentile bootstrap (``PercentileBootstrap``) of the same statistic.
public struct PairedDifferences: Sendable, Equatable {
    /// The seeds present in both arms, ascending.
    public var seeds: [Int]
    /// aᵢ − bᵢ per seed (same order).
    public var differences: [Double]

    /// Pairs `arm` and `baseline` by seed (seeds in only one of them are left out).
    public init(arm: [Int: Double], baseline: [Int: Double]) {
        seeds = arm.keys.filter { baseline[$0] != nil }.sorted()
        differences = seeds.map { seed in
            let a = arm[seed] ?? .nan, b = baseline[seed] ?? .nan
            return a == b ? 0 : a - b  // ∞ − ∞ is a tie
        }
    }

    /// The statistic of the effect for `endpoint`: the median for to-target endpoints, the mean otherwise.
    public static func effectStatistic(for endpoint: Endpoint) -> PercentileBootstrap.Statistic {
        endpoint.isTimeToTarget ? .median : .mean
    }
}
