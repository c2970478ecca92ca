/// AlgoPerf's performance profile of time to target across tasks (Dolan & Moré 2002, "Benchmarking
/// optimization software with performance profiles", Math. Program. 91; Dahl et al. 2023, "Benchmarking
/// Neural Network Training Algorithms", arXiv:2306.07179, §4.5; AlgoPerf `scoring/performance_profile.py`).
///
/// Each arm s has one time t_{s,k} per task k: the median over seeds of its time to target, a miss
/// counting +∞ (so an arm misses a task when at least half its seeds missed). The performance ratio is
/// r_{s,k} = t_{s,k} / min_{s'} t_{s',k} ∈ [1, ∞] (+∞ for a miss, and for every arm when all missed). The
/// profile is ρ_s(τ) = |{k : r_{s,k} ≤ τ}| / K for τ ∈ [1, r_max], r_max = 4, and the score is
/// B_s = (1/(r_max − 1)) ∫₁^{r_max} ρ_s(τ) dτ = (1/K) Σₖ max(0, r_max − r_{s,k})/(r_max − 1), integrated
/// exactly on the step function (AlgoPerf samples 100 τ and uses the trapezoid rule, which differs by
/// O(1/100)). Fixture: `scripts/fixtures/report_statistics.py` (hand formula in numpy).
public struct PerformanceProfile: Codable, Sendable, Equatable {
    /// The arms, in input order.
    public var arms: [String]
    /// The tasks, in input order.
    public var tasks: [String]
    /// ratios[s][k] = r_{s,k} (+∞ encoded as "Infinity" in results.json).
    public var ratios: [[Double]]
    /// B_s per arm.
    public var scores: [Double]
    /// r_max.
    public var maximumRatio: Double

    /// The profile of `times[s][k]` (arm s, task k; +∞ for a miss; values ≥ 0).
    public init(arms: [String], tasks: [String], times: [[Double]], maximumRatio: Double = 4) throws(ReportError) {
        guard times.count == arms.count, times.allSatisfy({ $0.count == tasks.count }), !tasks.isEmpty else {
            throw .invalidArgument(
                name: "times", reason: "must be \(arms.count) arms × \(tasks.count) tasks (≥ 1 task)")
        }
        guard maximumRatio > 1 && maximumRatio.isFinite else {
            throw .invalidArgument(name: "maximumRatio", reason: "must be finite and > 1, got \(maximumRatio)")
        }
        if let bad = times.joined().first(where: { $0.isNaN || $0 < 0 }) {
            throw .invalidArgument(name: "times", reason: "must be ≥ 0 (+∞ for a miss), got \(bad)")
        }
        self.arms = arms
        self.tasks = tasks
        self.maximumRatio = maximumRatio
        var ratios = times.map { _ in [Double](repeating: .infinity, count: tasks.count) }
        for task in tasks.indices {
            let best = times.map { $0[task] }.min() ?? .infinity
            guard best.isFinite else { continue }
            for arm in arms.indices {
                let time = times[arm][task]
                ratios[arm][task] = time == best ? 1 : time / best
            }
        }
        self.ratios = ratios
        scores = ratios.map { row in
            row.reduce(0) { $0 + max(0, maximumRatio - $1) / (maximumRatio - 1) } / Double(tasks.count)
        }
    }

    /// ρ_s(τ): the fraction of tasks on which arm s is within a factor τ of the best.
    public func fraction(arm: Int, ratio tau: Double) -> Double {
        Double(ratios[arm].filter { $0 <= tau }.count) / Double(tasks.count)
    }
}
