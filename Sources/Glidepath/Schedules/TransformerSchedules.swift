import Foundation

/// Inverse-square-root decay after a linear warm-up from 0 (Hugging Face `inverse_sqrt`):
/// η(t) = η₀·t/max(1, W) for t < W, else η₀/√((t + τ − W)/τ).
///
/// - Parameters:
///   - numWarmupSteps: `W ≥ 0`.
///   - timescale: `τ ≥ 1`; `nil` means W, or 10,000 when W = 0 (the Hugging Face default).
///
/// References: Vaswani et al., "Attention Is All You Need", arXiv 1706.03762 (the rsqrt decay);
/// Hugging Face transformers `optimization.py`, `get_inverse_sqrt_schedule` (a `LambdaLR`), whose
/// factor this evaluates with the same operations. PyTorch has no built-in equivalent.
public struct InverseSquareRootSchedule: ClosedFormSchedule {
    /// Linear warm-up length W ≥ 0.
    public let numWarmupSteps: Int
    /// The resolved timescale τ.
    public let timescale: Int

    public static var defaultCadence: StepCadence { .perUpdate }

    public init(numWarmupSteps: Int = Configuration().numWarmupSteps, timescale: Int? = nil) throws(SchedulerError) {
        try SchedulerArgumentValidation.atLeast(numWarmupSteps, 0, "numWarmupSteps")
        let resolved = timescale ?? (numWarmupSteps > 0 ? numWarmupSteps : 10_000)
        try SchedulerArgumentValidation.atLeast(resolved, 1, "timescale")
        self.numWarmupSteps = numWarmupSteps
        self.timescale = resolved
    }

    /// The multiplier λ(t) applied to η₀.
    public func factor(at step: Int) -> Double {
        if step < numWarmupSteps { return Double(step) / Double(max(1, numWarmupSteps)) }
        let shift = timescale - numWarmupSteps
        // t + τ − W in integers, as Hugging Face's Python does; past Int.max (τ near Int.max) in doubles,
        // the same value rounded once more, instead of an overflow trap.
        let (sum, overflow) = step.addingReportingOverflow(shift)
        let numerator = overflow ? Double(step) + Double(shift) : Double(sum)
        return 1.0 / (numerator / Double(timescale)).squareRoot()
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double { baseRate * factor(at: step) }

    private enum CodingKeys: String, CodingKey { case numWarmupSteps, timescale }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            numWarmupSteps: c.decode(Int.self, forKey: .numWarmupSteps),
            timescale: c.decode(Int.self, forKey: .timescale))
    }
}

/// The shape of a warm-up or decay phase of ``WarmupStableDecaySchedule``.
public enum WarmupStableDecayShape: String, Sendable, Codable, CaseIterable {
    /// Warm-up w(p) = p; decay d(p) = 1 − p.
    case linear
    /// Warm-up w(p) = ½(1 − cos πp); decay d(p) = ½(1 + cos 2πcp) with c = `numCycles`.
    case cosine
    /// Warm-up w(p) = 1 − √(1 − p); decay d(p) = 1 − √p (JSON `"1-sqrt"`).
    case oneMinusSqrt = "1-sqrt"
}

/// Warmup–stable–decay (trapezoidal) schedule with **Hugging Face semantics** (`warmup_stable_decay`),
/// chosen over timm's `WSDLRScheduler` because it is a pure function of the update count whose
/// warm-up starts from `minLRRatio·η₀` and which reaches its floor exactly at the end of the decay.
///
/// With ρ = `minLRRatio`, W, S, D the three phase lengths:
/// * t < W: η₀·max(0, ρ + (1 − ρ)·w(t/max(1, W)));
/// * W ≤ t < W + S: η₀;
/// * W + S ≤ t < W + S + D: η₀·max(0, ρ + (1 − ρ)·d((t − W − S)/max(1, D)));
/// * afterwards: η₀·ρ.
///
/// - Parameters:
///   - numWarmupSteps, numStableSteps, numDecaySteps: ≥ 0 each.
///   - warmupType, decayType: ``WarmupStableDecayShape``.
///   - minLRRatio: ρ ∈ [0, 1].
///   - numCycles: c > 0, used by the cosine decay (0.5 = half a cosine).
///
/// References: Hu et al., "MiniCPM", arXiv 2404.06395 (WSD); Hägele et al., arXiv 2405.18392;
/// Hugging Face transformers `optimization.py`, `get_wsd_schedule`. Differs from timm: timm's
/// `WSDLRScheduler` counts `t_initial = stable + decay`, offers `rsqrt`/`power` stable shapes and
/// `exp` decay, and reaches `lr_min` one step later; PyTorch has no built-in WSD (use `SequentialLR`).
public struct WarmupStableDecaySchedule: ClosedFormSchedule {
    /// Linear warm-up length W ≥ 0.
    public let numWarmupSteps: Int
    /// Length of the constant phase, ≥ 0.
    public let numStableSteps: Int
    /// Length of the decay phase, ≥ 0.
    public let numDecaySteps: Int
    /// Shape of the warm-up.
    public let warmupType: WarmupStableDecayShape
    /// Shape of the decay.
    public let decayType: WarmupStableDecayShape
    /// Floor ρ ∈ [0, 1] as a fraction of η₀.
    public let minLRRatio: Double
    /// Cosine cycles c > 0 of the cosine decay (0.5 = half a cosine).
    public let numCycles: Double

