/// A learning-rate schedule that is a pure function of the step counter and a group's base rate.
///
/// A schedule is a small immutable value (`Sendable`, `Codable`, `Equatable`): it holds only its
/// configuration, never progress. ``ClosedFormScheduler`` pairs one schedule per parameter group with the
/// groups' base rates and a step counter, which is its whole state.
///
/// Conformers compute η(t) with the *same floating-point expression* PyTorch's `_get_closed_form_lr`
/// uses (`torch/optim/lr_scheduler.py`), so the value is bit-identical to PyTorch's closed form. PyTorch's
/// `step()` instead runs a recursive ("chainable") update that multiplies the current rate; that
/// recursion agrees with the closed form only up to rounding (measured gaps are stated in each type's
/// documentation and enforced by `PyTorchParityTests`).
public protocol ClosedFormSchedule: Sendable, Codable, Equatable {
    /// The learning rate after `step` steps (PyTorch: after `step` calls of `step()`), for a group
    /// whose base rate (PyTorch `initial_lr`) is `baseRate`. `step` is non-negative.
    func learningRate(at step: Int, baseRate: Double) -> Double

    /// The momentum (SGD momentum or Adam's β₁) after `step` steps, or `nil` when this schedule does
    /// not move momentum.
    func momentum(at step: Int) -> Double?

    /// The cadence a scheduler uses for this schedule when the caller does not choose one.
    static var defaultCadence: StepCadence { get }
}

extension ClosedFormSchedule {
    public func momentum(at step: Int) -> Double? { nil }
}
