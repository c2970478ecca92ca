/// Where and why a run diverged.
public struct DivergenceEvent: Sendable, Equatable {
    /// The epoch of the diverging loss.
    public var epoch: Int
    /// The update whose loss was non-finite; `nil` when an epoch's mean training loss crossed the limit.
    public var step: Int?
    public var reason: DivergenceReason
}

/// The study's per-run measurements computed from a run's recorded epochs and steps: best validation
/// loss, time to target, loss stability, learning-rate changes and divergence.
///
/// Pure function of the records, so the training loop's result record, `glidepath runs show` and any
/// later analysis compute the same numbers from the same store.
public struct RunAnalysis: Sendable, Equatable {
    public var epochsCompleted: Int
    /// Lowest finite validation loss, and its epoch.
    public var bestValidationLoss: Double?
    public var bestEpoch: Int?
    /// When the validation-loss target was first reached (nil without a target or when missed).
    public var targetReach: TargetReach?
    /// Training seconds over all epochs (evaluation excluded) and evaluation seconds, apart.
    public var trainingSeconds: Double
    public var evaluationSeconds: Double
    /// Stability of the per-epoch training and validation loss curves; nil when a curve is empty or not
    /// finite (a diverged run: see ``divergence``).
    public var trainLossStability: LossStability?
    public var validationLossStability: LossStability?
    /// Learning-rate changes over the recorded steps; nil without steps.
    public var rateChanges: RateChanges?
    /// The divergence (``DivergenceRule`` with factor 2 relative to the first step's loss), if any: the
    /// first non-finite step loss, or the epoch from which the mean training loss stayed above the limit
    /// to the end of the run, whichever comes first.
    public var divergence: DivergenceEvent?

    /// Analyses `epochs` and `steps` (each in order).
    ///
    /// - Parameters:
    ///   - target: the validation-loss target, if the run has one.
    ///   - spikeThreshold: relative epoch-over-epoch rise counted as a spike (``LossStability``).
    ///   - rateThreshold: |Δ ln η| counted as a rate adjustment (``RateChanges``).
    /// - Throws: ``MetricsError`` for inconsistent records (steps with different group counts, a negative
    ///   or non-finite rate or duration, a non-finite target).
    public init(
        epochs: [EpochRecord], steps: [StepRecord], target: Double?, spikeThreshold: Double = 0.1,
        rateThreshold: Double = 0.01
    ) throws(MetricsError) {
        var summary = try StepSummary(rateThreshold: rateThreshold)
        for step in steps { try summary.add(step) }
        try self.init(epochs: epochs, steps: summary, target: target, spikeThreshold: spikeThreshold)
    }

    /// Analyses `epochs` (in order) and the summary of the run's steps, accumulated one at a time
    /// (``StepSummary``: what a cursor over millions of steps gives without holding them).
    public init(
        epochs: [EpochRecord], steps: StepSummary, target: Double?, spikeThreshold: Double = 0.1
    ) throws(MetricsError) {
        epochsCompleted = epochs.count
        let best = epochs.filter { $0.validationLoss.isFinite }.min { $0.validationLoss < $1.validationLoss }
        bestValidationLoss = best?.validationLoss
        bestEpoch = best?.epoch
        targetReach = try target.flatMap { (target) throws(MetricsError) in
            try TargetReach.first(
                reaching: target, validationLosses: epochs.map(\.validationLoss),
                trainingSeconds: epochs.map(\.trainSeconds))
        }
        trainingSeconds = epochs.reduce(0) { $0 + $1.trainSeconds }
        evaluationSeconds = epochs.reduce(0) { $0 + $1.evaluationSeconds }
        let trainCurve = epochs.map(\.trainLoss)
        let validationCurve = epochs.map(\.validationLoss)
        trainLossStability =
            trainCurve.isEmpty || !trainCurve.allSatisfy(\.isFinite)
            ? nil : try LossStability(losses: trainCurve, spikeThreshold: spikeThreshold)
        validationLossStability =
            validationCurve.isEmpty || !validationCurve.allSatisfy(\.isFinite)
            ? nil : try LossStability(losses: validationCurve, spikeThreshold: spikeThreshold)
        rateChanges = steps.rateChanges
        divergence = Self.firstDivergence(epochs: epochs, steps: steps)
    }

    private static func firstDivergence(epochs: [EpochRecord], steps: StepSummary) -> DivergenceEvent? {
        // A non-finite step loss is a divergence whatever the reference; find the first.
        let nonFinite = steps.firstNonFinite
        var aboveLimit: DivergenceEvent?
        if let initial = steps.firstLoss, let rule = try? DivergenceRule(initialLoss: initial) {
            // Only an excursion that lasts to the last epoch: a spike that recovered is not a divergence.
            aboveLimit = rule.trailingDivergence(in: epochs.map(\.trainLoss)).map { found in
                DivergenceEvent(epoch: epochs[found.index].epoch, step: nil, reason: found.reason)
            }
        }
        switch (nonFinite, aboveLimit) {
        case let (step?, epoch?): return step.epoch <= epoch.epoch ? step : epoch
        case let (step?, nil): return step
        case let (nil, epoch): return epoch
        }
    }
}
