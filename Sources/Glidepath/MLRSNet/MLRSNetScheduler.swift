import GlidepathMLRSNet

/// MLR-SNet: a meta-learned LSTM that maps the current minibatch loss to the learning rate.
///
/// Each update t, after the forward pass and before the optimizer step, the training loop passes the
/// batch loss L_t (as the last element of ``Observation/losses``) to ``step(_:)``; the scheduler
/// advances the cell (``MLRSNetCell``) and sets every group's rate to
///
/// ```
/// η_t = γ · a_t,   a_t = MLRSNet(L_t; h_{t−1}, c_{t−1}) ∈ (0, 1)
/// ```
///
/// with γ from ``MLRSNetScaleRule``. Call order per update: forward → `step(Observation(losses:
/// [loss]))` → `apply(to: &optimizer)` → backward → optimizer step. The rate of update t thus uses the
/// loss *before* that update, as in the reference.
///
/// **Several nets (the meta-test protocol).** Given nets N₀, N₁, … and switch steps s₁ < s₂ < …, net
/// Nₖ drives the updates t ∈ [sₖ, sₖ₊₁). At the update t = sₖ the scale is recomputed from that
/// update's loss, γ = rule(L_t, C), and the new net consumes L_t. The LSTM state (h, c) is zeroed
/// once, before the first update, and then carried across every update and every switch, as
/// `meta_test.py` does when it swaps `mlr_snet 1.pth` → `100` → `200` at epochs N//3 and 2N//3.
/// With one net, γ = rule(L₀, C) for the whole run (the meta-training protocol).
///
/// **Base rates.** The reference overwrites the learning rate of every parameter group with γ·a_t
/// at every update (`group['lr'] = lr_model`); the optimizer's initial rate (0.1 in `meta_test.py`)
/// is never used for an update. Glidepath does the same: every group receives γ·a_t, and
/// `baseRates` only fixes the number of groups and the rates reported before the first step
/// (η(0) = baseRates). To give groups different rates, scale them in the receiver.
///
/// **Arithmetic.** The loss enters the cell as float32 (the reference feeds the float32 loss
/// tensor); a_t is float32; η_t = Double(a_t)·γ in double precision, exactly as the reference's
/// `float(lr_model.data) * gamma`.
///
/// Differs from the reference: γ is recomputed at a switch from the batch loss of that update, not
/// from a full pass over the training set in eval mode (a scheduler only sees the training loop's
/// signals); the default ``MLRSNetScaleRule/guarded`` fills the γ collapse near L = 1/C; γ never
/// goes negative (the meta-training script's γ(L₀) has no absolute value).
///
/// Reference: Shu, Zhu, Zhao, Meng, Xu, "MLR-SNet: Transferable LR Schedules for Heterogeneous
/// Tasks", IEEE TPAMI 2022, doi 10.1109/TPAMI.2022.3184315, arXiv:2007.14546; GitHub
/// xjtushujun/MLR-SNet @5d1eec4 (`meta-test/meta_test.py`, `meta-test/model/network.py`).
public struct MLRSNetScheduler: LearningRateScheduler {
    /// The complete mutable state: resuming from it continues bit-identically.
    public struct State: Codable, Equatable, Sendable {
        /// Format version (currently 1).
        public var version: Int
        /// Updates taken so far.
        public var stepCount: Int
        /// Index of the net that drove the latest update (0 before the first).
        public var stage: Int
        /// The current γ.
        public var scale: Double
        /// The rates reported now, one per group.
        public var learningRates: [Double]
        /// h as float32 bit patterns (exact in JSON).
        public var hidden: [UInt32]
        /// c as float32 bit patterns.
        public var cell: [UInt32]
        /// Identifies the configuration (nets, switch steps, C, L₀, convention, scale rule); a state is
        /// only restored into a scheduler built from the same configuration.
        public var configuration: String
    }

    public static let stateVersion = 1

