/// DLRS, the Dynamic Learning Rate Scheduler: once per epoch, moves each group's rate against the
/// normalized slope of that epoch's minibatch losses.
///
/// For the epoch's losses `L_1 … L_B` (B ≥ 2) with mean `L̄`, and each group's rate α:
///
/// ```
/// s   = (L_B − L_1) / L̄                        one slope, shared by every group
/// n   = decade of α                             see DecadeConvention
/// δ   = δ_d if s > 1,  δ_o if 0 ≤ s ≤ 1,  δ_i if s < 0
/// α'  = min(maxLR, max(minLR, α − (10^n·δ)·s))  upper clamp only when maxLR is set
/// ```
///
/// A falling loss (s < 0) **raises** the rate; a rising one lowers it. Each group uses its own decade,
/// so groups do not keep their ratios, and a step grows or shrinks 10× when α crosses a power of ten.
/// Parameters and ranges are on ``Configuration``.
///
/// Glidepath implements the correctness contract of pytorch-dlrs 0.3.0 (`docs/dlrs.md`, "How Glidepath differs from
/// the reference versions"):
/// * losses must be finite and ≥ 0; anything else throws
///   ``SchedulerError/invalidObservation(step:field:value:reason:)`` naming the index and value, before
///   any change (rates, step counter, diagnostics);
/// * all groups update or none do; a rate of 0 is frozen (never raised to minLR);
/// * the slope is computed on losses scaled by a power of two with a correctly rounded sum, so it is
///   invariant under power-of-two rescaling; there is no 1e−10 cutoff, only all-zero losses skip;
/// * the branch near s = 1 is decided with exact rational arithmetic; a non-finite proposal throws.
///
/// Skips (the rates stay, ``stepCount`` still advances, the diagnostics say why): no losses, fewer than
/// two losses, all-zero losses.
///
/// **Differs from pytorch-dlrs 0.2.1**: that version unfreezes zero-rate groups (clamps them up to
/// minLR), lets NaN and negative losses through (a NaN rate; inverted regimes), skips any epoch with
/// |mean| < 1e−10, does not count active updates in `_step_count`, and sums losses left to right (which
/// can differ from the correctly rounded mean in the last bit). With ``DecadeConvention/log10`` and
/// positive losses whose plain sum is exact, trajectories are bit-identical to 0.2.1.
/// **Differs from 0.3.0**: no tensor rates (rates are binary64 values) and no warnings (skips are
/// reported in ``diagnostics``). PyTorch's `SequentialLR`/`ChainedScheduler` never pass losses, so there
/// DLRS only counts steps; Glidepath's composites forward the observation, so DLRS acts inside them
/// whenever the observation carries losses.
///
/// Citations: Dharanalakota, Raikar, Ghosh, "Improving Neural Network Training using Dynamic Learning
/// Rate Schedule for PINNs and Image Classification", arXiv:2507.21749 (Machine Learning with
/// Applications 21, 100697); reference implementation pytorch-dlrs 0.2.1 and 0.3.0.dev0
/// (github.com/Thabhelo/pytorch-dlrs, `dlrs/scheduler.py`).
///
/// ```swift
/// var scheduler = try DLRSScheduler(baseRates: [0.1])
/// try scheduler.step(Observation(losses: [1.0, 0.5]))   // one epoch's batch losses, in order
/// // scheduler.learningRates == [0.10666666666666667]
/// ```
public struct DLRSScheduler: LearningRateScheduler {
    /// The hyperparameters in use.
    public internal(set) var configuration: Configuration
    /// The rates the scheduler was built with (pytorch's `base_lrs`).
    public internal(set) var baseRates: [Double]
    /// The rate of every group now.
    public internal(set) var learningRates: [Double]
    /// Successful ``step(_:)`` calls, skips included (pytorch-dlrs 0.3.0's `last_epoch`).
    public internal(set) var stepCount: Int
    /// What the last step saw and did.
    public internal(set) var diagnostics: DLRSDiagnostics

    /// DLRS reads a whole epoch of losses per step.
    public var cadence: StepCadence { .perEpoch }

    /// The epoch's minibatch losses.
    public var needs: SchedulerInputs { .epochLosses }

    /// Creates a DLRS scheduler for groups starting at `baseRates`.
    ///
    /// - Parameters:
    ///   - baseRates: one rate per group; at least one, each finite and ≥ 0 (0 freezes the group).
    ///   - divergenceFactor: δ_d, finite and > 0.
    ///   - stagnationFactor: δ_o, finite and > 0.
    ///   - convergenceFactor: δ_i, finite and > 0.
    ///   - minimumLearningRate: finite and > 0.
    ///   - maximumLearningRate: `nil`, or finite and > `minimumLearningRate`.
    ///   - decade: the decade convention (``DecadeConvention/exact`` unless reproducing 0.2.1).
    ///   - unitSlope: the branch for s = 1 exactly.
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the parameter.
    public init(
        baseRates: [Double],
        divergenceFactor: Double = Configuration().divergenceFactor,
        stagnationFactor: Double = Configuration().stagnationFactor,
        convergenceFactor: Double = Configuration().convergenceFactor,
        minimumLearningRate: Double = Configuration().minimumLearningRate,
        maximumLearningRate: Double? = nil,
        decade: DecadeConvention = Configuration().decade,
        unitSlope: UnitSlopeBranch = Configuration().unitSlope
    ) throws(SchedulerError) {
        let configuration = Configuration(
            divergenceFactor: divergenceFactor, stagnationFactor: stagnationFactor,
            convergenceFactor: convergenceFactor, minimumLearningRate: minimumLearningRate,
            maximumLearningRate: maximumLearningRate, decade: decade, unitSlope: unitSlope)
        try self.init(configuration: configuration, baseRates: baseRates, names: .swift)
    }

