/// What a scheduler sees when it is stepped: the training signals observed since its previous step.
///
/// Every scheduler takes the same input, so composites can forward one observation to any child —
/// a plateau scheduler inside a ``SequentialScheduler`` works, which PyTorch's `SequentialLR` refuses
/// (pytorch#68978). Closed-form schedules ignore every field; reactive ones read the fields they need
/// and throw ``SchedulerError/invalidObservation(step:field:value:reason:)`` when a field they need is
/// missing or invalid, before any state changes.
public struct Observation: Sendable, Equatable, Codable {
    /// Training losses observed since the previous step, in order.
    ///
    /// For a per-epoch scheduler such as DLRS these are the epoch's minibatch losses `L_1 … L_B`;
    /// for a per-update scheduler such as MLR-SNet it is the single loss of the latest batch.
    public var losses: [Double]?

    /// A validation metric (loss or accuracy), for plateau-style schedulers.
    public var metric: Double?

    /// Gradient statistics of the latest update, for gradient-aware schedulers.
    public var gradient: GradientStatistics?

    /// Curvature estimates at the current parameters, for curvature-aware schedulers.
    public var curvature: CurvatureStatistics?

    /// The loss-landscape probe measured at this step, if one ran (``LandscapeScheduler``).
    public var landscape: LandscapeSignal?

    /// Creates an observation; every field is optional.
    public init(
        losses: [Double]? = nil,
        metric: Double? = nil,
        gradient: GradientStatistics? = nil,
        curvature: CurvatureStatistics? = nil,
        landscape: LandscapeSignal? = nil
    ) {
        self.losses = losses
        self.metric = metric
        self.gradient = gradient
        self.curvature = curvature
        self.landscape = landscape
    }

    /// An observation that carries no signal: what a closed-form schedule needs.
    public static let empty = Observation()
}

/// First-order statistics of the gradient at the latest update.
public struct GradientStatistics: Sendable, Equatable, Codable {
    /// Euclidean norm of the whole flat gradient, ‖g‖₂.
    public var norm: Double
    /// ‖g_k‖₂ per parameter group, when known.
    public var groupNorms: [Double]?

    public init(norm: Double, groupNorms: [Double]? = nil) {
        self.norm = norm
        self.groupNorms = groupNorms
    }
}

/// Second-order estimates of the loss landscape at the current parameters
/// (`docs/landscape.md`, "The estimators": power iteration for λ_max, Hutchinson for tr H).
public struct CurvatureStatistics: Sendable, Equatable, Codable {
    /// Largest Hessian eigenvalue λ_max, estimated by power iteration on Hessian-vector products.
    public var topEigenvalue: Double?
    /// Hessian trace estimated with Hutchinson's method, E[vᵀHv] with Rademacher v.
    public var trace: Double?
    /// Directional curvature gᵀHg / ‖g‖² along the gradient.
    public var gradientCurvature: Double?

    public init(topEigenvalue: Double? = nil, trace: Double? = nil, gradientCurvature: Double? = nil) {
        self.topEigenvalue = topEigenvalue
        self.trace = trace
        self.gradientCurvature = gradientCurvature
    }
}