    public static var defaultCadence: StepCadence { .perUpdate }

    public init(
        numWarmupSteps: Int, numStableSteps: Int, numDecaySteps: Int,
        warmupType: WarmupStableDecayShape = Configuration().warmupType,
        decayType: WarmupStableDecayShape = Configuration().decayType,
        minLRRatio: Double = Configuration().minLRRatio, numCycles: Double = Configuration().numCycles
    ) throws(SchedulerError) {
        try SchedulerArgumentValidation.atLeast(numWarmupSteps, 0, "numWarmupSteps")
        try SchedulerArgumentValidation.atLeast(numStableSteps, 0, "numStableSteps")
        try SchedulerArgumentValidation.atLeast(numDecaySteps, 0, "numDecaySteps")
        try SchedulerArgumentValidation.unitInterval(minLRRatio, "minLRRatio")
        try SchedulerArgumentValidation.positive(numCycles, "numCycles")
        self.numWarmupSteps = numWarmupSteps
        self.numStableSteps = numStableSteps
        self.numDecaySteps = numDecaySteps
        self.warmupType = warmupType
        self.decayType = decayType
        self.minLRRatio = minLRRatio
        self.numCycles = numCycles
    }

    /// The multiplier λ(t) applied to η₀ (Hugging Face's `lr_lambda`).
    public func factor(at step: Int) -> Double {
        if step < numWarmupSteps {
            let progress = Double(step) / Double(max(1, numWarmupSteps))
            let shape: Double
            switch warmupType {
            case .linear: shape = progress
            case .cosine: shape = 0.5 * (1.0 - cos(Double.pi * progress))
            case .oneMinusSqrt: shape = 1.0 - (1.0 - progress).squareRoot()
            }
            return max(0.0, shape * (1.0 - minLRRatio) + minLRRatio)
        }
        if step - numWarmupSteps < numStableSteps { return 1.0 }
        if step - numWarmupSteps - numStableSteps < numDecaySteps {
            let progress = Double(step - numWarmupSteps - numStableSteps) / Double(max(1, numDecaySteps))
            let shape: Double
            switch decayType {
            case .linear: shape = 1.0 - progress
            case .cosine: shape = 0.5 * (1.0 + cos(Double.pi * numCycles * 2.0 * progress))
            case .oneMinusSqrt: shape = 1.0 - progress.squareRoot()
            }
            return max(0.0, shape * (1.0 - minLRRatio) + minLRRatio)
        }
        return minLRRatio
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double { baseRate * factor(at: step) }

    private enum CodingKeys: String, CodingKey {
        case numWarmupSteps, numStableSteps, numDecaySteps, warmupType, decayType, minLRRatio, numCycles
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            numWarmupSteps: c.decode(Int.self, forKey: .numWarmupSteps),
            numStableSteps: c.decode(Int.self, forKey: .numStableSteps),
            numDecaySteps: c.decode(Int.self, forKey: .numDecaySteps),
            warmupType: c.decode(WarmupStableDecayShape.self, forKey: .warmupType),
            decayType: c.decode(WarmupStableDecayShape.self, forKey: .decayType),
            minLRRatio: c.decode(Double.self, forKey: .minLRRatio),
            numCycles: c.decode(Double.self, forKey: .numCycles))
    }
}
