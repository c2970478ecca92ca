import Foundation

/// How often, and by how much, a schedule changed the learning rate (the study plan's "how often the LR
/// was adjusted and by how much").
///
/// Between consecutive recorded steps t−1 and t, group g's change is the log-ratio
/// Δ_{t,g} = |ln η_{t,g} − ln η_{t−1,g}|. A step is an **adjustment** when some group changed by more
/// than the threshold τ (default 0.01, i.e. about 1%, as the study plan suggests, `docs/tasks.md`); its magnitude is
/// the largest Δ_{t,g} over groups. A change to or from a rate of exactly 0 (a warmup from 0) has no
/// finite log-ratio: it counts as an adjustment and in ``zeroCrossings``, but not in the magnitudes.
///
/// Reference: `docs/tasks.md`, "The study plan" ("an adjustment: |Δ ln η| > 1% between consecutive steps").
public struct RateChanges: Sendable, Equatable, Codable {
    /// Number of steps at which some group's rate moved by more than the threshold.
    public var adjustmentCount: Int
    /// Mean over adjustments (with finite magnitude) of the largest |Δ ln η| over groups; 0 if none.
    public var meanMagnitude: Double
    /// Largest |Δ ln η| over all adjustments with finite magnitude; 0 if none.
    public var maximumMagnitude: Double
    /// Adjustments where a rate moved between 0 and a positive value.
    public var zeroCrossings: Int

    public init(adjustmentCount: Int, meanMagnitude: Double, maximumMagnitude: Double, zeroCrossings: Int) {
        self.adjustmentCount = adjustmentCount
        self.meanMagnitude = meanMagnitude
        self.maximumMagnitude = maximumMagnitude
        self.zeroCrossings = zeroCrossings
    }

    /// The changes in `rates` (one array per recorded step, one rate per parameter group).
    ///
    /// - Parameter threshold: τ ≥ 0 on |Δ ln η|.
    /// - Throws: ``MetricsError`` when steps have different group counts, or a rate is negative or not
    ///   finite, or the threshold is negative or not finite.
    public init(rates: [[Double]], threshold: Double = 0.01) throws(MetricsError) {
        guard threshold.isFinite && threshold >= 0 else {
            throw .invalidValue(name: "threshold", value: "\(threshold)", reason: "must be finite and ≥ 0")
        }
        for (step, groupRates) in rates.enumerated() {
            guard groupRates.count == rates[0].count else {
                throw .lengthMismatch(
                    first: "rates[0]", firstCount: rates[0].count,
                    second: "rates[\(step)]", secondCount: groupRates.count)
            }
            for rate in groupRates where !(rate.isFinite && rate >= 0) {
                throw .invalidValue(name: "rates[\(step)]", value: "\(rate)", reason: "a rate must be finite and ≥ 0")
            }
        }
        var count = 0
        var crossings = 0
        var magnitudes: [Double] = []
        for step in rates.indices.dropFirst() {
            var largest = 0.0
            var crossedZero = false
            for (previous, current) in zip(rates[step - 1], rates[step]) where previous != current {
                if previous == 0 || current == 0 {
                    crossedZero = true
                } else {
                    largest = max(largest, abs(log(current) - log(previous)))
                }
            }
            if crossedZero {
                count += 1
                crossings += 1
            } else if largest > threshold {
                count += 1
                magnitudes.append(largest)
            }
        }
        adjustmentCount = count
        zeroCrossings = crossings
        meanMagnitude = magnitudes.isEmpty ? 0 : magnitudes.reduce(0, +) / Double(magnitudes.count)
        maximumMagnitude = magnitudes.max() ?? 0
    }
}
