import Foundation

/// The geometric-mean speedup of an arm over a baseline across tasks, AlgoPerf's alternative score
/// (Dahl et al. 2023, arXiv:2306.07179, §4.5; the lab protocol's "geometric-mean speedup against
/// constant-lr Adam").
///
/// With each arm's per-task time the median over seeds (as in ``PerformanceProfile``), over the tasks
/// both reached: S = exp((1/K′) Σₖ ln(t_baseline,k / t_arm,k)), S > 1 meaning the arm is faster. Tasks only
/// one of them reached have no finite ratio; they are counted (``armOnly``, ``baselineOnly``) and reported
/// beside S, never folded into it. Tested against hand-computed values (`StatisticsTests`).
public struct GeometricMeanSpeedup: Codable, Sendable, Equatable {
    public var arm: String
    public var baseline: String
    /// S, or `nil` when no task was reached by both.
    public var speedup: Double?
    /// K′, the tasks both reached.
    public var tasks: Int
    /// Tasks only the arm reached.
    public var armOnly: Int
    /// Tasks only the baseline reached.
    public var baselineOnly: Int

    /// The speedup from per-task times (`arm[k]`, `baseline[k]`; +∞ for a miss; > 0).
    public init(arm: String, baseline: String, armTimes: [Double], baselineTimes: [Double]) {
        self.arm = arm
        self.baseline = baseline
        var logs = [Double](), armOnly = 0, baselineOnly = 0
        for (a, b) in zip(armTimes, baselineTimes) {
            switch (a.isFinite, b.isFinite) {
            case (true, true) where a > 0 && b > 0: logs.append(log(b / a))
            case (true, false): armOnly += 1
            case (false, true): baselineOnly += 1
            default: break
            }
        }
        speedup = Statistics.mean(logs).map { exp($0) }
        tasks = logs.count
        self.armOnly = armOnly
        self.baselineOnly = baselineOnly
    }
}
