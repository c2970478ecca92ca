/// The gradient noise scale B_simple = tr Σ/‖G‖² (McCandlish et al. 2018, "An Empirical Model of
/// Large-Batch Training", §2.2 and App. A) from gradients of two batch sizes at the same θ.
///
/// With k probe batches of size b, g_B the mean of the batch gradients (size B = k·b) and ‖g_b‖² the mean
/// of their squared norms, E‖g_b‖² = ‖G‖² + tr Σ/b gives the unbiased estimates
/// ```
/// |G|² ≈ (B‖g_B‖² − b‖g_b‖²)/(B − b),    S = tr Σ ≈ (‖g_b‖² − ‖g_B‖²)/(1/b − 1/B)
/// ```
/// Each is smoothed by its own EMA and B_simple is the ratio of the EMAs (an EMA of the ratio is biased).
public enum NoiseScale {
    /// The two unbiased estimates from `batchSquares` (‖g_i‖² of each batch), `meanSquare` (‖g_B‖²) and
    /// the batch size b.
    public static func estimates(batchSquares: [Double], meanSquare: Double, batchSize: Int)
        -> (gradientSquare: Double, noiseTrace: Double)
    {
        let k = Double(batchSquares.count), b = Double(batchSize), big = k * b
        let small = batchSquares.reduce(0, +) / k
        let gradientSquare = (big * meanSquare - b * small) / (big - b)
        let noiseTrace = (small - meanSquare) / (1 / b - 1 / big)
        return (gradientSquare, noiseTrace)
    }

    /// Folds one probe's estimates into the EMAs of `state` and returns the estimate (nil with fewer than two
    /// batches or non-finite estimates).
    public static func update(
        _ state: inout ProbeState.Scalars, batchSquares: [Double], meanSquare: Double, batchSize: Int,
        smoothing: Double
    ) -> NoiseScaleEstimate? {
        guard batchSquares.count >= 2 else { return nil }
        let (gradientSquare, noiseTrace) = estimates(
            batchSquares: batchSquares, meanSquare: meanSquare, batchSize: batchSize)
        guard gradientSquare.isFinite, noiseTrace.isFinite else { return nil }
        state.gradientSquareAverage = smoothing * state.gradientSquareAverage + (1 - smoothing) * gradientSquare
        state.noiseTraceAverage = smoothing * state.noiseTraceAverage + (1 - smoothing) * noiseTrace
        state.averageWeight = smoothing * state.averageWeight + (1 - smoothing)
        // Equal bias corrections cancel in the ratio.
        let value = state.noiseTraceAverage / state.gradientSquareAverage
        // Delta method on the raw ratio with the spread of the per-batch squared norms (which drives both).
        let k = Double(batchSquares.count)
        let error = ProbeEstimate.standardDeviation(batchSquares).map { spread -> Double in
            let b = Double(batchSize), big = k * b
            let meanError = spread / k.squareRoot()
            let dS = meanError / (1 / b - 1 / big)
            let dG = meanError * b / (big - b)
            let ratio = noiseTrace / gradientSquare
            return abs(ratio) * ((dS / max(abs(noiseTrace), 1e-300)) + (dG / max(abs(gradientSquare), 1e-300)))
        }
        return NoiseScaleEstimate(
            value: value, raw: noiseTrace / gradientSquare, gradientSquare: gradientSquare,
            noiseTrace: noiseTrace, standardError: error)
    }
}
