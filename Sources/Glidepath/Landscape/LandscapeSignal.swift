/// What a loss-landscape probe tells a scheduler (every field optional; `docs/landscape.md`).
///
/// The training lab fills it from its probes on a fixed probe set; `glidepath schedule` reads it from the
/// `"landscape"` object of a signal, so a rule can be previewed from outside.
public struct LandscapeSignal: Sendable, Equatable, Codable {
    /// ‖g‖ of the probe-set gradient.
    public var gradientNorm: Double?
    /// λ_max of the Hessian (power iteration).
    public var lambdaMax: Double?
    /// λ_max(P⁻¹H) with Adam's preconditioner P (Cohen et al. 2022).
    public var preconditionedLambdaMax: Double?
    /// tr H (Hutchinson).
    public var trace: Double?
    /// The quadratic-model step gᵀu/(uᵀHu) along the optimizer's direction u.
    public var quadraticStep: Double?
    /// The gradient noise scale B_simple = tr Σ/‖G‖² (McCandlish et al. 2018).
    public var noiseScale: Double?
    /// The training batch size B the noise scale is compared with.
    public var batchSize: Int?
    /// b = gᵀΔ for the update Δ actually taken (the `step` rule).
    public var stepSlope: Double?
    /// L(θ + Δ) − L(θ) on the same batch (the `step` rule).
    public var stepLossChange: Double?

    public init(
        gradientNorm: Double? = nil, lambdaMax: Double? = nil, preconditionedLambdaMax: Double? = nil,
        trace: Double? = nil, quadraticStep: Double? = nil, noiseScale: Double? = nil, batchSize: Int? = nil,
        stepSlope: Double? = nil, stepLossChange: Double? = nil
    ) {
        self.gradientNorm = gradientNorm
        self.lambdaMax = lambdaMax
        self.preconditionedLambdaMax = preconditionedLambdaMax
        self.trace = trace
        self.quadraticStep = quadraticStep
        self.noiseScale = noiseScale
        self.batchSize = batchSize
        self.stepSlope = stepSlope
        self.stepLossChange = stepLossChange
    }

    /// Whether no field is set.
    public var isEmpty: Bool { self == LandscapeSignal() }
}
