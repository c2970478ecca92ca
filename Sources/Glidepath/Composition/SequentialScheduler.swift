/// Runs schedulers one after another, switching at milestones; each child's time starts at 0 when it
/// becomes active.
///
/// With milestones m₁ < m₂ < …, child i is active for m_i ≤ t < m_{i+1} (child 0 from t = 0) and reports
/// its rates after t − m_i of its own steps. Children count only the steps they receive, as in PyTorch.
/// The observation of the switching step itself is not forwarded: at t = m_i the new child shows its
/// time-0 rates (PyTorch calls `_update_lr(0)` there instead of `step()`). Every other observation goes
/// to the active child, so reactive children (``ReduceOnPlateauScheduler``, DLRS) work.
///
/// - Parameters:
///   - schedulers: at least one; all drive the same number of parameter groups.
///   - milestones: `schedulers.count − 1` values, strictly increasing and ≥ 1.
///   - cadence: `nil` requires the children to agree.
///
/// Reference: PyTorch `SequentialLR` (`torch/optim/lr_scheduler.py`). Differs from PyTorch: reactive
/// schedulers are allowed (PyTorch rejects `ReduceLROnPlateau`, pytorch#68978); milestones must be
/// increasing and positive (PyTorch bisects an unsorted list silently); restoring a saved state is exact
/// (PyTorch's SequentialLR restores the wrong rate on resume, PR #180200).
public struct SequentialScheduler: LearningRateScheduler {
    public typealias State = CompositeSchedulerState

    public private(set) var schedulers: [AnyScheduler]
    /// Steps at which the next child takes over (strictly increasing, ≥ 1).
    public let milestones: [Int]
    /// How often to step.
    public let cadence: StepCadence
    public private(set) var stepCount: Int = 0

    public init(schedulers: [AnyScheduler], milestones: [Int], cadence: StepCadence? = nil)
        throws(SchedulerError)
    {
        _ = try CompositeValidation.groupCount(schedulers, name: "schedulers")
        try SchedulerArgumentValidation.require(
            milestones.count == schedulers.count - 1, "milestones", "\(milestones)",
            "expected \(schedulers.count - 1) milestones (one fewer than schedulers), got \(milestones.count)")
        for (index, milestone) in milestones.enumerated() {
            try SchedulerArgumentValidation.atLeast(milestone, 1, "milestones[\(index)]")
            if index > 0 {
                try SchedulerArgumentValidation.require(
                    milestone > milestones[index - 1], "milestones[\(index)]", "\(milestone)",
                    "milestones must be strictly increasing")
            }
        }
        self.schedulers = schedulers
        self.milestones = milestones
        self.cadence = try CompositeValidation.cadence(cadence, schedulers, name: "schedulers")
    }

    /// The index of the child active after `step` steps (PyTorch: `bisect_right(milestones, step)`).
    public func activeIndex(at step: Int) -> Int {
        milestones.firstIndex(where: { $0 > step }) ?? milestones.count
    }

    public var learningRates: [Double] { schedulers[activeIndex(at: stepCount)].learningRates }
    public var momenta: [Double]? { schedulers[activeIndex(at: stepCount)].momenta }

    /// Every child's inputs (each reads them while it is active).
    public var needs: SchedulerInputs { CompositeValidation.needs(schedulers) }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        try CompositeValidation.checkStep(stepCount)
        let next = stepCount + 1
        let index = activeIndex(at: next)
        let switching = index > 0 && milestones[index - 1] == next
        if !switching {
            do {
                try schedulers[index].step(observation)
            } catch {
                throw error.reportedAtStep(stepCount)
            }
        }
        stepCount = next
    }

    public var state: State { State(stepCount: stepCount, children: schedulers.map(\.state)) }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        schedulers = try CompositeValidation.restored(schedulers, from: state)
        stepCount = state.stepCount
    }
}
