import Foundation
import Glidepath
import GlidepathTensor

/// The group hyperparameters both Schedule-Free optimizers have.
public protocol ScheduleFreeHyperparameters: GroupHyperparameters {
    /// Updates over which the rate ramps linearly up to ``GroupHyperparameters/learningRate`` (`warmup_steps`).
    var warmupSteps: Int { get }
    /// Exponent r of the polynomial weighting (t+1)^r of the average (`r`).
    var averagingPower: Double { get }
    /// Exponent of the largest rate so far in the average's weights (`weight_lr_power`).
    var weightLearningRatePower: Double { get }
    /// The interpolation β between z and x at which gradients are taken (AdamW's β₁, SGD's momentum).
    var interpolation: Double { get }
}

/// The running values of the Schedule-Free average, per group, and the point the parameters hold.
public struct ScheduleFreeStatistics: OptimizerStatistics {
    public struct Group: Codable, Equatable, Sendable {
        /// Updates taken (`k`).
        public var step: Int = 0
        /// Σ of the average's weights so far (`weight_sum`).
        public var weightSum: Double = 0
        /// The largest scheduled rate so far (`lr_max`; −1 before the first update).
        public var largestRate: Double = -1
        /// The rate of the latest update after warmup (`scheduled_lr`).
        public var scheduledRate: Double = 0
    }

    public var groups: [Group]
    public var mode: OptimizerMode

    init(groupCount: Int) {
        groups = Array(repeating: Group(), count: groupCount)
        mode = .training
    }

    public func validate(parameterCounts: [Int]) throws(StateFileError) {
        guard groups.count == parameterCounts.count else {
            throw .incompatible(
                field: "statistics.groups", expected: "\(parameterCounts.count)", found: "\(groups.count)")
        }
        if let bad = groups.first(where: { $0.step < 0 || !($0.weightSum >= 0) }) {
            throw .incompatible(field: "statistics.groups", expected: "step ≥ 0 and weightSum ≥ 0", found: "\(bad)")
        }
    }
}

/// Schedule-Free SGD and AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
/// Scheduled", NeurIPS 2024, arXiv:2405.15682; reference `schedulefree` 1.4.1, `SGDScheduleFree` and
/// `AdamWScheduleFree`, Meta Platforms).
///
/// Three sequences per parameter: the base sequence z (a plain SGD/Adam step), the average x, and the
/// point y = (1 − β)·z + β·x where gradients are taken. The parameters hold y while training and x
/// while evaluating (``OptimizerMode``); only z is stored, x is never formed:
/// ```
/// c_{t+1} = w_t / Σ_{i≤t} w_i,   w_t = (t+1)^r · (max_{i≤t} γ_i)^p      (γ_t: rate after warmup)
/// y ← y + c_{t+1}·(z − y)  ;  y ← y + γ_t·(β(1 − c_{t+1}) − 1)·u  ;  z ← z − γ_t·u
/// eval():  y ← y + (1 − 1/β)·(z − y)  (gives x)      train():  x ← x + (1 − β)·(z − x)  (gives y)
/// ```
/// where u is the (preconditioned, decayed) step direction of the concrete optimizer.
public protocol ScheduleFreeOptimizer: GroupedOptimizer
where
    Hyperparameters: ScheduleFreeHyperparameters, Statistics == ScheduleFreeStatistics,
    Shared == NoSharedHyperparameters
{}

extension ScheduleFreeOptimizer {
    /// The buffer index of z in every Schedule-Free optimizer's slots.
    static var zSlot: Int { 0 }

    public var mode: OptimizerMode { state.statistics.mode }

    /// `train()` / `eval()` of the reference: moves every parameter that has a z between y and x.
    public func setMode(_ mode: OptimizerMode) {
        guard mode != state.statistics.mode else { return }
        for (g, group) in state.groups.enumerated() {
            let beta = group.hyperparameters.interpolation
            let weight = Float(mode == .evaluation ? 1 - 1 / beta : 1 - beta)
            for (p, parameter) in group.parameters.enumerated() {
                guard let z = state.slots[g][p].buffers[Self.zSlot] else { continue }
                let zBase = z.mutableBase()
                parameter.withUnsafeMutableBufferPointer { point in
                    for i in point.indices { point[i] = ReferenceArithmetic.lerp(point[i], zBase[i], weight) }
                }
                withExtendedLifetime(z) {}
            }
        }
        state.statistics.mode = mode
    }

