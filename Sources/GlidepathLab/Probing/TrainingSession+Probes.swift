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

    /// Before `optimizer.step()`: θ and g saved when the probe due after this update needs the quadratic model
    /// along it (a landscape scheduler with the `step` or `auto` rule), else nil.
    func updateStepBefore(loss: Double) -> UpdateStepProbe? {
        guard let probes,
            probes.wantsUpdateStep(
                step: counters.completedSteps, lastOfEpoch: counters.stepsIntoEpoch >= updatesPerEpoch)
        else { return nil }
        return UpdateStepProbe(parameters: model.module.parameters, loss: loss)
    }

    /// After `optimizer.step()`: b = gᵀΔ and L(θ + Δ) on the same batch, kept for the probe that follows.
    func updateStepAfter(_ probe: UpdateStepProbe?, batch: TrainingBatch) throws(TrainingError) {
        guard let probe, let probes else { return }
        probes.note(
            try probe.finish(step: counters.completedSteps) { () throws(TrainingError) -> Double in
                Double(try lossTensor(batch).scalar)
            })
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

extension LandscapeProbeSettings {
    /// These settings with what a landscape scheduler's rule reads turned on (never off): the quadratic step
    /// for `quadratic` and `auto` (`stability` reads λ_max or, for Adam, λ_max(P⁻¹H), both in every probe;
    /// `noise` the noise scale, from the gradients; `step` the update-step measurement, no HVP).
    public func adding(readsOf rules: [LandscapeRule]) -> LandscapeProbeSettings {
        var settings = self
        if rules.contains(where: { $0 == .quadratic || $0 == .auto }) { settings.quadraticStep = true }
        if rules.contains(where: { $0 == .stability || $0 == .auto }) { settings.preconditionedLambda = true }
        return settings
    }
}

extension LandscapeScheduler.Configuration {
    /// The rules of every landscape scheduler in `configuration` (itself or nested).
    public static func rules(in configuration: SchedulerConfiguration) -> [LandscapeRule] {
        ((configuration.parameters as? Self).map { [$0.rule] } ?? [])
            + configuration.children.flatMap { rules(in: $0) }
    }

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
        let rule = (scheduler.base as? LandscapeScheduler)?.configuration.rule
        probes = try ProbeRunner(
            configuration: probing, model: model, optimizer: optimizer, data: data,
            seed: configuration.seed, batchSize: configuration.batchSize,
            updatesPerEpoch: updatesPerEpoch, readsUpdateStep: rule == .step || rule == .auto,
            defaultCostFactor: configuration.task.probeCostFactor)
    }
}
