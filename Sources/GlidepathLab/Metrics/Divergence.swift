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

/// The divergence rule of the study: a run has diverged once a loss is non-finite or exceeds twice the
/// initial loss (`docs/lab.md`, "Where the protocol comes from").
///
/// The training loop builds one rule from the first training loss it sees, checks every step loss for
/// non-finite values (a NaN poisons the parameters at once), and checks each epoch's mean training loss
/// against the limit (a single noisy batch above the limit is not a divergence). A diverged run is
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

    /// The first index in `losses` that diverges, with the reason, or `nil`.
    public func firstDivergence(in losses: [Double]) -> (index: Int, reason: DivergenceReason)? {
        for (index, loss) in losses.enumerated() {
            if let reason = check(loss) { return (index, reason) }
        }
        return nil
    }
}
