/// What ``RunAnalysis`` needs from a run's steps, accumulated one step at a time: the first step's loss
/// (the divergence rule's reference), the first non-finite step loss, and the learning-rate changes.
///
/// `glidepath runs show` feeds it from a database cursor (``RunStore/forEachStep(of:_:)``), so a run of
/// millions of steps is never held in memory; ``RunAnalysis/init(epochs:steps:target:spikeThreshold:rateThreshold:)``
/// feeds it from an array. Both give the same analysis, bit for bit.
public struct StepSummary: Sendable {
    /// The loss of the first step added, if any.
    public private(set) var firstLoss: Double?
    /// The first step whose loss was NaN or infinite.
    public private(set) var firstNonFinite: DivergenceEvent?
    private var rates: RateChanges.Accumulator

    /// - Parameter rateThreshold: |Δ ln η| counted as a rate adjustment (``RateChanges``).
    public init(rateThreshold: Double = 0.01) throws(MetricsError) {
        rates = try RateChanges.Accumulator(threshold: rateThreshold)
    }

    /// Adds the next step (steps in order).
    ///
    /// - Throws: ``MetricsError`` for a step whose rates are inconsistent with the earlier steps'
    ///   (``RateChanges/Accumulator/add(_:)``).
    public mutating func add(_ step: StepRecord) throws(MetricsError) {
        try rates.add(step.learningRates)
        if firstLoss == nil { firstLoss = step.loss }
        if firstNonFinite == nil && !step.loss.isFinite {
            firstNonFinite = DivergenceEvent(epoch: step.epoch, step: step.step, reason: .nonFiniteLoss(step.loss))
        }
    }

    /// The number of steps added.
    public var count: Int { rates.steps }

    /// The rate changes, or nil when no step was added.
    public var rateChanges: RateChanges? { count == 0 ? nil : rates.changes }
}
