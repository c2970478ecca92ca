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
    /// Whether the scheduler reads the quadratic model along the update taken (the `step` or `auto` rule).
    let readsUpdateStep: Bool
    /// The cost c of one probe gradient evaluation in training updates that `auto` uses when the
    /// configuration gives none: the task's ``TrainingTask/probeCostFactor`` (a constant, so the cadence —
    /// and a scheduler that reads the probes — is the same on every machine).
    let defaultCostFactor: Double
    /// The update-step measurement for the probe due after the current update.
    private var pendingUpdateStep: UpdateStepMeasurement?
    /// CPU time of the training updates seen by this process (for the cost factor and the records): the
    /// clock at the end of the last update (or the epoch's start, or the last probe), their total and count.
    private var updateMark: Double?
    private var updateCPUTotal = 0.0
    private var updateCount = 0
    private let cpuClock: () -> Double

    static let stateSection = "probes"
    static let vectorSection = "probes.vectors"

    init(
        configuration: ProbeConfiguration, model: any TaskModel, optimizer: any Optimizer, data: TaskData,
        seed: UInt64, batchSize: Int, updatesPerEpoch: Int, readsUpdateStep: Bool = false,
        defaultCostFactor: Double = 1, cpuClock: @escaping () -> Double = ProcessCPUTime.seconds
    ) throws(TrainingError) {
        self.configuration = configuration
        self.defaultCostFactor = defaultCostFactor
        self.readsUpdateStep = readsUpdateStep
        self.cpuClock = cpuClock
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
            batches: probeSet.batches.count, defaultCostFactor: defaultCostFactor)
    }

    /// K before any probe has been measured: the expected cost of a cold probe (5 products per power
    /// iteration, the configured estimates), in evaluations × the cost factor (the configured one, else
    /// `defaultCostFactor`).
    static func initialInterval(
        _ configuration: ProbeConfiguration, updatesPerEpoch: Int, batches: Int, defaultCostFactor: Double = 1
    ) -> Int {
        switch configuration.cadence {
        case .fixed: return configuration.every ?? 1
        case .epoch: return updatesPerEpoch
        case .auto:
            let s = configuration.settings
            let hessianBatches = min(s.hessianBatches, batches)
            let products =
                5 + s.traceSamples + (s.quadraticStep ? 2 : 0) + (s.gradientCurvature ? 1 : 0)
                + (s.preconditionedLambda ? 5 : 0)
            let evaluations =
                batches + 2 * hessianBatches * products + (s.lambdaSpread ? 2 * (batches - hessianBatches) : 0)
            return automaticInterval(
                evaluations: Double(evaluations) * (configuration.costFactor ?? defaultCostFactor),
                budget: configuration.budget,
                updatesPerEpoch: updatesPerEpoch)
        }
    }

    /// K = ⌈c·evaluations/budget⌉ (evaluations already multiplied by c), at most one epoch.
    static func automaticInterval(evaluations: Double, budget: Double, updatesPerEpoch: Int) -> Int {
        min(updatesPerEpoch, max(1, Int((evaluations / budget).rounded(.up))))
    }

    /// The cost factor measured by one probe (recorded for information, never used by the cadence): its CPU
    /// seconds per gradient evaluation over the mean CPU seconds of an update, rounded up to a multiple of
    /// 1/4 and kept in [1/4, 100]; 1 when either time is unknown.
    static func costFactor(probeCPUSeconds: Double?, evaluations: Int, updateCPUSeconds: Double?) -> Double {
        guard let probe = probeCPUSeconds, let update = updateCPUSeconds, probe > 0, update > 0, evaluations > 0
        else { return 1 }
        let ratio = probe / Double(evaluations) / update
        guard ratio.isFinite else { return 1 }
        return min(100, max(0.25, (ratio * 4).rounded(.up) / 4))
    }

    /// Called at the start of each epoch's updates (after the previous epoch's validation): the next
    /// update's CPU time is counted from here.
    func startUpdates() { updateMark = cpuClock() }

    /// The mean CPU seconds of one update seen so far by this process (nil before any).
    var meanUpdateCPUSeconds: Double? { updateCount > 0 ? updateCPUTotal / Double(updateCount) : nil }

    /// Whether a probe is due after update `step`.
    func isDue(step: Int, lastOfEpoch: Bool) -> Bool {
        switch configuration.cadence {
        case .epoch: return lastOfEpoch
        case .fixed, .auto: return step - lastProbeStep >= interval
        }
    }

    /// Whether the update `step` should measure the quadratic model along itself (for the probe due after it).
    func wantsUpdateStep(step: Int, lastOfEpoch: Bool) -> Bool {
        readsUpdateStep && isDue(step: step, lastOfEpoch: lastOfEpoch)
    }

    /// Keeps the update-step measurement for the probe that follows.
    func note(_ measurement: UpdateStepMeasurement?) { pendingUpdateStep = measurement }

    /// Runs a probe when one is due after update `step` and returns its record.
    func probeIfDue(step: Int, epoch: Int, lastOfEpoch: Bool) throws(TrainingError) -> ProbeRecord? {
        // The update just finished: its CPU time since the previous mark.
        let now = cpuClock()
        if let updateMark {
            updateCPUTotal += max(0, now - updateMark)
            updateCount += 1
        }
        updateMark = now
        defer { pendingUpdateStep = nil }
        guard isDue(step: step, lastOfEpoch: lastOfEpoch) else { return nil }
        let inputs = OptimizerProbeInputs.read(optimizer, parameters: objective.parameters)
        var measurement: ProbeMeasurement
        do {
            measurement = try LandscapeProbe.measure(
                objective, settings: configuration.settings, state: &probeState,
                preconditioner: inputs.preconditioner,
                updateDirection: inputs.direction, cpuNow: cpuClock)
        } catch {
            throw .invalidConfiguration("probe after update \(step): \(error)")
        }
        updateMark = cpuClock()
        lastProbeStep = step
        measurement.updateStep = pendingUpdateStep
        measurement.cost.updateCPUSeconds = meanUpdateCPUSeconds
        // The cadence reads a constant c (configured, else the task's), never this machine's timings, so a
        // rerun with the same seed probes at the same updates; the CPU ratio this probe saw is recorded beside it.
        let factor = configuration.costFactor ?? defaultCostFactor
        measurement.cost.costFactor = factor
        measurement.cost.measuredCostFactor = Self.costFactor(
            probeCPUSeconds: measurement.cost.cpuSeconds,
            evaluations: measurement.cost.gradientEvaluations, updateCPUSeconds: meanUpdateCPUSeconds)
        switch configuration.cadence {
        case .auto:
            interval = Self.automaticInterval(
                evaluations: Double(measurement.cost.gradientEvaluations) * factor,
                budget: configuration.budget, updatesPerEpoch: updatesPerEpoch)
            measurement.cost.nextInterval = interval
        case .fixed: measurement.cost.nextInterval = interval
        case .epoch: break
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
