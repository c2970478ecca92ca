import Foundation

/// Multiplies the rate by a constant factor for the first `totalIters` steps:
/// η(t) = η₀·f for t < T, and η₀ afterwards.
///
/// - Parameters:
///   - factor: `f ∈ [0, 1]` (PyTorch: "between 0 and 1").
///   - totalIters: `T ≥ 1`.
///
/// Reference: PyTorch `ConstantLR` (`torch/optim/lr_scheduler.py`). Computed as its
/// `_get_closed_form_lr`, `η₀·(f + [t ≥ T]·(1 − f))`, bit for bit. Differs from PyTorch: `totalIters = 0`
/// is rejected (PyTorch then keeps the factor forever through its recursion), and `factor = 0` returns
/// η₀ at t = T where PyTorch's recursion divides by zero.
public struct ConstantSchedule: ClosedFormSchedule {
    /// The factor f ∈ [0, 1] applied before `totalIters`.
    public let factor: Double
    /// Length T ≥ 1 of the warm-up or decay, in steps.
    public let totalIters: Int

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(factor: Double = Configuration().factor, totalIters: Int = Configuration().totalIters)
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.unitInterval(factor, "factor")
        try SchedulerArgumentValidation.atLeast(totalIters, 1, "totalIters")
        self.factor = factor
        self.totalIters = totalIters
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        baseRate * (factor + (step >= totalIters ? 1.0 : 0.0) * (1 - factor))
    }

    private enum CodingKeys: String, CodingKey { case factor, totalIters }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            factor: container.decode(Double.self, forKey: .factor),
            totalIters: container.decode(Int.self, forKey: .totalIters))
    }
}

/// Moves the factor linearly from `startFactor` to `endFactor` over `totalIters` steps:
/// η(t) = η₀·(s + (e − s)·min(t, T)/T).
///
/// - Parameters:
///   - startFactor: `s ∈ (0, 1]`.
///   - endFactor: `e ∈ [0, 1]`.
///   - totalIters: `T ≥ 1` (PyTorch divides by zero for 0).
///
/// Reference: PyTorch `LinearLR` (`torch/optim/lr_scheduler.py`); bit-identical to its
/// `_get_closed_form_lr`. PyTorch's `step()` applies the ratio
/// `1 + (e − s)/(T·s + (t − 1)(e − s))` recursively, which agrees to a few ULP.
public struct LinearSchedule: ClosedFormSchedule {
    /// Factor at t = 0, in (0, 1].
    public let startFactor: Double
    /// Factor from t = T on, in [0, 1].
    public let endFactor: Double
    /// Length T ≥ 1 of the warm-up or decay, in steps.
    public let totalIters: Int

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(
        startFactor: Double = Configuration().startFactor, endFactor: Double = Configuration().endFactor,
        totalIters: Int = Configuration().totalIters
    )
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.finite(startFactor, "startFactor")
        try SchedulerArgumentValidation.require(
            startFactor > 0 && startFactor <= 1, "startFactor", "\(startFactor)", "must be in (0, 1]")
        try SchedulerArgumentValidation.unitInterval(endFactor, "endFactor")
        try SchedulerArgumentValidation.atLeast(totalIters, 1, "totalIters")
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        baseRate
            * (startFactor + (endFactor - startFactor) * Double(min(totalIters, step)) / Double(totalIters))
    }

    private enum CodingKeys: String, CodingKey { case startFactor, endFactor, totalIters }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            startFactor: container.decode(Double.self, forKey: .startFactor),
            endFactor: container.decode(Double.self, forKey: .endFactor),
            totalIters: container.decode(Int.self, forKey: .totalIters))
    }
}

/// Polynomial decay to zero over `totalIters` steps: η(t) = η₀·(1 − min(t, T)/T)^p.
///
/// The rate is exactly 0 for t ≥ T (when p > 0).
///
/// - Parameters:
///   - totalIters: `T ≥ 1`.
///   - power: `p`, finite and ≥ 0 (PyTorch accepts a negative power and then divides by zero at T).
///
/// Reference: PyTorch `PolynomialLR` (`torch/optim/lr_scheduler.py`); bit-identical to its
/// `_get_closed_form_lr`. PyTorch's `step()` multiplies by `((1 − t/T)/(1 − (t−1)/T))^p`, which agrees
/// to rounding.
public struct PolynomialSchedule: ClosedFormSchedule {
    /// Length T ≥ 1 of the warm-up or decay, in steps.
    public let totalIters: Int
    /// Exponent p ≥ 0.
    public let power: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(totalIters: Int = Configuration().totalIters, power: Double = Configuration().power)
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.atLeast(totalIters, 1, "totalIters")
        try SchedulerArgumentValidation.nonNegative(power, "power")
        self.totalIters = totalIters
        self.power = power
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        baseRate * pow(1.0 - Double(min(totalIters, step)) / Double(totalIters), power)
    }

    private enum CodingKeys: String, CodingKey { case totalIters, power }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            totalIters: container.decode(Int.self, forKey: .totalIters),
            power: container.decode(Double.self, forKey: .power))
    }
}
