/// Why a run is considered diverged.
public enum DivergenceReason: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A loss was NaN or infinite.
    case nonFiniteLoss(Double)
    /// A loss exceeded `factor` × the initial loss.
    case lossAboveLimit(loss: Double, limit: Double)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let loss): return "non-finite loss \(loss)"
        case let .lossAboveLimit(loss, limit): return "loss \(loss) above the divergence limit \(limit)"
        }
    }
}

/// The divergence rule of the study (`docs/lab.md`, "Where the protocol comes from"): a run has
/// diverged when a loss is non-finite, or when its epoch-mean training loss is above twice the initial
/// loss and stays above it to the end of the run.
///
/// The training loop builds one rule from the first training loss it sees and checks every step loss
/// for non-finite values (a NaN poisons the parameters at once: the run stops there). The limit is
/// applied to epoch means — a single noisy batch above it is not a divergence — and only to the
/// *trailing* excursion (``trailingDivergence(in:)``): a run whose loss spiked above the limit and
/// recovered within the run has not diverged (its spike is counted by ``LossStability``). Why: the
/// study compares where runs end (best and final losses, time to target), and a run that came back
/// below the limit trained; the earlier rule ("any epoch above the limit") marked such runs `diverged`
/// (issue 17). This is the lab's choice, not a published rule: the published multiple-of-a-loss rule,
/// the range test's (torch-lr-finder `LRFinder.range_test`, `diverge_th` = 5 × the best smoothed
/// loss), stops at the first crossing, which suits a test that is meant to end there. A diverged run is
/// recorded as such, not crashed.
public struct DivergenceRule: Sendable, Equatable, Codable {
    /// The loss the limit is relative to (the run's first training loss).
    public var initialLoss: Double
    /// The limit as a multiple of ``initialLoss`` (the study uses 2).
    public var factor: Double

    /// - Parameters:
    ///   - initialLoss: finite and > 0.
    ///   - factor: finite and > 1.
    public init(initialLoss: Double, factor: Double = 2) throws(MetricsError) {
        guard initialLoss.isFinite && initialLoss > 0 else {
            throw .invalidValue(name: "initialLoss", value: "\(initialLoss)", reason: "must be finite and > 0")
        }
        guard factor.isFinite && factor > 1 else {
            throw .invalidValue(name: "factor", value: "\(factor)", reason: "must be finite and > 1")
        }
        self.initialLoss = initialLoss
        self.factor = factor
    }

    /// The loss above which a run counts as diverged: factor × initial loss.
    public var limit: Double { factor * initialLoss }

    /// Why `loss` is a divergence, or `nil` if it is not.
    public func check(_ loss: Double) -> DivergenceReason? {
        if !loss.isFinite { return .nonFiniteLoss(loss) }
        if loss > limit { return .lossAboveLimit(loss: loss, limit: limit) }
        return nil
    }

    /// Where the trailing excursion beyond the limit begins: `losses` (epoch means, in order) end with
    /// values that all diverge (``check(_:)``) from this index on; `nil` when the last one does not, i.e.
    /// the run ended within the limit (whatever spikes came before). The reason is the first value's of
    /// the excursion.
    public func trailingDivergence(in losses: [Double]) -> (index: Int, reason: DivergenceReason)? {
        guard let last = losses.last, check(last) != nil else { return nil }
        var start = losses.count - 1
        while start > 0, check(losses[start - 1]) != nil { start -= 1 }
        return check(losses[start]).map { (start, $0) }
    }

    /// The first index in `losses` that diverges, with the reason, or `nil`.
    public func firstDivergence(in losses: [Double]) -> (index: Int, reason: DivergenceReason)? {
        for (index, loss) in losses.enumerated() {
            if let reason = check(loss) { return (index, reason) }
        }
        return nil
    }
}
