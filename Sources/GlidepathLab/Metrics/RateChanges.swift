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
        var accumulator = try Accumulator(threshold: threshold)
        for groupRates in rates { try accumulator.add(groupRates) }
        self = accumulator.changes
    }

    /// ``RateChanges`` computed one step at a time, so a run of millions of steps is read through a
    /// cursor instead of held in memory (`glidepath runs show`). Feeding every step of `rates` in order
    /// gives exactly ``RateChanges/init(rates:threshold:)``'s value, bit for bit (the magnitudes are
    /// summed in the same order), and the same error for the first bad step.
    public struct Accumulator: Sendable {
        public let threshold: Double
        private var previous: [Double]?
        private var stepCount = 0
        private var count = 0
        private var crossings = 0
        private var magnitudeSum = 0.0
        private var magnitudeCount = 0
        private var maximum = 0.0

        /// - Parameter threshold: τ ≥ 0 on |Δ ln η|.
        public init(threshold: Double = 0.01) throws(MetricsError) {
            guard threshold.isFinite && threshold >= 0 else {
                throw .invalidValue(name: "threshold", value: "\(threshold)", reason: "must be finite and ≥ 0")
            }
            self.threshold = threshold
        }

        /// Adds the next step's rates (one per parameter group).
        ///
        /// - Throws: ``MetricsError`` when the group count differs from the first step's, or a rate is
        ///   negative or not finite; the accumulator is then unchanged.
        public mutating func add(_ rates: [Double]) throws(MetricsError) {
            let step = stepCount
            if let previous, rates.count != previous.count {
                throw .lengthMismatch(
                    first: "rates[0]", firstCount: previous.count, second: "rates[\(step)]", secondCount: rates.count)
            }
            for rate in rates where !(rate.isFinite && rate >= 0) {
                throw .invalidValue(name: "rates[\(step)]", value: "\(rate)", reason: "a rate must be finite and ≥ 0")
            }
            stepCount += 1
            defer { previous = rates }
            guard let previous else { return }
            var largest = 0.0
            var crossedZero = false
            for (before, current) in zip(previous, rates) where before != current {
                if before == 0 || current == 0 {
                    crossedZero = true
                } else {
                    largest = max(largest, abs(log(current) - log(before)))
                }
            }
            if crossedZero {
                count += 1
                crossings += 1
            } else if largest > threshold {
                count += 1
                magnitudeSum += largest
                magnitudeCount += 1
                maximum = max(maximum, largest)
            }
        }

        /// The number of steps added.
        public var steps: Int { stepCount }

        /// The changes over the steps added so far.
        public var changes: RateChanges {
            RateChanges(
                adjustmentCount: count, meanMagnitude: magnitudeCount == 0 ? 0 : magnitudeSum / Double(magnitudeCount),
                maximumMagnitude: maximum, zeroCrossings: crossings)
        }
    }
}