    /// The nets, in the order they take over.
    public let cells: [MLRSNetCell]
    /// The update index at which each net after the first takes over (strictly increasing, ≥ 1).
    public let switchSteps: [Int]
    /// C, the number of classes in γ.
    public let classCount: Int
    /// L₀, the initial training loss in γ.
    public let initialLoss: Double
    public let scaleRule: MLRSNetScaleRule
    private let configurationFingerprint: String

    public private(set) var learningRates: [Double]
    public private(set) var stepCount = 0
    /// Index of the net that drove the latest update.
    public private(set) var stage = 0
    /// The current γ.
    public private(set) var scale: Double
    /// The LSTM state after the latest update.
    public private(set) var cellState = MLRSNetCellState.zero

    public var cadence: StepCadence { .perUpdate }

    /// The loss of each update, before that update: the rate of the update is computed from it.
    public var needs: SchedulerInputs { .currentLoss }

    /// Creates the scheduler.
    ///
    /// - Parameters:
    ///   - nets: one or more nets, in order (the published schedule is nets 1, 100, 200).
    ///   - switchSteps: `nets.count − 1` update indices, strictly increasing, ≥ 1: net k + 1 drives
    ///     updates from `switchSteps[k]` on. For the reference's epochs N//3 and 2N//3 with B
    ///     updates per epoch, pass `[(N/3)·B, (2N/3)·B]`.
    ///   - classCount: C ≥ 2.
    ///   - initialLoss: L₀ > 0, finite: the training loss before training (≈ ln C untrained).
    ///   - baseRates: one finite rate ≥ 0 per parameter group, reported before the first step.
    ///   - convention: the gate convention; ``MLRSNetGateConvention/metaTest`` for the published nets.
    ///   - scaleRule: how γ is computed (see ``MLRSNetScaleRule``).
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the bad argument.
    public init(
        nets: [MLRSNetWeights],
        switchSteps: [Int],
        classCount: Int,
        initialLoss: Double,
        baseRates: [Double],
        convention: MLRSNetGateConvention = Configuration().gateConvention,
        scaleRule: MLRSNetScaleRule = Configuration().scaleRule
    ) throws(SchedulerError) {
        guard !nets.isEmpty else {
            throw .invalidArgument(name: "nets", value: "[]", reason: "at least one net is required")
        }
        guard switchSteps.count == nets.count - 1 else {
            throw .invalidArgument(
                name: "switchSteps", value: "\(switchSteps)",
                reason: "\(nets.count) nets need \(nets.count - 1) switch steps")
        }
        for (index, step) in switchSteps.enumerated() {
            let previous = index == 0 ? 0 : switchSteps[index - 1]
            guard step > previous else {
                throw .invalidArgument(
                    name: "switchSteps[\(index)]", value: "\(step)",
                    reason: "switch steps must be strictly increasing and >= 1")
            }
        }
        guard classCount >= 2 else {
            throw .invalidArgument(name: "classCount", value: "\(classCount)", reason: "must be >= 2")
        }
        guard initialLoss.isFinite, initialLoss > 0 else {
            throw .invalidArgument(name: "initialLoss", value: "\(initialLoss)", reason: "must be finite and > 0")
        }
        guard !baseRates.isEmpty else {
            throw .invalidArgument(name: "baseRates", value: "[]", reason: "at least one parameter group is required")
        }
        for (index, rate) in baseRates.enumerated() where !(rate.isFinite && rate >= 0) {
            throw .invalidArgument(name: "baseRates[\(index)]", value: "\(rate)", reason: "must be finite and >= 0")
        }
        cells = nets.map { MLRSNetCell(weights: $0, convention: convention) }
        self.switchSteps = switchSteps
        self.classCount = classCount
        self.initialLoss = initialLoss
        self.scaleRule = scaleRule
        // + 0 turns −0.0 into +0.0, which is what a JSON round trip of the state gives back.
        learningRates = baseRates.map { $0 + 0 }
        scale = scaleRule.scale(loss: initialLoss, classCount: classCount)

        var fingerprint = nets.map { String($0.fingerprint, radix: 16) }
        fingerprint += [
            "switch=\(switchSteps)", "C=\(classCount)", "L0=\(initialLoss.bitPattern)",
            convention.rawValue, scaleRule.rawValue, "groups=\(baseRates.count)",
        ]
        configurationFingerprint = fingerprint.joined(separator: ";")
    }

