/// When a run first reached its validation-loss target: the AlgoPerf "time to target" measurement.
///
/// A run reaches the target at the first epoch e whose validation loss is ≤ the target. It is reported
/// as the number of epochs trained (e, 1-based) and the cumulative *training* seconds up to the end of
/// that epoch: evaluation time is excluded, as in AlgoPerf, so a scheduler is not charged for how often
/// the lab evaluates. A run that never reaches the target has no reach (AlgoPerf scores it ∞; the JSON
/// result reports `null`). A NaN validation loss never reaches a target.
///
/// Reference: AlgoPerf `DOCUMENTATION.md` v0.6 (time to validation target; untimed evaluation);
/// `docs/lab.md`, "Where the protocol comes from" (AlgoPerf's time to result, Dahl et al. 2023,
/// arXiv:2306.07179).
public struct TargetReach: Sendable, Equatable, Codable {
    /// Epochs trained when the target was first reached (1 = after the first epoch).
    public var epochs: Int
    /// Cumulative training seconds (evaluation excluded) at the end of that epoch.
    public var trainingSeconds: Double

    public init(epochs: Int, trainingSeconds: Double) {
        self.epochs = epochs
        self.trainingSeconds = trainingSeconds
    }

    /// The first epoch whose validation loss is ≤ `target`, or `nil` if none is.
    ///
    /// - Parameters:
    ///   - target: the validation-loss target (finite).
    ///   - validationLosses: the validation loss after each epoch, in order (epoch 1 first).
    ///   - trainingSeconds: the training seconds of each epoch alone (not cumulative), evaluation
    ///     excluded; each ≥ 0.
    /// - Throws: ``MetricsError`` when the arrays differ in length, the target is not finite, or a
    ///   duration is negative or not finite.
    public static func first(
        reaching target: Double, validationLosses: [Double], trainingSeconds: [Double]
    ) throws(MetricsError) -> TargetReach? {
        guard target.isFinite else { throw .nonFinite(name: "target", index: 0, value: target) }
        guard validationLosses.count == trainingSeconds.count else {
            throw .lengthMismatch(
                first: "validationLosses", firstCount: validationLosses.count,
                second: "trainingSeconds", secondCount: trainingSeconds.count)
        }
        for (index, seconds) in trainingSeconds.enumerated() where !(seconds.isFinite && seconds >= 0) {
            throw .invalidValue(
                name: "trainingSeconds[\(index)]", value: "\(seconds)",
                reason: "must be finite and ≥ 0")
        }
        var elapsed = 0.0
        for (index, loss) in validationLosses.enumerated() {
            elapsed += trainingSeconds[index]
            // `<=` is false for NaN, so a NaN loss never counts as reaching the target.
            if loss <= target { return TargetReach(epochs: index + 1, trainingSeconds: elapsed) }
        }
        return nil
    }
}
