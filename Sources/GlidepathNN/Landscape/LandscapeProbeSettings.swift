/// What a landscape probe computes and how hard it tries (`docs/landscape.md`, "What a probe computes").
///
/// `init()` computes every estimate (what `glidepath probe` and the tests use); ``training`` is the lean
/// default of probes inside training runs: loss, gradient norms, cosine, noise scale (all from the k batch
/// gradients), λ_max and — for Adam — λ_max(P⁻¹H), each warm-started with a residual tolerance. A landscape
/// scheduler adds what its rule reads (the lab's `LandscapeProbeSettings.adding(readsOf:)`).
public struct LandscapeProbeSettings: Sendable, Equatable {
    /// Largest number of power iterations per λ_max estimate (each one HVP).
    public var powerIterationLimit: Int = 20
    /// Stop when |λ_k − λ_{k−1}| ≤ tolerance·(|λ_{k−1}| + 1e-6) (PyHessian's rule; 1e-2 suffices for scheduling).
    public var powerTolerance: Double = 1e-2
    /// Also stop when the relative residual ‖Hv − λv‖/|λ| is at most this (nil: the change test only). It lets a
    /// warm start that is already an eigenvector stop after one HVP (``PowerIteration``).
    public var residualTolerance: Double? = nil
    /// Rademacher samples of Hutchinson's trace estimator (each one HVP; 0 turns the trace off; the
    /// standard error needs ≥ 2).
    public var traceSamples: Int = 2
    /// Whether to compute the quadratic-model step gᵀu/(uᵀHu) (one HVP).
    public var quadraticStep: Bool = true
    /// Whether to compute λ_max(P⁻¹H) when the optimizer supplies a preconditioner (Adam; power
    /// iteration with the same limit and tolerance).
    public var preconditionedLambda: Bool = true
    /// Whether to compute gᵀHg/‖g‖² (one HVP; free when λ_max starts cold from the gradient, whose first
    /// product is H·g, and whenever the quadratic step needs it, u = g).
    public var gradientCurvature: Bool = true
    /// Whether λ_max's spread across batches is measured on the batches the HVPs did not use (one extra
    /// evaluation pair per such batch); without it the spread comes from the HVP batches alone.
    public var lambdaSpread: Bool = true
    /// EMA factor of the noise scale's numerator and denominator, smoothed separately (McCandlish et al. 2018, App. A).
    public var noiseSmoothing: Double = 0.9
    /// How many of the probe batches the HVPs use (the first ones; at most the batch count). Gradients,
    /// the loss and the noise scale always use every batch. Each HVP costs 2 gradient evaluations per
    /// batch used, so fewer batches make a probe cheaper; λ_max's spread then comes from one extra
    /// evaluation of the final eigenvector's quotient on each remaining batch.
    public var hessianBatches: Int = 1
    /// The finite-difference step of every HVP.
    public var hessianStep: Double = HessianVectorProduct.Configuration.defaultStep

    /// Every estimate (the settings of `glidepath probe` and of runs recorded before ``training`` existed).
    public init() {}

    /// The default of probes in training (`docs/landscape.md`, "What a probe computes"): the estimates every
    /// run's records use (loss, ‖g‖, λ_max, Adam's λ_max(P⁻¹H)), λ_max stopped by a residual tolerance of 0.1
    /// as well as the change test, no trace, no quadratic step, no gᵀHg, no extra spread evaluations.
    public static var training: LandscapeProbeSettings {
        var settings = LandscapeProbeSettings()
        settings.residualTolerance = 0.1
        settings.traceSamples = 0
        settings.quadraticStep = false
        settings.gradientCurvature = false
        settings.lambdaSpread = false
        return settings
    }

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming the first setting out of range.
    public func validate() throws(NNError) {
        try NNError.require(
            powerIterationLimit >= 1 && powerIterationLimit <= 10_000, "powerIterationLimit",
            powerIterationLimit, "must be in 1...10000")
        try NNError.require(
            powerTolerance > 0 && powerTolerance < 1, "powerTolerance", powerTolerance, "must be in (0, 1)")
        if let residualTolerance {
            try NNError.require(
                residualTolerance > 0 && residualTolerance < 1, "residualTolerance", residualTolerance,
                "must be in (0, 1)")
        }
        try NNError.require(
            traceSamples >= 0 && traceSamples <= 10_000, "traceSamples", traceSamples, "must be in 0...10000")
        try NNError.require(
            noiseSmoothing >= 0 && noiseSmoothing < 1, "noiseSmoothing", noiseSmoothing, "must be in [0, 1)")
        try NNError.require(hessianBatches >= 1, "hessianBatches", hessianBatches, "must be >= 1")
        try NNError.require(
            hessianStep > 0 && hessianStep.isFinite, "hessianStep", hessianStep, "must be finite and > 0")
    }
}

extension LandscapeProbeSettings: Codable {
    private enum CodingKeys: String, CodingKey {
        case powerIterationLimit, powerTolerance, residualTolerance, traceSamples, quadraticStep
        case preconditionedLambda, gradientCurvature, lambdaSpread, noiseSmoothing, hessianBatches, hessianStep
    }

    /// Keys missing from settings recorded before they existed take the behaviour of that time (a residual
    /// tolerance off, gᵀHg and the extra spread evaluations on), so an old run resumes as it started.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        powerIterationLimit = try c.decode(Int.self, forKey: .powerIterationLimit)
        powerTolerance = try c.decode(Double.self, forKey: .powerTolerance)
        residualTolerance = try c.decodeIfPresent(Double.self, forKey: .residualTolerance)
        traceSamples = try c.decode(Int.self, forKey: .traceSamples)
        quadraticStep = try c.decode(Bool.self, forKey: .quadraticStep)
        preconditionedLambda = try c.decode(Bool.self, forKey: .preconditionedLambda)
        gradientCurvature = try c.decodeIfPresent(Bool.self, forKey: .gradientCurvature) ?? true
        lambdaSpread = try c.decodeIfPresent(Bool.self, forKey: .lambdaSpread) ?? true
        noiseSmoothing = try c.decode(Double.self, forKey: .noiseSmoothing)
        hessianBatches = try c.decode(Int.self, forKey: .hessianBatches)
        hessianStep = try c.decode(Double.self, forKey: .hessianStep)
    }

    /// The newer keys are written only when they differ from that earlier behaviour, so settings that ask for
    /// it encode exactly as before (a study cell's content hash does not move).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(powerIterationLimit, forKey: .powerIterationLimit)
        try c.encode(powerTolerance, forKey: .powerTolerance)
        try c.encodeIfPresent(residualTolerance, forKey: .residualTolerance)
        try c.encode(traceSamples, forKey: .traceSamples)
        try c.encode(quadraticStep, forKey: .quadraticStep)
        try c.encode(preconditionedLambda, forKey: .preconditionedLambda)
        if !gradientCurvature { try c.encode(gradientCurvature, forKey: .gradientCurvature) }
        if !lambdaSpread { try c.encode(lambdaSpread, forKey: .lambdaSpread) }
        try c.encode(noiseSmoothing, forKey: .noiseSmoothing)
        try c.encode(hessianBatches, forKey: .hessianBatches)
        try c.encode(hessianStep, forKey: .hessianStep)
    }
}
