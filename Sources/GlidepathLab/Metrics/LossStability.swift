/// Stability statistics of a loss curve over epochs (the study plan's "variance of the training and
/// validation loss", plus the spike count and total variation that the lab adds, `docs/lab.md`, "Where the protocol
/// comes from").
///
/// For a curve L₁ … L_E (one value per epoch):
///
///     variance        = (1/E)·Σ (L_e − L̄)²          population variance, numpy's `np.var` (ddof = 0)
///     spikes(x)       = |{e ≥ 2 : L_e > (1 + x)·L_{e−1}}|   epoch-over-epoch increases above x
///     totalVariation  = Σ_{e ≥ 2} |L_e − L_{e−1}|
///
/// The variance uses Welford's update (Welford, Technometrics 4(3), 1962), which avoids the cancellation
/// of the one-pass Σx² − (Σx)²/E formula and is exactly 0 for a constant curve.
///
/// Reference: `docs/tasks.md`, "The study plan"; `docs/lab.md`, "Where the protocol comes from".
public struct LossStability: Sendable, Equatable, Codable {
    /// Population variance of the curve.
    public var variance: Double
    /// Number of epoch-over-epoch relative increases above the spike threshold.
    public var spikeCount: Int
    /// Sum of absolute epoch-over-epoch changes.
    public var totalVariation: Double

    public init(variance: Double, spikeCount: Int, totalVariation: Double) {
        self.variance = variance
        self.spikeCount = spikeCount
        self.totalVariation = totalVariation
    }

    /// The statistics of `losses` (one per epoch, all finite).
    ///
    /// - Parameter spikeThreshold: relative increase that counts as a spike, ≥ 0 (0.1 = a rise of more
    ///   than 10% over the previous epoch).
    /// - Throws: ``MetricsError/empty(name:)`` for no epochs, ``MetricsError/nonFinite(name:index:value:)``
    ///   for a non-finite loss (a diverged curve has no meaningful variance: report the divergence instead),
    ///   ``MetricsError/invalidValue(name:value:reason:)`` for a negative or non-finite threshold.
    public init(losses: [Double], spikeThreshold: Double = 0.1) throws(MetricsError) {
        guard spikeThreshold.isFinite && spikeThreshold >= 0 else {
            throw .invalidValue(name: "spikeThreshold", value: "\(spikeThreshold)", reason: "must be finite and ≥ 0")
        }
        variance = try Self.variance(of: losses, name: "losses")
        var spikes = 0
        var variation = 0.0
        for index in losses.indices.dropFirst() {
            let previous = losses[index - 1]
            let current = losses[index]
            variation += abs(current - previous)
            if current > (1 + spikeThreshold) * previous { spikes += 1 }
        }
        spikeCount = spikes
        totalVariation = variation
    }

    /// Population variance (1/n)·Σ(x − x̄)² of finite `values`, by Welford's update.
    public static func variance(of values: [Double], name: String = "values") throws(MetricsError) -> Double {
        guard !values.isEmpty else { throw .empty(name: name) }
        for (index, value) in values.enumerated() where !value.isFinite {
            throw .nonFinite(name: name, index: index, value: value)
        }
        var mean = 0.0
        var sumOfSquares = 0.0
        for (index, value) in values.enumerated() {
            let delta = value - mean
            mean += delta / Double(index + 1)
            sumOfSquares += delta * (value - mean)
        }
        return sumOfSquares / Double(values.count)
    }
}
