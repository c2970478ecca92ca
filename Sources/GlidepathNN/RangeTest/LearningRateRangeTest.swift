import Foundation
import Glidepath
import GlidepathTensor

/// Smith's learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
/// WACV 2017, arXiv:1506.01186, §3.3) as `torch-lr-finder` 0.2.2 runs it (`LRFinder.range_test`):
/// train for up to N updates while the rate grows from η_s to η_e, smooth the training loss, and stop
/// when it diverges.
///
/// Update i (0-based) uses
/// ```
/// η_i = η_s·(η_e/η_s)^{i/(N−1)}     (exponential)      η_i = η_s + (i/(N−1))·(η_e − η_s)     (linear)
/// ```
/// for every parameter group. Its batch loss L_i is smoothed with the factor f: ℓ₀ = L₀ and
/// ℓ_i = f·L_i + (1 − f)·ℓ_{i−1} (starting from the first loss rather than 0, the moving average needs
/// no bias correction). The best loss b is ℓ₀, then min(b, ℓ_i); the test stops after the first update
/// with ℓ_i > threshold·b. Suggestions are computed from the record (``RangeTestSuggestions``).
///
/// Differences from the reference: a non-finite loss also stops the test (the reference continues and
/// records NaN), and the rate is set in every group (the reference sets every group's `lr` too, from
/// one start rate).
public struct LearningRateRangeTest: Sendable {
    /// How the rate grows between the bounds.
    public enum Spacing: String, Codable, Sendable, CaseIterable {
        /// Geometrically (`step_mode="exp"`), for a log-scale sweep.
        case exponential = "exp"
        /// Arithmetically (`step_mode="linear"`), Smith's original form.
        case linear
    }

    /// Why the test ended.
    public enum Ending: String, Codable, Sendable {
        /// All N updates ran.
        case completed
        /// The smoothed loss exceeded threshold × the best.
        case diverged
        /// A loss was NaN or infinite.
        case nonFinite
    }

    /// The test's parameters; every default is torch-lr-finder's, except the start rate, which it takes
    /// from the optimizer (fastai's 1e-7 here).
    public struct Configuration: Codable, Equatable, Sendable {
        /// η_s > 0 (`start_lr`).
        public var startRate: Double
        /// η_e > η_s (`end_lr`).
        public var endRate: Double
        /// N ≥ 2 (`num_iter`).
        public var updates: Int
        /// Exponential or linear (`step_mode`).
        public var spacing: Spacing
        /// The weight f ∈ [0, 1) of the newest loss in the smoothed loss (`smooth_f`); 0 = no smoothing.
        public var smoothing: Double
        /// The test stops once the smoothed loss exceeds this multiple (> 1) of the best (`diverge_th`).
        public var divergenceThreshold: Double
        /// Records left out at the start when suggesting (`plot(skip_start=)`), ≥ 0.
        public var skipStart: Int
        /// Records left out at the end when suggesting (`plot(skip_end=)`), ≥ 0.
        public var skipEnd: Int

        public init(
            startRate: Double = 1e-7, endRate: Double = 10, updates: Int = 100, spacing: Spacing = .exponential,
            smoothing: Double = 0.05, divergenceThreshold: Double = 5, skipStart: Int = 10, skipEnd: Int = 5
        ) {
            self.startRate = startRate
            self.endRate = endRate
            self.updates = updates
            self.spacing = spacing
            self.smoothing = smoothing
            self.divergenceThreshold = divergenceThreshold
            self.skipStart = skipStart
            self.skipEnd = skipEnd
        }

        /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming the first bad field.
        public func validate() throws(NNError) {
            try Check.positive(startRate, "startRate")
            try NNError.require(
                endRate.isFinite && endRate > startRate, "endRate", endRate,
                "must be finite and > startRate (\(startRate))")
            try NNError.require(updates >= 2, "updates", updates, "must be ≥ 2")
            try NNError.require(smoothing >= 0 && smoothing < 1, "smoothing", smoothing, "must lie in [0, 1)")
            try NNError.require(
                divergenceThreshold > 1 && divergenceThreshold.isFinite, "divergenceThreshold",
                divergenceThreshold, "must be finite and > 1")
            try NNError.require(skipStart >= 0, "skipStart", skipStart, "must be ≥ 0")
            try NNError.require(skipEnd >= 0, "skipEnd", skipEnd, "must be ≥ 0")
        }

