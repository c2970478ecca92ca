import Foundation
import Glidepath
import GlidepathNN

extension TrainingSession {
    /// Runs the probe due after this update (if any) and keeps its signal for the next scheduler step.
    func probeAfterUpdate(epoch: Int) throws(TrainingError) {
        guard let probes else { return }
        if let record = try probes.probeIfDue(
            step: counters.completedSteps, epoch: epoch,
            lastOfEpoch: counters.stepsIntoEpoch >= updatesPerEpoch)
        {
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
    /// Whether `configuration` or a configuration nested in it is a landscape scheduler.
    public static func isUsed(in configuration: SchedulerConfiguration) -> Bool {
        configuration.parameters is Self || configuration.children.contains { isUsed(in: $0) }
    }

    /// `configuration` with every landscape scheduler's open optimizer fields filled from the run's
    /// optimizer (Adam/AdamW → `adam` with its β₁; SGD → `sgd` with its momentum): the `stability` rule's
    /// threshold depends on it (`docs/landscape.md`). Given fields are never changed.
    static func filling(_ configuration: SchedulerConfiguration, optimizer: OptimizerConfiguration)
        -> SchedulerConfiguration
    {
        var copy = configuration
        let children = configuration.children.map { filling($0, optimizer: optimizer) }
        if var landscape = configuration.parameters as? Self {
            landscape = landscape.replacingChildren(children)
            if landscape.optimizer == nil {
                // Adam-family runs use the Adam threshold with β₁ (the optimizer's momentum field); SGD its
                // heavy-ball μ. The learning-rate-free optimizers keep the configuration's own choice.
                switch optimizer.name.rawValue {
                case "adam", "adamw":
                    landscape.optimizer = .adam
                    landscape.beta1 = optimizer.parameters.momentum ?? landscape.beta1
                case "sgd":
                    landscape.optimizer = .sgd
                    landscape.momentum = optimizer.parameters.momentum ?? 0
                default:
                    break
                }
            }
            copy.parameters = landscape
        } else if !children.isEmpty {
            copy.parameters = configuration.parameters.replacingChildren(children)
        }
        return copy
    }
}

extension TrainingSession {
    /// Creates the probe runner of a run whose configuration asks for probing.
    func attachProbes() throws(TrainingError) {
        guard let probing = configuration.probing else { return }
        probes = try ProbeRunner(
            configuration: probing, model: model, optimizer: optimizer, data: data,
            seed: configuration.seed, batchSize: configuration.batchSize,
            updatesPerEpoch: updatesPerEpoch)
    }
}
