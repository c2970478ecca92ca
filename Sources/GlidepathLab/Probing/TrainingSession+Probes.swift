import Foundation
import Glidepath
import GlidepathNN

extension TrainingSession {
    /// Runs the probe due after this update (if any) and keeps its signal for the next scheduler step.
    func probeAfterUpdate(epoch: Int) throws(TrainingError) {
        guard let probes else { return }
        if let record = try probes.probeIfDue(step: counters.completedSteps, epoch: epoch,
                                              lastOfEpoch: counters.stepsIntoEpoch >= updatesPerEpoch) {
            pendingSignal = record.signal(batchSize: configuration.batchSize)
        }
    }

    /// The signal for the scheduler step being built (consumed).
    func takeSignal() -> LandscapeSignal? {
        defer { pendingSignal = nil }
        return pendingSignal
    }

    /// After a scheduler step that read a probe: records the landscape scheduler's decision with it.
    func recordDecision(consumed signal: LandscapeSignal?) {
        guard signal != nil, let landscape = scheduler.base as? LandscapeScheduler else { return }
        probes?.attach(landscape.lastDecision)
    }

    /// λ_max and tr H of the epoch's latest probe, for the epoch record.
    var epochCurvature: (topEigenvalue: Double?, trace: Double?) {
        let latest = probes?.latest?.measurement
        return (latest?.lambdaMax?.value.value, latest?.trace?.value)
    }
}

extension LandscapeScheduler.Configuration {
    /// The optimizer fields a landscape configuration leaves open, filled from the run's optimizer: the
    /// threshold of the `stability` rule depends on it (`docs/landscape.md`).
    static func filling(_ resolved: StateValue, optimizer: OptimizerSettings) -> StateValue {
        guard case .object(var fields) = resolved, fields["name"] == .string("landscape"), fields["optimizer"] == nil
        else { return resolved }
        switch optimizer.kind {
        case .adam, .adamW:
            fields["optimizer"] = .string(LandscapeOptimizer.adam.rawValue)
            if fields["beta1"] == nil { fields["beta1"] = .double(optimizer.beta1) }
        case .sgd:
            fields["optimizer"] = .string(LandscapeOptimizer.sgd.rawValue)
            if fields["momentum"] == nil { fields["momentum"] = .double(optimizer.momentum) }
        }
        return .object(fields)
    }
}

extension TrainingSession {
    /// Creates the probe runner of a run whose configuration asks for probing.
    func attachProbes() throws(TrainingError) {
        guard let probing = configuration.probing else { return }
        probes = try ProbeRunner(configuration: probing, model: model, optimizer: optimizer, data: data,
                                 seed: configuration.seed, batchSize: configuration.batchSize,
                                 updatesPerEpoch: updatesPerEpoch)
    }
}