    public mutating func step(_ observation: Observation) throws(SchedulerError) {
        guard let loss = observation.losses?.last else {
            throw .invalidObservation(
                step: stepCount, field: "losses",
                value: observation.losses == nil ? "nil" : "[]",
                reason: "MLR-SNet needs the current batch loss as the last element")
        }
        guard loss.isFinite, loss >= 0, Float(loss).isFinite else {
            throw .invalidObservation(
                step: stepCount, field: "losses", value: "\(loss)",
                reason: "the batch loss must be finite, >= 0 and within float32 range")
        }
        var nextStage = stage
        var nextScale = scale
        if nextStage < switchSteps.count, stepCount == switchSteps[nextStage] {
            nextStage += 1
            nextScale = scaleRule.scale(loss: loss, classCount: classCount)
        }
        let output = cells[nextStage](Float(loss), state: &cellState)
        stage = nextStage
        scale = nextScale
        learningRates = Array(repeating: Double(output) * nextScale, count: learningRates.count)
        stepCount += 1
    }

    public var state: State {
        State(
            version: Self.stateVersion, stepCount: stepCount, stage: stage, scale: scale,
            learningRates: learningRates, hidden: cellState.hidden.map(\.bitPattern),
            cell: cellState.cell.map(\.bitPattern), configuration: configurationFingerprint)
    }

    public mutating func restore(_ state: State) throws(SchedulerError) {
        guard state.version == Self.stateVersion else {
            throw .invalidState(
                field: "version", value: "\(state.version)",
                reason: "only version \(Self.stateVersion) is supported")
        }
        guard state.configuration == configurationFingerprint else {
            throw .invalidState(
                field: "configuration", value: state.configuration,
                reason: "saved by an MLR-SNet scheduler with other nets or settings")
        }
        guard state.stepCount >= 0 else {
            throw .invalidState(field: "stepCount", value: "\(state.stepCount)", reason: "must be >= 0")
        }
        // The net of the latest update is determined by the step count.
        let expectedStage = switchSteps.filter { $0 < state.stepCount }.count
        guard state.stage == expectedStage else {
            throw .invalidState(
                field: "stage", value: "\(state.stage)",
                reason: "after \(state.stepCount) steps the stage is \(expectedStage)")
        }
        guard state.scale.isFinite, state.scale >= 0 else {
            throw .invalidState(field: "scale", value: "\(state.scale)", reason: "must be finite and >= 0")
        }
        guard state.learningRates.count == learningRates.count,
            state.learningRates.allSatisfy({ $0.isFinite && $0 >= 0 })
        else {
            throw .invalidState(
                field: "learningRates", value: "\(state.learningRates)",
                reason: "need \(learningRates.count) finite rates >= 0")
        }
        let hidden = state.hidden.map(Float.init(bitPattern:))
        let cell = state.cell.map(Float.init(bitPattern:))
        guard hidden.count == MLRSNetWeights.hiddenSize, cell.count == MLRSNetWeights.hiddenSize,
            hidden.allSatisfy(\.isFinite), cell.allSatisfy(\.isFinite)
        else {
            throw .invalidState(
                field: "hidden/cell", value: "\(hidden.count)/\(cell.count) values",
                reason: "need \(MLRSNetWeights.hiddenSize) finite float32 values each")
        }
        stepCount = state.stepCount
        stage = state.stage
        scale = state.scale
        learningRates = state.learningRates
        cellState = MLRSNetCellState(hidden: hidden, cell: cell)
    }
}
