import Foundation

/// Errors of ``LossRecorder``.
public enum LossRecorderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A loss was NaN, infinite or negative. `index` is where it would have been stored.
    case invalidLoss(index: Int, value: Double, reason: String)
    /// The recorder already holds `maximumCount` losses (reset it before the next epoch).
    case capacityReached(maximumCount: Int)
    /// The cap passed to the initializer is not a positive count.
    case invalidCapacity(Int)

    public var description: String {
        switch self {
        case let .invalidLoss(index, value, reason):
            return "invalid loss at index \(index): \(value): \(reason)"
        case let .capacityReached(maximumCount):
            return "the recorder holds maxLosses=\(maximumCount) losses; reset it before recording another epoch"
        case let .invalidCapacity(value):
            return "invalid argument maxLosses=\(value): must be a positive count"
        }
    }
}

/// Collects an epoch's batch losses for ``DLRSScheduler`` and summarizes them (pytorch-dlrs 0.3.0
/// `LossRecorder`).
///
/// Losses must be finite and ≥ 0. With a cap, adding past it throws instead of dropping the first loss,
/// which would change DLRS's endpoint statistic. The summaries divide by the largest loss first and sum
/// with ``CorrectlyRoundedSum``, so they neither overflow nor lose tiny losses:
///
/// ```
/// mean  = M · fsum(x_k / M) / n                         M = max x_k
/// std   = M · sqrt(fsum((x_k/M − m̂)²) / n)              m̂ = fsum(x_k / M) / n  (population, n ≥ 2)
/// slope = (x_n/M − x_1/M) / m̂                           nil for n < 2 or all-zero losses
/// ```
///
/// **Differs from pytorch-dlrs 0.2.1**, which accepts NaN, negative and bool values, sums left to right,
/// and returns no slope when |mean| < 1e−10. (`docs/dlrs.md`, "LossRecorder", describes the 0.3.0 scaling as a power
/// of two; the 0.3.0.dev0 code divides by the maximum, which is what this type reproduces bit for bit.)
public struct LossRecorder: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The recorded losses, oldest first.
    public private(set) var losses: [Double] = []
    /// The cap on ``losses``, or `nil` for none.
    public let maximumCount: Int?

    /// Creates an empty recorder; `maximumCount`, if given, must be ≥ 1.
    public init(maximumCount: Int? = nil) throws(LossRecorderError) {
        if let maximumCount, maximumCount <= 0 { throw .invalidCapacity(maximumCount) }
        self.maximumCount = maximumCount
    }

    /// Records one loss.
    /// - Throws: ``LossRecorderError/invalidLoss(index:value:reason:)`` or
    ///   ``LossRecorderError/capacityReached(maximumCount:)``; the recorder is then unchanged.
    public mutating func add(_ loss: Double) throws(LossRecorderError) {
        if loss < 0 { throw .invalidLoss(index: losses.count, value: loss, reason: "must be nonnegative") }
        if !loss.isFinite { throw .invalidLoss(index: losses.count, value: loss, reason: "must be finite") }
        if let maximumCount, losses.count >= maximumCount { throw .capacityReached(maximumCount: maximumCount) }
        losses.append(loss)
    }

    /// Forgets every loss (the cap stays).
    public mutating func reset() {
        losses.removeAll(keepingCapacity: true)
    }

    /// The number of recorded losses.
    public var count: Int { losses.count }

    /// The smallest loss, or `nil` when empty.
    public var minimum: Double? { losses.min() }

    /// The largest loss, or `nil` when empty.
    public var maximum: Double? { losses.max() }

    /// The mean, or `nil` when empty.
    public var mean: Double? {
        guard let scale = maximum else { return nil }
        if scale == 0 { return 0 }
        return scale * (scaledSum(scale) / Double(losses.count))
    }

    /// The population standard deviation, or `nil` for fewer than two losses.
    public var standardDeviation: Double? {
        guard losses.count >= 2, let scale = maximum else { return nil }
        if scale == 0 { return 0 }
        let count = Double(losses.count)
        let scaledMean = scaledSum(scale) / count
        let squares = losses.withUnsafeBufferPointer { buffer in
            CorrectlyRoundedSum.sum(count: buffer.count) { index in
                let deviation = buffer[index] / scale - scaledMean
                return deviation * deviation
            } ?? .infinity
        }
        return scale * Foundation.sqrt(squares / count)
    }

    /// The normalized slope (last − first) / mean, or `nil` for fewer than two or all-zero losses.
    public var slope: Double? {
        guard losses.count >= 2, let scale = maximum, scale > 0, let first = losses.first, let last = losses.last
        else { return nil }
        let scaledMean = scaledSum(scale) / Double(losses.count)
        return (last / scale - first / scale) / scaledMean
    }

    private func scaledSum(_ scale: Double) -> Double {
        losses.withUnsafeBufferPointer { buffer in
            CorrectlyRoundedSum.sum(count: buffer.count) { buffer[$0] / scale } ?? .infinity
        }
    }

    public var description: String {
        guard let mean else { return "LossRecorder(empty)" }
        return "LossRecorder(n=\(losses.count), mean=\(String(format: "%.4f", mean)))"
    }

    enum CodingKeys: String, CodingKey {
        case losses, maximumCount
    }

    /// Decodes a recorder, validating every loss and the cap.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let losses = try container.decode([Double].self, forKey: .losses)
        var recorder = try LossRecorder(maximumCount: container.decodeIfPresent(Int.self, forKey: .maximumCount))
        for loss in losses { try recorder.add(loss) }
        self = recorder
    }
}
