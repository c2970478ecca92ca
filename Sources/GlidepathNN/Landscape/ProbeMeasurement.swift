/// An estimate with its spread across the probe batches (the sample standard deviation of the
/// per-batch values; nil with one batch).
public struct ProbeEstimate: Sendable, Equatable, Codable {
    public var value: Double
    public var spread: Double?

    public init(value: Double, spread: Double?) {
        self.value = value
        self.spread = spread
    }

    /// `value` with the sample standard deviation of `perBatch` as spread.
    public init(value: Double, perBatch: [Double]) {
        self.value = value
        spread = ProbeEstimate.standardDeviation(perBatch)
    }

    static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
}

/// λ_max by power iteration, with how it ended.
public struct EigenvalueEstimate: Sendable, Equatable, Codable {
    /// The Rayleigh quotient vᵀAv of the final unit vector, with its spread across batches.
    public var value: ProbeEstimate
    public var iterations: Int
    /// ‖Av − λv‖/|λ| for the final v.
    public var residual: Double
    /// Whether the tolerance was met before the iteration limit.
    public var converged: Bool
    /// Wall time of this estimate alone.
    public var seconds: Double?
    /// When the largest-magnitude eigenvalue was negative: that value (the reported one is then the largest
    /// eigenvalue, found by a second power iteration on A − λ₋·I).
    public var negativeEigenvalue: Double?
    /// CPU time (user + system of the process) of this estimate alone.
    public var cpuSeconds: Double? = nil
}

/// Hutchinson's trace estimate.
public struct TraceEstimate: Sendable, Equatable, Codable {
    /// (1/m)·Σ zᵢᵀHzᵢ.
    public var value: Double
    /// The standard error s/√m over the m samples (nil for m < 2).
    public var standardError: Double?
    /// The per-layer block estimates z_lᵀ(Hz)_l averaged over the samples (unbiased for tr H_ll).
    public var layers: [String: Double]
    public var samples: Int
    /// Wall time of this estimate alone.
    public var seconds: Double?
}

/// The gradient noise scale B_simple = tr Σ/‖G‖² from the two-batch-size estimator.
public struct NoiseScaleEstimate: Sendable, Equatable, Codable {
    /// From the EMAs of the numerator and denominator (smoothed separately).
    public var value: Double
    /// This probe's own ratio (unsmoothed).
    public var raw: Double
    /// This probe's unbiased ‖G‖² and tr Σ estimates.
    public var gradientSquare: Double
    public var noiseTrace: Double
    /// Its approximate standard error from the per-batch spread of ‖g_b‖² (delta method).
    public var standardError: Double?
}

/// The cost of one probe: gradient evaluations (forward + backward passes on one probe batch), HVPs,
/// wall time and CPU time; inside training also what it was compared with (filled by the lab).
public struct ProbeCost: Sendable, Equatable, Codable {
    public var gradientEvaluations: Int
    public var hessianVectorProducts: Int
    public var seconds: Double
    /// CPU time (user + system of the process) of the probe.
    public var cpuSeconds: Double? = nil
    /// The mean CPU time of one training update before this probe, measured by the training loop.
    public var updateCPUSeconds: Double? = nil
    /// The cost c of one probe gradient evaluation in training updates that `--probe-every auto` uses (the
    /// configured one, else the task's constant).
    public var costFactor: Double? = nil
    /// The same ratio as this probe measured it from CPU times (for information; the cadence never reads it).
    public var measuredCostFactor: Double? = nil
    /// The updates until the next probe, chosen after this one.
    public var nextInterval: Int? = nil
}

/// The quadratic model along the update actually taken, measured by the training loop (the landscape
/// scheduler's `step` rule; Mutschler & Zell 2020, PAL; Zhu et al. 2021, LQA): on the update's own batch,
/// with g its gradient at θ and Δ the update, b = gᵀΔ and L(θ + Δ) − L(θ) from one extra forward pass.
public struct UpdateStepMeasurement: Sendable, Equatable, Codable {
    /// The update after which it was measured (1-based).
    public var step: Int
    /// b = gᵀΔ.
    public var slope: Double
    /// L(θ + Δ) − L(θ) on the same batch.
    public var lossChange: Double

    public init(step: Int, slope: Double, lossChange: Double) {
        self.step = step
        self.slope = slope
        self.lossChange = lossChange
    }
}

/// Everything one probe measured.
public struct ProbeMeasurement: Sendable, Equatable, Codable {
    /// The mean loss over the probe set (spread across batches).
    public var loss: ProbeEstimate
    /// ‖g‖ of the probe-set gradient (spread: of the per-batch gradient norms).
    public var gradientNorm: ProbeEstimate
    /// ‖g_l‖ per parameter tensor.
    public var layerGradientNorms: [String: Double]
    /// cos(g, g_prev) with the previous probe's gradient (nil at the first probe).
    public var gradientCosine: Double?
    public var noiseScale: NoiseScaleEstimate?
    public var lambdaMax: EigenvalueEstimate?
    /// λ_max(P⁻¹H) for a preconditioned optimizer (Adam).
    public var preconditionedLambdaMax: EigenvalueEstimate?
    public var trace: TraceEstimate?
    /// gᵀHg/‖g‖² (spread across batches).
    public var gradientCurvature: ProbeEstimate?
    /// The quadratic-model step gᵀu/(uᵀHu) along the update direction u (u = g without one); nil when
    /// uᵀHu ≤ 0 (the model has no minimum).
    public var quadraticStep: Double?
    /// uᵀHu/‖u‖², whatever its sign.
    public var updateCurvature: Double?
    public var cost: ProbeCost
    /// The quadratic model along the update taken just before the probe (training runs whose scheduler reads it).
    public var updateStep: UpdateStepMeasurement? = nil
}
