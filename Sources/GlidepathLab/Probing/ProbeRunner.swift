import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor

/// The training loop's probe hook: decides when a probe is due, runs it on the run's fixed probe set,
/// buffers the records until the next commit, and carries its state through checkpoints.
///
/// The session calls ``probeIfDue(step:epoch:lastOfEpoch:)`` once per update, after the optimizer's
/// step. Probing reads the model and the optimizer's state and restores the parameters bit for bit; it
/// draws random numbers only from its own stream, so training is unchanged by it.
final class ProbeRunner {
    /// What a checkpoint keeps of the runner (the vectors go into a tensor archive beside it).
    struct State: Codable, Equatable {
        static let currentVersion = 1
        var version = State.currentVersion
        var probe: ProbeState.Scalars
        /// The interval in updates for the next probe and the update of the last one.
        var interval: Int
        var lastProbeStep: Int
        /// The probe set's training indices, checked on resume.
        var probeSetIndices: [[Int]]
    }

    let configuration: ProbeConfiguration
    let model: any TaskModel
    let optimizer: any Optimizer
    let probeSet: ProbeSet
    let objective: ProbeObjective
    let batchSize: Int
    let updatesPerEpoch: Int
    private(set) var probeState: ProbeState
    private(set) var interval: Int
    private(set) var lastProbeStep = 0
    /// Probes measured since the last commit.
    private(set) var pending: [ProbeRecord] = []
    /// The latest probe of the current epoch (for the epoch record's λ_max and trace).
    private(set) var latest: ProbeRecord?

    static let stateSection = "probes"
    static let vectorSection = "probes.vectors"

    init(
        configuration: ProbeConfiguration, model: any TaskModel, optimizer: any Optimizer, data: TaskData,
        seed: UInt64, batchSize: Int, updatesPerEpoch: Int
    ) throws(TrainingError) {
        self.configuration = configuration
        self.model = model
        self.optimizer = optimizer
        self.batchSize = batchSize
        self.updatesPerEpoch = max(1, updatesPerEpoch)
        probeSet = ProbeSet(source: data.train, seed: seed, batches: configuration.batches, batchSize: batchSize)
        do { objective = try .task(model: model, batches: probeSet.batches) } catch {
            throw .invalidConfiguration("probe set: \(error)")
        }
        probeState = ProbeState(seed: seed)
        interval = Self.initialInterval(
            configuration, updatesPerEpoch: self.updatesPerEpoch,
            batches: probeSet.batches.count)
    }

    /// K before any probe has been measured: the expected cost with a warm start of ~5 power iterations.
    static func initialInterval(_ configuration: ProbeConfiguration, updatesPerEpoch: Int, batches: Int) -> Int {
        switch configuration.cadence {
        case .fixed: return configuration.every ?? 1
        case .epoch: return updatesPerEpoch
        case .auto:
            let s = configuration.settings
            let products = 5 + s.traceSamples + (s.quadraticStep ? 2 : 1) + (s.preconditionedLambda ? 5 : 0)
            return automaticInterval(
                evaluations: batches * (1 + 2 * products), budget: configuration.budget,
                updatesPerEpoch: updatesPerEpoch)
        }
    }

    /// K = ⌈evaluations/budget⌉, at most one epoch.
    static func automaticInterval(evaluations: Int, budget: Double, updatesPerEpoch: Int) -> Int {
        min(updatesPerEpoch, max(1, Int((Double(evaluations) / budget).rounded(.up))))
    }

    /// Runs a probe when one is due after update `step` and returns its record.
    func probeIfDue(step: Int, epoch: Int, lastOfEpoch: Bool) throws(TrainingError) -> ProbeRecord? {
        let due: Bool
        switch configuration.cadence {
        case .epoch: due = lastOfEpoch
        case .fixed, .auto: due = step - lastProbeStep >= interval
        }
        guard due else { return nil }
        let inputs = OptimizerProbeInputs.read(optimizer, parameters: objective.parameters)
        let measurement: ProbeMeasurement
        do {
            measurement = try LandscapeProbe.measure(
                objective, settings: configuration.settings, state: &probeState,
                preconditioner: inputs.preconditioner,
                updateDirection: inputs.direction)
        } catch {
            throw .invalidConfiguration("probe after update \(step): \(error)")
        }
        lastProbeStep = step
        if configuration.cadence == .auto {
            interval = Self.automaticInterval(
                evaluations: measurement.cost.gradientEvaluations,
                budget: configuration.budget, updatesPerEpoch: updatesPerEpoch)
        }
        let record = ProbeRecord(step: step, epoch: epoch, measurement: measurement)
        pending.append(record)
        latest = record
        return record
    }

    /// Attaches a scheduler decision to the newest pending record.
    func attach(_ decision: LandscapeDecision?) {
        guard let decision, !pending.isEmpty else { return }
        pending[pending.count - 1].decision = decision
        latest?.decision = decision
    }

    /// Writes the pending records (before the commit that covers their steps, so a rewind removes them
    /// together with the steps).
    func flush(to store: RunStore, run: RunIdentifier) throws(TrainingError) {
        guard !pending.isEmpty else { return }
        do { try store.recordProbes(pending, of: run) } catch { throw .store(error) }
        pending.removeAll()
    }

    /// Forgets the epoch's latest probe (after the epoch record took its values).
    func endEpoch() { latest = nil }

    // MARK: Checkpoints

    func checkpointSections() throws(TrainingError) -> [String: Data] {
        let state = State(
            probe: probeState.scalars, interval: interval, lastProbeStep: lastProbeStep,
            probeSetIndices: probeSet.indices)
        let archive = TensorArchive(
            kind: "probes",
            entries: probeState.vectorEntries.map {
                TensorArchive.Entry(name: $0.name, shape: [$0.values.count], values: $0.values)
            })
        do {
            return [Self.stateSection: try StateCoding.encoder().encode(state), Self.vectorSection: archive.encoded()]
        } catch {
            throw .invalidConfiguration("cannot encode the probe state: \(error)")
        }
    }

    /// Restores from a checkpoint's sections; a checkpoint written without probing leaves the runner fresh.
    func restore(from extras: [String: Data], path: String) throws(TrainingError) {
        guard let stateData = extras[Self.stateSection] else { return }
        func incompatible(_ reason: String) -> TrainingError {
            .incompatibleCheckpoint(path: path, reason: "probes: \(reason)")
        }
        let state: State
        let archive: TensorArchive
        do {
            state = try StateCoding.decoder().decode(State.self, from: stateData)
            archive = try TensorArchive.decode(extras[Self.vectorSection] ?? Data())
        } catch {
            throw incompatible("\(error)")
        }
        guard state.version == State.currentVersion, archive.kind == "probes" else {
            throw incompatible("version \(state.version), kind \(archive.kind)")
        }
        guard state.probeSetIndices == probeSet.indices else {
            throw incompatible("the probe set differs from the run's")
        }
        guard state.interval >= 1, state.lastProbeStep >= 0 else { throw incompatible("interval \(state.interval)") }
        do {
            probeState = try ProbeState(
                scalars: state.probe, vectors: archive.entries.map { ($0.name, $0.values) },
                parameterCount: objective.parameterCount)
        } catch {
            throw incompatible(error.description)
        }
        interval = state.interval
        lastProbeStep = state.lastProbeStep
    }
}
