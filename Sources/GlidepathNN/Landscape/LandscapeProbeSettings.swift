/// What a landscape probe computes and how hard it tries; the defaults are the study's
/// (`docs/landscape.md`, "What a probe costs").
public struct LandscapeProbeSettings: Sendable, Equatable, Codable {
    /// Largest number of power iterations per λ_max estimate (each one HVP).
    public var powerIterationLimit: Int = 20
    /// Stop when |λ_k − λ_{k−1}| ≤ tolerance·(|λ_{k−1}| + 1e-6) (PyHessian's rule; 1e-2 suffices for scheduling).
    public var powerTolerance: Double = 1e-2
    /// Rademacher samples of Hutchinson's trace estimator (each one HVP; 0 turns the trace off; the
    /// standard error needs ≥ 2).
    public var traceSamples: Int = 2
    /// Whether to compute the quadratic-model step gᵀu/(uᵀHu) (one HVP).
    public var quadraticStep: Bool = true
    /// Whether to compute λ_max(P⁻¹H) when the optimizer supplies a preconditioner (Adam; power
    /// iteration with the same limit and tolerance).
    public var preconditionedLambda: Bool = true
    /// EMA factor of the noise scale's numerator and denominator, smoothed separately (McCandlish et al. 2018, App. A).
    public var noiseSmoothing: Double = 0.9
    /// How many of the probe batches the HVPs use (the first ones; at most the batch count). Gradients,
    /// the loss and the noise scale always use every batch. Each HVP costs 2 gradient evaluations per
    /// batch used, so fewer batches make a probe cheaper; λ_max's spread then comes from one extra
    /// evaluation of the final eigenvector's quotient on each remaining batch.
    public var hessianBatches: Int = 1
    /// The finite-difference step of every HVP.
    public var hessianStep: Double = HessianVectorProduct.Configuration.defaultStep

    public init() {}

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming the first setting out of range.
    public func validate() throws(NNError) {
        try NNError.require(
            powerIterationLimit >= 1 && powerIterationLimit <= 10_000, "powerIterationLimit",
            powerIterationLimit, "must be in 1...10000")
        try NNError.require(
            powerTolerance > 0 && powerTolerance < 1, "powerTolerance", powerTolerance, "must be in (0, 1)")
        try NNError.require(
            traceSamples >= 0 && traceSamples <= 10_000, "traceSamples", traceSamples, "must be in 0...10000")
        try NNError.require(
            noiseSmoothing >= 0 && noiseSmoothing < 1, "noiseSmoothing", noiseSmoothing, "must be in [0, 1)")
        try NNError.require(hessianBatches >= 1, "hessianBatches", hessianBatches, "must be >= 1")
        try NNError.require(
            hessianStep > 0 && hessianStep.isFinite, "hessianStep", hessianStep, "must be finite and > 0")
    }
}
