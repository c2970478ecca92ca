import Foundation

/// Cosine annealing (SGDR without restarts):
/// η(t) = η_min + (η₀ − η_min)·(1 + cos(π·t/T_max))/2.
///
/// Nothing clamps t at `tMax`: past it the rate climbs back to η₀ at 2·T_max and repeats with period
/// 2·T_max, exactly as PyTorch's `CosineAnnealingLR` does.
///
/// - Parameters:
///   - tMax: `T_max ≥ 1`, half-period in steps.
///   - etaMin: `η_min`, finite and ≥ 0.
///
/// References: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
/// arXiv 1608.03983 (ICLR 2017); PyTorch `CosineAnnealingLR` (`torch/optim/lr_scheduler.py`).
/// Bit-identical to PyTorch's `_get_closed_form_lr`. PyTorch's `step()` uses a recursion with a special
/// additive case when leaving the trough; it agrees with the closed form to rounding that grows after
/// each trough (the measured worst gap is enforced in `PyTorchParityTests`). Differs from PyTorch on
/// resume: a restored scheduler continues the closed form, so it cannot jump (pytorch#60265).
public struct CosineAnnealingSchedule: ClosedFormSchedule {
    /// Half-period T_max ≥ 1, in steps.
    public let tMax: Int
    /// Minimum rate η_min ≥ 0.
    public let etaMin: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(tMax: Int, etaMin: Double = Configuration().etaMin) throws(SchedulerError) {
        try SchedulerArgumentValidation.atLeast(tMax, 1, "tMax")
        try SchedulerArgumentValidation.nonNegative(etaMin, "etaMin")
        self.tMax = tMax
        self.etaMin = etaMin
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        etaMin + (baseRate - etaMin) * (1 + cos(Double.pi * Double(step) / Double(tMax))) / 2
    }

    private enum CodingKeys: String, CodingKey { case tMax, etaMin }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            tMax: container.decode(Int.self, forKey: .tMax),
            etaMin: container.decode(Double.self, forKey: .etaMin))
    }
}

/// Cosine annealing with warm restarts (SGDR):
/// η(t) = η_min + (η₀ − η_min)·(1 + cos(π·T_cur/T_i))/2,
/// where cycle i lasts T_i = T_0·T_mult^i steps and T_cur counts steps since the last restart.
///
/// T_cur wraps to 0 exactly at T_i, so η_min is never reached on an integer step (as in PyTorch).
///
/// - Parameters:
///   - t0: `T_0 ≥ 1`, length of the first cycle.
///   - tMult: `T_mult ≥ 1`, growth factor of the cycle length.
///   - etaMin: `η_min`, finite and ≥ 0.
///
/// References: Loshchilov & Hutter, arXiv 1608.03983; PyTorch `CosineAnnealingWarmRestarts`
/// (`torch/optim/lr_scheduler.py`). PyTorch's `step()` computes this same expression from integer
/// (T_cur, T_i), so values are bit-identical. Differs from PyTorch: fractional epochs
/// (`step(epoch + i/iters)`) are not supported; step it per update with `t0` in updates instead.
public struct CosineWarmRestartsSchedule: ClosedFormSchedule {
    /// Length T_0 ≥ 1 of the first cycle.
    public let t0: Int
    /// Cycle-length multiplier T_mult ≥ 1.
    public let tMult: Int
    /// Minimum rate η_min ≥ 0.
    public let etaMin: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(t0: Int, tMult: Int = Configuration().tMult, etaMin: Double = Configuration().etaMin)
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.atLeast(t0, 1, "t0")
        try SchedulerArgumentValidation.atLeast(tMult, 1, "tMult")
        try SchedulerArgumentValidation.nonNegative(etaMin, "etaMin")
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
    }

    /// The position inside the current cycle: (T_cur, T_i) after `step` steps.
    public func cyclePosition(at step: Int) -> (current: Int, length: Int) {
        if tMult == 1 { return (step % t0, t0) }
        var current = step
        var length = t0
        while current >= length {
            current -= length
            let (next, overflow) = length.multipliedReportingOverflow(by: tMult)
            // A cycle longer than Int.max steps is never left.
            if overflow { return (current, Int.max) }
            length = next
        }
        return (current, length)
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        let (current, length) = cyclePosition(at: step)
        return etaMin + (baseRate - etaMin) * (1 + cos(Double.pi * Double(current) / Double(length))) / 2
    }

    private enum CodingKeys: String, CodingKey { case t0, tMult, etaMin }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            t0: container.decode(Int.self, forKey: .t0),
            tMult: container.decode(Int.self, forKey: .tMult),
            etaMin: container.decode(Double.self, forKey: .etaMin))
    }
}
