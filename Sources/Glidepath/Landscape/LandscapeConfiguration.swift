import Foundation

/// Which estimate drives ``LandscapeScheduler``.
public enum LandscapeRule: String, Sendable, Codable, CaseIterable {
    /// η ≤ safety × the optimizer's stability threshold (2/λ_max for SGD, (2+2β)/λ_max with heavy-ball
    /// momentum β, (2+2β₁)/((1−β₁)·λ_pre) for Adam).
    case stability
    /// safety × the quadratic-model step gᵀu/(uᵀHu).
    case quadratic
    /// η_base/(1 + B_simple/B).
    case noise
    /// The current rate × ρ, ρ = −b/(2a) the optimal fraction of the update actually taken (PAL, LQA).
    case step
    /// The minimum of the rules whose estimates are available.
    case auto
}

/// The optimizer whose stability threshold the `stability` rule uses.
public enum LandscapeOptimizer: String, Sendable, Codable, CaseIterable {
    /// SGD, with heavy-ball `momentum` β (0 for plain SGD).
    case sgd
    /// Adam (or AdamW) with `beta1`; uses the preconditioned λ_max.
    case adam
}

extension LandscapeScheduler {
    /// `{"name": "landscape", "scheduler": {base}, "rule": …, …}`: ``LandscapeScheduler``. Every key is
    /// optional; the defaults are the initial values below (the one place they are stated).
    public struct Configuration: WrapperSchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "landscape"

        /// The base schedule the multiplier applies to; absent: the base rate at every update (`fixed`
        /// stepped per update, so the multiplier can move at every probe).
        public var scheduler: SchedulerConfiguration?
        public var rule: LandscapeRule = .auto
        /// The optimizer whose threshold applies; nil means "the training loop's" (the lab fills it in;
        /// elsewhere nil reads as SGD with ``momentum``).
        public var optimizer: LandscapeOptimizer?
        /// Heavy-ball momentum β of SGD, in [0, 1).
        public var momentum: Double = 0
        /// Adam's β₁, in [0, 1).
        public var beta1: Double = 0.9
        /// c in c × threshold and c × quadratic step, in (0, 1] (Cohen et al. 2021: the sharpness hovers at
        /// the threshold, so it is a ceiling; 0.5 leaves a factor 2).
        public var safety: Double = 0.5
        /// Clamps of the multiplier on the base rate: minFactor ≤ η/η_base ≤ maxFactor.
        public var minFactor: Double = 0.01
        public var maxFactor: Double = 10
        /// The most the rate may change in one step, as a factor > 1 (×maxChange or ÷maxChange).
        public var maxChange: Double = 2
        /// α of the log-space EMA: log m ← (1−α)·log m + α·log m_proposed, in (0, 1].
        public var smoothing: Double = 0.3
        /// Landscape signals during which the base rate is followed (estimates still fill the EMAs).
        public var trustWarmup: Int = 2
        /// A loss above spikeFactor × its EMA (or a non-finite loss) halves the rate and counts a divergence event.
        public var spikeFactor: Double = 2
        /// β of the loss EMA the spike test compares with, in [0, 1).
        public var lossSmoothing: Double = 0.9
        /// B of the `noise` rule; nil uses the signal's `batchSize`.
        public var noiseBatchSize: Int?

        public init() {}

        /// The base when none is configured.
        static var defaultBase: SchedulerConfiguration {
            SchedulerConfiguration(FixedSchedule.Configuration(), cadence: .perUpdate)
        }

        public var defaultCadence: StepCadence? { (scheduler ?? Self.defaultBase).effectiveCadence }

        /// The base drives the whole run, so it is resolved with the run's shape.
        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            guard let scheduler else { return self }
            return replacingChildren([try scheduler.resolved(within: shape)])
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let base = try (scheduler ?? Self.defaultBase).makeScheduler(in: context.child("scheduler"))
            return AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try LandscapeScheduler(base: base, configuration: self, cadence: context.cadence)
                })
        }

        /// Checks every range, naming the JSON key.
        public func validate() throws(SchedulerError) {
            func require(_ ok: Bool, _ name: String, _ value: Any, _ reason: String) throws(SchedulerError) {
                if !ok { throw .invalidArgument(name: name, value: "\(value)", reason: reason) }
            }
            try require(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)")
            try require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "must be in [0, 1)")
            try require(safety > 0 && safety <= 1, "safety", safety, "must be in (0, 1]")
            try require(
                minFactor > 0 && minFactor.isFinite && minFactor <= 1, "minFactor", minFactor, "must be in (0, 1]")
            try require(maxFactor >= 1 && maxFactor.isFinite, "maxFactor", maxFactor, "must be finite and >= 1")
            try require(maxChange > 1 && maxChange.isFinite, "maxChange", maxChange, "must be finite and > 1")
            try require(smoothing > 0 && smoothing <= 1, "smoothing", smoothing, "must be in (0, 1]")
            try require(trustWarmup >= 0, "trustWarmup", trustWarmup, "must be >= 0")
            try require(spikeFactor > 1 && spikeFactor.isFinite, "spikeFactor", spikeFactor, "must be finite and > 1")
            try require(lossSmoothing >= 0 && lossSmoothing < 1, "lossSmoothing", lossSmoothing, "must be in [0, 1)")
            if let noiseBatchSize { try require(noiseBatchSize >= 1, "noiseBatchSize", noiseBatchSize, "must be >= 1") }
        }

        /// The stability threshold for curvature `lambda` (λ_max, or λ_pre for Adam), `nil` unless λ > 0.
        public func threshold(lambda: Double) -> Double? {
            guard lambda > 0, lambda.isFinite else { return nil }
            switch optimizer ?? .sgd {
            case .sgd: return (2 + 2 * momentum) / lambda
            case .adam: return (2 + 2 * beta1) / ((1 - beta1) * lambda)
            }
        }
    }
}
