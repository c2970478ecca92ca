/// Multiplies the factors of several schedulers that all run at once.
///
/// Every step goes to every child (with the same observation). With base rate η₀[g], the rate is
/// η[g] = c₀[g] · ∏_{i≥1} (c_i[g]/η₀[g]), where c_i is child i's rate — the product of the children's
/// factors c_i/η₀ applied to η₀. A group with η₀ = 0 stays at 0. Momentum comes from the last child
/// that schedules it (in PyTorch the last writer wins too).
///
/// Relation to PyTorch's `ChainedScheduler`: PyTorch steps each child's *chainable* update on the same
/// optimizer, so multiplicative children (step, multiStep, constant, linear, exponential, polynomial,
/// and cosine with etaMin = 0) compose to exactly this product up to rounding (checked against
/// fixtures). Children that are not multiplicative differ by design: PyTorch applies cosine with
/// etaMin ≠ 0 as an affine recursion on the already-scaled rate, and a cyclic or one-cycle child
/// overwrites the rate, erasing the earlier children's factors. Unlike PyTorch, reactive children
/// (``ReduceOnPlateauScheduler``) are allowed.
///
/// - Parameters:
///   - schedulers: at least one; all drive `baseRates.count` groups.
///   - baseRates: η₀ per group, finite and ≥ 0 (the rates the children were built with).
///   - cadence: `nil` requires the children to agree.
///
/// Reference: PyTorch `ChainedScheduler` (`torch/optim/lr_scheduler.py`).
public struct ChainedScheduler: LearningRateScheduler {
    public typealias State = CompositeSchedulerState

    public private(set) var schedulers: [AnyScheduler]
    /// η₀ per group, the denominators of the children's factors.
    public let baseRates: [Double]
    /// How often to step.
    public let cadence: StepCadence
    public private(set) var stepCount: Int = 0

    public init(schedulers: [AnyScheduler], baseRates: [Double], cadence: StepCadence? = nil)
        throws(SchedulerError)
    {
        try SchedulerArgumentValidation.baseRates(baseRates)
        let groups = try CompositeValidation.groupCount(schedulers, name: "schedulers")
        try SchedulerArgumentValidation.require(
            groups == baseRates.count, "schedulers", "\(groups) groups",
            "expected \(baseRates.count) groups, one per base rate")
        self.schedulers = schedulers
        self.baseRates = baseRates
        self.cadence = try CompositeValidation.cadence(cadence, schedulers, name: "schedulers")
    }

    public var learningRates: [Double] {
        var rates = schedulers[0].learningRates
        for child in schedulers.dropFirst() {
            let childRates = child.learningRates
            for group in rates.indices {
                let base = baseRates[group]
                rates[group] = base == 0 ? 0 : rates[group] * (childRates[group] / base)
            }
        }
        return rates
    }

    public var momenta: [Double]? { schedulers.lazy.reversed().compactMap(\.momenta).first }

    /// Every child's inputs.
    public var needs: SchedulerInputs { CompositeValidation.needs(schedulers) }

    /// Steps every child; if any child rejects the observation, none is changed.
    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        try CompositeValidation.checkStep(stepCount)
        var stepped = schedulers
        for index in stepped.indices {
            do {
                try stepped[index].step(observation)
            } catch {
                throw error.reportedAtStep(stepCount)
            }
        }
        schedulers = stepped
        stepCount += 1
    }

    public var state: State { State(stepCount: stepCount, children: schedulers.map(\.state)) }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        schedulers = try CompositeValidation.restored(schedulers, from: state)
        stepCount = state.stepCount
    }
}
