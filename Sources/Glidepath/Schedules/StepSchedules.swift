import Foundation

/// Decays the rate by `gamma` every `stepSize` steps: η(t) = η₀·γ^⌊t/s⌋.
///
/// - Parameters:
///   - stepSize: `s ≥ 1`, steps between decays (PyTorch raises `ZeroDivisionError` for 0).
///   - gamma: `γ`, finite and ≥ 0.
///
/// Reference: PyTorch `StepLR`, `torch/optim/lr_scheduler.py`. The value is computed exactly as
/// PyTorch's `_get_closed_form_lr` (`base_lr * gamma ** (t // s)`), so it is bit-identical to it;
/// PyTorch's `step()` multiplies by γ repeatedly, which differs by a few ULP after several decays.
public struct StepSchedule: ClosedFormSchedule {
    /// Steps between decays, s ≥ 1.
    public let stepSize: Int
    /// Multiplicative decay γ ≥ 0.
    public let gamma: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(stepSize: Int, gamma: Double = Configuration().gamma) throws(SchedulerError) {
        try SchedulerArgumentValidation.atLeast(stepSize, 1, "stepSize")
        try SchedulerArgumentValidation.nonNegative(gamma, "gamma")
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        baseRate * pow(gamma, Double(step / stepSize))
    }

    private enum CodingKeys: String, CodingKey { case stepSize, gamma }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            stepSize: container.decode(Int.self, forKey: .stepSize),
            gamma: container.decode(Double.self, forKey: .gamma))
    }
}

/// Decays the rate by `gamma` at each milestone: η(t) = η₀·γ^{#{m ∈ M : m ≤ t}}.
///
/// A milestone listed twice counts twice, as in PyTorch (which stores milestones in a `Counter`).
///
/// - Parameters:
///   - milestones: step indices ≥ 0, in any order (stored sorted).
///   - gamma: `γ`, finite and ≥ 0.
///
/// Reference: PyTorch `MultiStepLR` (`torch/optim/lr_scheduler.py`); the value equals its
/// `_get_closed_form_lr` (`bisect_right` over the sorted milestones) bit for bit.
public struct MultiStepSchedule: ClosedFormSchedule {
    /// Sorted milestones, duplicates kept.
    public let milestones: [Int]
    /// Multiplicative decay γ ≥ 0.
    public let gamma: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(milestones: [Int], gamma: Double = Configuration().gamma) throws(SchedulerError) {
        for (index, milestone) in milestones.enumerated() {
            try SchedulerArgumentValidation.atLeast(milestone, 0, "milestones[\(index)]")
        }
        try SchedulerArgumentValidation.nonNegative(gamma, "gamma")
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        // bisect_right: the number of milestones ≤ step.
        var low = 0
        var high = milestones.count
        while low < high {
            let middle = (low + high) / 2
            if milestones[middle] <= step { low = middle + 1 } else { high = middle }
        }
        return baseRate * pow(gamma, Double(low))
    }

    private enum CodingKeys: String, CodingKey { case milestones, gamma }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            milestones: container.decode([Int].self, forKey: .milestones),
            gamma: container.decode(Double.self, forKey: .gamma))
    }
}

/// Decays the rate by `gamma` every step: η(t) = η₀·γ^t.
///
/// - Parameter gamma: `γ`, finite and ≥ 0.
///
/// Reference: PyTorch `ExponentialLR` (`torch/optim/lr_scheduler.py`); bit-identical to its
/// `_get_closed_form_lr`. PyTorch's `step()` multiplies by γ each step, which drifts from `pow` by
/// rounding that grows with t (measured in `PyTorchParityTests`).
public struct ExponentialSchedule: ClosedFormSchedule {
    /// Multiplicative decay γ ≥ 0.
    public let gamma: Double

    public static var defaultCadence: StepCadence { .perEpoch }

    public init(gamma: Double) throws(SchedulerError) {
        try SchedulerArgumentValidation.nonNegative(gamma, "gamma")
        self.gamma = gamma
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        baseRate * pow(gamma, Double(step))
    }

    private enum CodingKeys: String, CodingKey { case gamma }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(gamma: container.decode(Double.self, forKey: .gamma))
    }
}