    /// Creates a DLRS scheduler from a decoded configuration; errors name the JSON keys
    /// (`deltaD`, …, and `lrs[i]` for a rate).
    public init(configuration: Configuration, baseRates: [Double]) throws(SchedulerError) {
        try self.init(configuration: configuration, baseRates: baseRates, names: .json)
    }

    init(configuration: Configuration, baseRates: [Double], names: DLRSParameterNames) throws(SchedulerError) {
        try configuration.validate(names: names)
        try validateLearningRates(baseRates, name: names.rates)
        self.configuration = configuration
        self.baseRates = baseRates
        self.learningRates = baseRates
        self.stepCount = 0
        self.diagnostics = .initial
    }

    /// One DLRS update from `observation.losses` (the epoch's minibatch losses in order); every other
    /// field is ignored.
    ///
    /// - Throws: ``SchedulerError/invalidObservation(step:field:value:reason:)`` for a NaN, infinite or
    ///   negative loss (`losses[i]`), a nonzero slope that rounds to 0, or a proposal that overflows;
    ///   nothing changes then.
    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        try update(losses: observation.losses, direction: 1, errorStep: stepCount, field: "losses")
    }

    /// The shared update: `direction` is q (−1 makes a rising series count as improving, for the
    /// plateau wrapper's max mode); errors report `errorStep` and name values as `field[i]`.
    mutating func update(
        losses: [Double]?, direction: Double, errorStep: Int, field: String
    ) throws(SchedulerError) {
        guard let losses else {
            commit(rates: nil, diagnostics: .skipped(.noLosses, losses: []))
            return
        }
        let result = try Self.evaluate(
            losses: losses, rates: learningRates, direction: direction, configuration: configuration,
            errorStep: errorStep, field: field)
        commit(rates: result.rates, diagnostics: result.diagnostics)
    }

    private mutating func commit(rates: [Double]?, diagnostics: DLRSDiagnostics) {
        if let rates { learningRates = rates }
        self.diagnostics = diagnostics
        stepCount += 1
    }

    /// Validates the losses, computes every new rate, and returns them without touching any state.
    static func evaluate(
        losses: [Double], rates: [Double], direction: Double, configuration: Configuration,
        errorStep: Int, field: String
    ) throws(SchedulerError) -> (rates: [Double]?, diagnostics: DLRSDiagnostics) {
        let slopeResult: Result<LossSlope?, SchedulerError> = losses.withUnsafeBufferPointer { buffer in
            let scan: LossSlope.Scan
            do throws(LossSlope.Rejection) {
                scan = try LossSlope.scan(buffer)
            } catch {
                switch error {
                case .negative(let index):
                    return .failure(
                        .invalidObservation(
                            step: errorStep, field: "\(field)[\(index)]",
                            value: "\(buffer[index])", reason: "must be nonnegative"))
                case .notFinite(let index):
                    return .failure(
                        .invalidObservation(
                            step: errorStep, field: "\(field)[\(index)]",
                            value: "\(buffer[index])", reason: "must be finite"))
                }
            }
            if buffer.count < 2 || scan.maximum == 0 { return .success(nil) }
            do throws(LossSlope.NotRepresentable) {
                return .success(try LossSlope.compute(buffer, scan: scan, direction: direction))
            } catch {
                return .failure(
                    .invalidObservation(
                        step: errorStep, field: field, value: "\(error.exactSlope)",
                        reason: "the nonzero exact slope is not representable as a binary64 value"))
            }
        }
        guard let slope = try slopeResult.get() else {
            let reason: DLRSSkipReason = losses.count < 2 ? .tooFewLosses : .allZeroLosses
            return (nil, .skipped(reason, losses: losses))
        }

        let regime: DLRSRegime
        if slope.isAboveOne {
            regime = .divergence
        } else if slope.isExactlyOne {
            regime = configuration.unitSlope == .stagnation ? .stagnation : .convergence
        } else {
            regime = slope.value >= 0 ? .stagnation : .convergence
        }
        let factor: Double
        switch regime {
        case .divergence: factor = configuration.divergenceFactor
        case .stagnation: factor = configuration.stagnationFactor
        case .convergence: factor = configuration.convergenceFactor
        }

        var newRates = [Double]()
        newRates.reserveCapacity(rates.count)
        var updates = [DLRSGroupUpdate]()
        updates.reserveCapacity(rates.count)
        for (group, rate) in rates.enumerated() {
            do {
                let candidate = try DLRSRateUpdate.candidate(
                    rate: rate, slope: slope.value, factor: factor, regime: regime, configuration: configuration)
                newRates.append(candidate.rate)
                updates.append(candidate.update)
            } catch {
                throw .invalidObservation(
                    step: errorStep, field: field, value: "slope \(slope.value)",
                    reason: "the update of group \(group) (rate \(rate)) overflows: adjustment \(error.adjustment), "
                        + "proposal \(error.proposal); choose smaller factors or rates")
            }
        }
        let diagnostics = DLRSDiagnostics(
            losses: losses, slope: slope.value, adjustment: updates.last?.adjustment ?? 0, regime: regime,
            skipReason: nil, usedExactSlope: slope.usedExactArithmetic, groups: updates)
        return (newRates, diagnostics)
    }
}
