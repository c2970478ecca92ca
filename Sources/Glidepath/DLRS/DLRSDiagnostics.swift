/// The regime DLRS reads from an epoch's slope s (arXiv:2507.21749, Section 3.2).
public enum DLRSRegime: String, Sendable, Codable, CaseIterable {
    /// s > 1: the loss rose by more than its mean; the rate drops by 10^n·δ_d·s.
    case divergence
    /// 0 ≤ s ≤ 1: the loss is flat or rising slowly; the rate drops by 10^n·δ_o·s.
    case stagnation
    /// s < 0: the loss fell; the rate rises by 10^n·δ_i·|s|.
    case convergence
}

/// Why a DLRS step changed no rate (it still advanced the step counter, as pytorch-dlrs 0.3.0 does).
public enum DLRSSkipReason: String, Sendable, Codable, CaseIterable {
    /// The observation carried no losses (pytorch-dlrs `step(None)`).
    case noLosses
    /// Fewer than two losses: no slope exists.
    case tooFewLosses
    /// Every loss was zero: the mean is zero and the slope undefined.
    case allZeroLosses
}

/// What one active DLRS update did to one parameter group.
public struct DLRSGroupUpdate: Sendable, Equatable, Codable {
    /// Which bound, if any, replaced the proposed rate.
    public enum Clamp: String, Sendable, Codable, CaseIterable {
        case none
        /// The proposal was below `minLR` and was raised to it.
        case minimum
        /// The proposal (after the lower clamp) was above `maxLR` and was lowered to it.
        case maximum
    }

    /// The regime applied, or `nil` for a frozen group (rate 0, which DLRS never changes).
    public var regime: DLRSRegime?
    /// The decade n used for the group's step size (0 for a frozen group).
    public var decade: Int
    /// The pre-clamp change 10^n·δ·s subtracted from the rate (0 for a frozen group).
    public var adjustment: Double
    /// The clamp that applied.
    public var clamp: Clamp

    public init(regime: DLRSRegime?, decade: Int, adjustment: Double, clamp: Clamp) {
        self.regime = regime
        self.decade = decade
        self.adjustment = adjustment
        self.clamp = clamp
    }
}

/// What the last DLRS step saw and did, for recording (pytorch-dlrs 0.3.0's `batch_losses`,
/// `loss_slope` and `adjustment`, plus the regime and per-group detail).
///
/// Describes the last successful call only; a skip zeroes the slope and adjustment (0.3.0 semantics).
public struct DLRSDiagnostics: Sendable, Equatable, Codable {
    /// The losses of the last call (empty for a call without losses).
    public var losses: [Double]
    /// The slope s of the last active update; 0 after a skip.
    public var slope: Double
    /// The last group's pre-clamp change (pytorch-dlrs's `adjustment`); 0 after a skip.
    public var adjustment: Double
    /// The regime of the last active update; `nil` after a skip or before the first step.
    public var regime: DLRSRegime?
    /// Why the last call skipped; `nil` after an active update or before the first step.
    public var skipReason: DLRSSkipReason?
    /// Whether the slope's branch was decided with exact rational arithmetic (`docs/dlrs.md`, "The rule").
    public var usedExactSlope: Bool
    /// One entry per group after an active update; empty after a skip.
    public var groups: [DLRSGroupUpdate]

    public init(
        losses: [Double] = [], slope: Double = 0, adjustment: Double = 0, regime: DLRSRegime? = nil,
        skipReason: DLRSSkipReason? = nil, usedExactSlope: Bool = false, groups: [DLRSGroupUpdate] = []
    ) {
        self.losses = losses
        self.slope = slope
        self.adjustment = adjustment
        self.regime = regime
        self.skipReason = skipReason
        self.usedExactSlope = usedExactSlope
        self.groups = groups
    }

    /// The state before any step.
    public static let initial = DLRSDiagnostics()

    /// The diagnostics of a skipped call: losses kept, everything else zeroed.
    static func skipped(_ reason: DLRSSkipReason, losses: [Double]) -> DLRSDiagnostics {
        DLRSDiagnostics(losses: losses, skipReason: reason)
    }
}