    public func withEvaluationParameters<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        guard mode == .training else { return try body() }
        let saved = allParameters.map(\.scalars)
        setMode(.evaluation)
        defer {
            for (parameter, values) in zip(allParameters, saved) { Initialization.write(values, into: parameter) }
            state.statistics.mode = .training
        }
        return try body()
    }

    /// Advances group `g`'s average by one update: returns the rate γ_t after warmup and c_{t+1}.
    func advanceAverage(_ g: Int) -> (rate: Double, averageWeight: Double) {
        let h = state.groups[g].hyperparameters
        var running = state.statistics.groups[g]
        let k = running.step
        let warmup = k < h.warmupSteps ? Double(k + 1) / Double(h.warmupSteps) : 1
        let rate = h.learningRate * warmup
        running.scheduledRate = rate
        running.largestRate = ReferenceArithmetic.pythonMax(rate, running.largestRate)
        let weight =
            Foundation.pow(Double(k + 1), h.averagingPower)
            * Foundation.pow(running.largestRate, h.weightLearningRatePower)
        running.weightSum += weight
        // The reference catches the ZeroDivisionError of a zero weight sum and uses 0.
        let averageWeight = running.weightSum == 0 ? 0 : weight / running.weightSum
        running.step = k + 1
        state.statistics.groups[g] = running
        return (rate, averageWeight)
    }

    /// z, created as a copy of the parameter on its first update (the reference's `torch.clone(p)`).
    func zBuffer(_ g: Int, _ p: Int, _ parameter: Tensor) -> Tensor {
        state.buffer(g, p, Self.zSlot) { Tensor.copy(of: parameter) }
    }

    func requireTraining() {
        precondition(
            mode == .training,
            "\(Self.self).step(): the optimizer is in evaluation mode; call setMode(.training) "
                + "first (the reference's optimizer.train())")
    }

    /// The state archive; in training mode it also holds the training point y of every parameter that
    /// has a z (`group<g>.param<p>.y`), because x and z determine y only up to rounding: loading
    /// it after the model's state (which holds x) puts y back exactly.
    public func stateArchive() -> TensorArchive {
        var extra: [TensorArchive.Entry] = []
        if mode == .training {
            for (g, group) in state.groups.enumerated() {
                for (p, parameter) in group.parameters.enumerated() where state.slots[g][p].buffers[Self.zSlot] != nil {
                    extra.append(
                        .init(name: Self.trainingPointName(g, p), shape: parameter.shape, values: parameter.scalars))
                }
            }
        }
        return state.archive(extraEntries: extra)
    }

    /// Loads a state (see ``stateArchive()``). In training mode the archive's y is written into the
    /// parameters, so load the model's state first. Everything is checked before anything changes.
    public func loadState(_ archive: TensorArchive) throws(StateFileError) {
        var byName: [String: TensorArchive.Entry] = [:]
        for entry in archive.entries { byName[entry.name] = entry }
        let training: Bool
        do {
            let text = archive.metadata["statistics"] ?? "{}"
            training =
                try StateCoding.decoder().decode(ScheduleFreeStatistics.self, from: Data(text.utf8)).mode == .training
        } catch {
            // state.restore reports the undecodable statistics with its field name.
            training = false
        }
        var points: [(Tensor, [Float])] = []
        var names = Set<String>()
        for (g, group) in state.groups.enumerated() {
            for (p, parameter) in group.parameters.enumerated() {
                let name = Self.trainingPointName(g, p)
                let hasZ = byName[OptimizerState<Hyperparameters, Shared, Statistics>.entryName(g, p, "z")] != nil
                guard let entry = byName[name] else {
                    if training && hasZ { throw .missingTensor(name: name) }
                    continue
                }
                guard training && hasZ else { throw .unexpectedTensor(name: name) }
                guard entry.shape == parameter.shape else {
                    throw .shapeMismatch(name: name, expected: parameter.shape, found: entry.shape)
                }
                names.insert(name)
                points.append((parameter, entry.values))
            }
        }
        try state.restore(archive, extraEntryNames: names)
        for (parameter, values) in points { Initialization.write(values, into: parameter) }
    }

    static func trainingPointName(_ g: Int, _ p: Int) -> String { "group\(g).param\(p).y" }
}