        /// η_i, the rate of update `iteration` (0-based).
        public func rate(at iteration: Int) -> Double {
            let fraction = Double(iteration) / Double(updates - 1)
            switch spacing {
            case .exponential: return startRate * Foundation.pow(endRate / startRate, fraction)
            case .linear: return startRate + fraction * (endRate - startRate)
            }
        }
    }

    public let configuration: Configuration
    /// η_i of every update taken.
    public private(set) var rates: [Double] = []
    /// The raw batch losses L_i.
    public private(set) var losses: [Double] = []
    /// The smoothed losses ℓ_i (torch-lr-finder's `history["loss"]`).
    public private(set) var smoothedLosses: [Double] = []
    /// The best smoothed loss so far.
    public private(set) var bestLoss: Double = .infinity
    /// Why the test ended; nil while it runs.
    public private(set) var ending: Ending?

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for an invalid configuration.
    public init(_ configuration: Configuration) throws(NNError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The rate of the next update, or nil when the test has ended.
    public var nextRate: Double? { ending == nil ? configuration.rate(at: rates.count) : nil }

    /// Records the batch loss of the update at ``nextRate``; returns whether the test continues.
    @discardableResult
    public mutating func record(loss: Double) -> Bool {
        guard let rate = nextRate else { return false }
        rates.append(rate)
        losses.append(loss)
        var smoothed = loss
        if let previous = smoothedLosses.last {
            if configuration.smoothing > 0 {
                smoothed = configuration.smoothing * loss + (1 - configuration.smoothing) * previous
            }
            if smoothed < bestLoss { bestLoss = smoothed }
        } else {
            bestLoss = loss
        }
        smoothedLosses.append(smoothed)
        if !loss.isFinite || !smoothed.isFinite {
            ending = .nonFinite
        } else if smoothed > configuration.divergenceThreshold * bestLoss {
            ending = .diverged
        } else if rates.count == configuration.updates {
            ending = .completed
        }
        return ending == nil
    }

    /// The suggested rates from the record so far.
    public var suggestions: RangeTestSuggestions {
        RangeTestSuggestions(
            rates: rates, smoothedLosses: smoothedLosses, skipStart: configuration.skipStart,
            skipEnd: configuration.skipEnd)
    }

    /// Runs the (new) test on `optimizer` and restores `module` and `optimizer` afterwards (also when
    /// `batchLoss` throws), as `LRFinder.reset()` does.
    ///
    /// - Parameter batchLoss: computes update `i`'s batch loss and its gradients (forward and backward);
    ///   this method sets the rate before and applies the update after it.
    public mutating func run<Failure: Error>(
        module: any Module, optimizer: any Optimizer,
        batchLoss: (Int) throws(Failure) -> Double
    ) throws(Failure) {
        precondition(rates.isEmpty, "LearningRateRangeTest.run: the test has already run")
        let savedModel = module.stateArchive(), savedOptimizer = optimizer.stateArchive()
        defer {
            optimizer.clearGradients()
            // Archives taken from these very objects always load; a failure is a programming error.
            do {
                try module.loadState(savedModel)
                try optimizer.loadState(savedOptimizer)
            } catch {
                preconditionFailure("LearningRateRangeTest.run: restoring the saved state failed: \(error)")
            }
        }
        var receiver = optimizer
        while let rate = nextRate {
            receiver.receive(
                learningRates: Array(repeating: rate, count: optimizer.groupParameters.count), momenta: nil)
            optimizer.clearGradients()
            let loss = try batchLoss(rates.count)
            optimizer.step()
            record(loss: loss)
        }
    }
}
