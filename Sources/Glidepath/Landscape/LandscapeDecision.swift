/// What ``LandscapeScheduler`` did at one step, with every raw proposal (for the run store).
public struct LandscapeDecision: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        /// No landscape field in the observation: the multiplier is unchanged.
        case noSignal
        /// Within the trust warm-up: the base rate is followed.
        case warmup
        /// The rule's estimate was unusable (missing, non-finite, negative curvature): the multiplier is held.
        case held
        /// The multiplier moved toward the proposal.
        case applied
        /// A non-finite loss or a loss above spikeFactor × its EMA: the multiplier was halved.
        case halvedOnSpike
    }

    public var action: Action
    /// The rate each rule proposed (absent: its estimate was unavailable or unusable).
    public var stability: Double?
    public var quadratic: Double?
    public var noise: Double?
    public var step: Double?
    /// The proposal the rule chose, as a rate.
    public var proposal: Double?
    /// The multiplier η/η_base before and after the step.
    public var factorBefore: Double
    public var factorAfter: Double

    public init(
        action: Action, stability: Double? = nil, quadratic: Double? = nil, noise: Double? = nil,
        step: Double? = nil, proposal: Double? = nil, factorBefore: Double, factorAfter: Double
    ) {
        self.action = action
        self.stability = stability
        self.quadratic = quadratic
        self.noise = noise
        self.step = step
        self.proposal = proposal
        self.factorBefore = factorBefore
        self.factorAfter = factorAfter
    }
}
