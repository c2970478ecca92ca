import Foundation

/// How a ``CyclicSchedule`` scales the amplitude of each cycle.
public enum CyclicMode: String, Sendable, Codable, CaseIterable {
    /// Constant amplitude, f = 1.
    case triangular
    /// Amplitude halves each cycle, f = 2^{−(cycle−1)}.
    case triangular2
    /// Amplitude decays per step, f = γ^t on the total step count (PyTorch `exp_range`).
    case expRange
}

/// Cyclical learning rate: a triangle between `baseLR` and `maxLR`, with momentum moving the opposite
/// way.
///
/// With L = up + down, r = up/L, cycle = ⌊1 + t/L⌋ and x = 1 + t/L − cycle ∈ [0, 1):
/// h = x/r if x ≤ r, else (x − 1)/(r − 1);
/// η(t) = baseLR + (maxLR − baseLR)·h·f and m(t) = maxMomentum − (maxMomentum − baseMomentum)·h·f,
/// with f set by ``CyclicMode``.
///
/// The group's own base rate is ignored: like PyTorch, the schedule overwrites it with `baseLR`.
///
/// - Parameters:
///   - baseLR, maxLR: finite and ≥ 0 (either order).
///   - stepSizeUp: ≥ 1 steps from `baseLR` to `maxLR`.
///   - stepSizeDown: ≥ 0 steps back (`nil` means `stepSizeUp`; 0 gives a sawtooth).
///   - mode: amplitude scaling.
///   - gamma: `γ ∈ (0, 1]`, used by ``CyclicMode/expRange``.
///   - cycleMomentum: whether momentum cycles between `maxMomentum` and `baseMomentum`.
///   - baseMomentum, maxMomentum: in [0, 1].
///
/// References: Smith, "Cyclical Learning Rates for Training Neural Networks", arXiv 1506.01186
/// (WACV 2017); PyTorch `CyclicLR` (`torch/optim/lr_scheduler.py`), whose `get_lr` is this same closed
/// form, so values are bit-identical. Differs from PyTorch: no custom `scale_fn`; γ outside (0, 1] is
/// rejected; momentum is reported in ``ClosedFormScheduler/momenta`` for the training loop to apply
/// (to SGD momentum or Adam's β₁) instead of being written into the optimizer.
public struct CyclicSchedule: ClosedFormSchedule {
    /// Lower end of the triangle.
    public let baseLR: Double
    /// Upper end of the triangle (before amplitude scaling).
    public let maxLR: Double
    /// Steps from `baseLR` up to `maxLR`, ≥ 1.
    public let stepSizeUp: Int
    /// Steps back down, ≥ 0.
    public let stepSizeDown: Int
    /// Amplitude scaling per cycle or per step.
    public let mode: CyclicMode
    /// Per-step amplitude decay for ``CyclicMode/expRange``, in (0, 1].
    public let gamma: Double
    /// Whether momentum cycles inversely to the rate.
    public let cycleMomentum: Bool
    /// Momentum at the peak rate, in [0, 1].
    public let baseMomentum: Double
    /// Momentum at the base rate, in [0, 1].
    public let maxMomentum: Double

    public static var defaultCadence: StepCadence { .perUpdate }

    public init(
        baseLR: Double, maxLR: Double, stepSizeUp: Int = Configuration().stepSizeUp, stepSizeDown: Int? = nil,
        mode: CyclicMode = Configuration().mode, gamma: Double = Configuration().gamma,
        cycleMomentum: Bool = Configuration().cycleMomentum,
        baseMomentum: Double = Configuration.defaultBaseMomentum,
        maxMomentum: Double = Configuration.defaultMaxMomentum
    ) throws(SchedulerError) {
        try SchedulerArgumentValidation.nonNegative(baseLR, "baseLR")
        try SchedulerArgumentValidation.nonNegative(maxLR, "maxLR")
        try SchedulerArgumentValidation.atLeast(stepSizeUp, 1, "stepSizeUp")
        let down = stepSizeDown ?? stepSizeUp
        try SchedulerArgumentValidation.atLeast(down, 0, "stepSizeDown")
        try SchedulerArgumentValidation.finite(gamma, "gamma")
        try SchedulerArgumentValidation.require(gamma > 0 && gamma <= 1, "gamma", "\(gamma)", "must be in (0, 1]")
        try SchedulerArgumentValidation.unitInterval(baseMomentum, "baseMomentum")
        try SchedulerArgumentValidation.unitInterval(maxMomentum, "maxMomentum")
        self.baseLR = baseLR
        self.maxLR = maxLR
        self.stepSizeUp = stepSizeUp
        self.stepSizeDown = down
        self.mode = mode
        self.gamma = gamma
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
    }

    /// The triangle height h ∈ [0, 1] and the amplitude scale f after `step` steps. The operations and
    /// their order are PyTorch's, so results are bit-identical.
    public func shape(at step: Int) -> (height: Double, scale: Double) {
        let totalSize = Double(stepSizeUp) + Double(stepSizeDown)
        let stepRatio = Double(stepSizeUp) / totalSize
        let cycle = (1 + Double(step) / totalSize).rounded(.down)
        let x = 1.0 + Double(step) / totalSize - cycle
        let height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)
        let scale: Double
        switch mode {
        case .triangular: scale = 1.0
        case .triangular2: scale = 1 / pow(2.0, cycle - 1)
        case .expRange: scale = pow(gamma, Double(step))
        }
        return (height, scale)
    }

    public func learningRate(at step: Int, baseRate: Double) -> Double {
        let (height, scale) = shape(at: step)
        return baseLR + (maxLR - baseLR) * height * scale
    }

    public func momentum(at step: Int) -> Double? {
        guard cycleMomentum else { return nil }
        let (height, scale) = shape(at: step)
        return maxMomentum - (maxMomentum - baseMomentum) * height * scale
    }

    private enum CodingKeys: String, CodingKey {
        case baseLR, maxLR, stepSizeUp, stepSizeDown, mode, gamma, cycleMomentum, baseMomentum, maxMomentum
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            baseLR: c.decode(Double.self, forKey: .baseLR), maxLR: c.decode(Double.self, forKey: .maxLR),
            stepSizeUp: c.decode(Int.self, forKey: .stepSizeUp),
            stepSizeDown: c.decode(Int.self, forKey: .stepSizeDown),
            mode: c.decode(CyclicMode.self, forKey: .mode), gamma: c.decode(Double.self, forKey: .gamma),
            cycleMomentum: c.decode(Bool.self, forKey: .cycleMomentum),
            baseMomentum: c.decode(Double.self, forKey: .baseMomentum),
            maxMomentum: c.decode(Double.self, forKey: .maxMomentum))
    }
}
