import Glidepath
import GlidepathNN

/// One landscape probe of a training run, as the run store keeps it: where it ran, everything it
/// measured (with its cost), and what a landscape scheduler decided from it.
public struct ProbeRecord: Sendable, Equatable, Codable {
    /// The update after which the probe ran (1-based, like ``StepRecord/step``).
    public var step: Int
    public var epoch: Int
    public var measurement: ProbeMeasurement
    /// The landscape scheduler's decision at the step that read this probe (nil for other schedulers).
    public var decision: LandscapeDecision?

    public init(step: Int, epoch: Int, measurement: ProbeMeasurement, decision: LandscapeDecision? = nil) {
        self.step = step
        self.epoch = epoch
        self.measurement = measurement
        self.decision = decision
    }

    /// The scheduler-facing summary.
    public func signal(batchSize: Int) -> LandscapeSignal {
        LandscapeSignal(
            gradientNorm: measurement.gradientNorm.value, lambdaMax: measurement.lambdaMax?.value.value,
            preconditionedLambdaMax: measurement.preconditionedLambdaMax?.value.value,
            trace: measurement.trace?.value, quadraticStep: measurement.quadraticStep,
            noiseScale: measurement.noiseScale?.value, batchSize: batchSize,
            stepSlope: measurement.updateStep?.slope, stepLossChange: measurement.updateStep?.lossChange)
    }
}
