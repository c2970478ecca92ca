import Glidepath
import GlidepathMLRSNet
import GlidepathTensor

/// A minibatch for a classification model: inputs `[N, …]` and N class labels.
public struct LabelledBatch: @unchecked Sendable {
    public var inputs: Tensor
    public var labels: [Int32]

    public init(inputs: Tensor, labels: [Int32]) {
        precondition(
            inputs.rank >= 1 && inputs.shape[0] == labels.count,
            "LabelledBatch: inputs \(inputs.shape) for \(labels.count) labels")
        self.inputs = inputs
        self.labels = labels
    }
}

/// Settings of MLR-SNet meta-training (`docs/mlrsnet.md`, "Meta-training our own net"). Validated by
/// ``MLRSNetMetaTrainer/init(model:net:scale:settings:)``.
public struct MLRSNetMetaTrainingSettings: Codable, Equatable, Sendable {
    /// How the LSTM state advances on an iteration with a meta-update.
    public enum StateAdvance: String, Codable, Sendable, CaseIterable {
        /// The cell consumes each training loss once: the virtual step and the real step both start
        /// from h_{t−1}, as in every iteration without a meta-update and as at meta-test time.
        case once
        /// The reference's behaviour: the virtual step's evaluation advances the state, and the real
        /// step then advances it again on the same loss (`docs/mlrsnet.md`, "Quirks of the original code", item 7).
        case twiceOnMetaUpdates
    }

    /// K ≥ 1: a meta-update on each iteration whose position p in the epoch has (p + 1) a multiple of K
    /// (the reference's `t_val`, 300 for images).
    public var metaInterval: Int
    /// The meta-net's Adam learning rate (reference 1e-3), > 0.
    public var metaLearningRate: Double
    /// The meta-net's Adam weight decay, coupled L2 as `torch.optim.Adam` (reference 1e-4), ≥ 0.
    public var metaWeightDecay: Double
    /// The task model's SGD weight decay λ (reference 5e-4), ≥ 0; also enters the virtual step.
    public var modelWeightDecay: Double
    /// The gate convention of the meta-net being trained.
    public var convention: MLRSNetGateConvention
    public var stateAdvance: StateAdvance

    public init(
        metaInterval: Int = 300, metaLearningRate: Double = 1e-3, metaWeightDecay: Double = 1e-4,
        modelWeightDecay: Double = 5e-4, convention: MLRSNetGateConvention = .metaTest,
        stateAdvance: StateAdvance = .once
    ) {
        self.metaInterval = metaInterval
        self.metaLearningRate = metaLearningRate
        self.metaWeightDecay = metaWeightDecay
        self.modelWeightDecay = modelWeightDecay
        self.convention = convention
        self.stateAdvance = stateAdvance
    }
}

/// What one training iteration did.
public struct MetaTrainingStepRecord: Sendable, Equatable {
    /// L_t, the minibatch loss before the update (the meta-net's input).
    public var loss: Float
    /// η_t = γ·a_t, the rate of the SGD update.
    public var learningRate: Double
    /// The meta-loss L_meta(w′) when this iteration made a meta-update.
    public var metaLoss: Float?
}

/// Meta-trains an MLR-SNet while it drives SGD on a task model, as the reference's image
/// meta-training does (Shu et al., TPAMI 2022, arXiv:2007.14546, Algorithm 1; GitHub
/// xjtushujun/MLR-SNet @5d1eec4, `meta-train/*/main.py`; `docs/mlrsnet.md`, "The reference's meta-training").
///
/// Each iteration t on training batch B_t with model weights w:
/// 1. L_t and g = ∇L(w; B_t) by one forward and backward pass.
/// 2. Every ``MLRSNetMetaTrainingSettings/metaInterval`` iterations, a **meta-update**: with the
///    direction d = g + λ·w (λ the model's weight decay) and a_t = A(L_t; h_{t−1}, θ), the virtual
///    step is w′ = w − γ·a_t·d, the meta-loss is L_meta(w′) on the next batch of the meta set, and
///    ```
///    ∂L_meta/∂θ = −γ · ⟨∇L_meta(w′), d⟩ · ∂a_t/∂θ
///    ```
///    followed by one Adam step on θ. This one-step hypergradient is exact, not an approximation:
///    θ enters w′ only through the scalar a_t; w and g do not depend on θ (earlier rates were plain
///    numbers); and the state h_{t−1} is detached, so ∂a_t/∂θ is one backward pass through one cell
///    evaluation — no Hessian-vector product, no backpropagation through time.
/// 3. The **real step**: η_t = γ·A(L_t; h_{t−1}, θ) without gradients (with the updated θ), then SGD
///    with momentum 0 and weight decay λ: w ← w − η_t·(g + λ·w).
///
/// γ is fixed for the run (the meta-training rule γ = γ(L₀), computed by the caller). The model is
/// evaluated in whatever mode it is in for both losses (the reference uses training mode).
///
/// Differences from the reference: by default the cell advances once per iteration
/// (``MLRSNetMetaTrainingSettings/StateAdvance``); the meta-set is the caller's business (the lab
/// carves it disjoint from the training subset, fixing the reference's overlap).
public final class MLRSNetMetaTrainer {
    public let model: any Layer
    public let net: DifferentiableMLRSNet
    /// γ > 0, the output scale.
    public let scale: Double
    public let settings: MLRSNetMetaTrainingSettings
    public let modelOptimizer: SGD
    public let metaOptimizer: Adam
    /// The detached LSTM state h_{t−1}, c_{t−1} (zero at the start, never reset).
    public private(set) var state: MLRSNetCellState = .zero
    /// Iterations taken.
    public private(set) var iteration = 0
    let lossFunction: CrossEntropyLoss

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for a non-positive or non-finite
    ///   scale, a meta interval < 1, or invalid optimizer settings.
    public init(
        model: any Layer, net: DifferentiableMLRSNet, scale: Double,
        settings: MLRSNetMetaTrainingSettings
    ) throws(NNError) {
        try NNError.require(scale.isFinite && scale > 0, "scale", scale, "γ must be finite and > 0")
        try NNError.require(settings.metaInterval >= 1, "metaInterval", settings.metaInterval, "must be ≥ 1")
        try NNError.require(
            settings.convention == net.convention, "convention", settings.convention,
            "must be the net's convention (\(net.convention))")
        self.model = model
        self.net = net
        self.scale = scale
        self.settings = settings
        modelOptimizer = try SGD(
            parameters: model.parameters,
            .init(learningRate: 0, momentum: 0, weightDecay: settings.modelWeightDecay))
        metaOptimizer = try Adam(
            parameters: net.parameters,
            .init(learningRate: settings.metaLearningRate, weightDecay: settings.metaWeightDecay))
        lossFunction = try CrossEntropyLoss()
    }

    /// Whether the iteration at `position` within its epoch makes a meta-update: (position + 1) is a
    /// multiple of the meta interval.
    public func makesMetaUpdate(atPosition position: Int) -> Bool {
        (position + 1) % settings.metaInterval == 0
    }

    /// One iteration (steps 1–3 above) on `batch`, at `position` within the epoch; `metaBatch` is
    /// called only when the iteration makes a meta-update.
    ///
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` for bad labels, or when a loss is not
    ///   finite (the run diverged; nothing has been updated for this iteration then).
    public func step(
        on batch: LabelledBatch, position: Int,
        metaBatch: () -> LabelledBatch
    ) throws(NNError) -> MetaTrainingStepRecord {
        let loss = try computeModelGradient(on: batch)
        return try update(trainingLoss: loss, position: position, metaBatch: metaBatch)
    }

    /// Steps 2–3 above, after step 1: the model's gradients must hold g = ∇L(w; B_t) for the training
    /// loss `trainingLoss` = L_t (a training loop's forward and backward pass, or
    /// ``computeModelGradient(on:)``). They still hold g afterwards; the caller clears them.
    ///
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` when the meta-loss is not finite (nothing
    ///   has been updated for this iteration then).
    public func update(
        trainingLoss loss: Float, position: Int,
        metaBatch: () -> LabelledBatch
    ) throws(NNError) -> MetaTrainingStepRecord {
        var metaLoss: Float?
        var realStepState = state
        if makesMetaUpdate(atPosition: position) {
            let result = try metaUpdate(trainingLoss: loss, metaBatch: metaBatch())
            metaLoss = result.metaLoss
            if settings.stateAdvance == .twiceOnMetaUpdates { realStepState = result.state }
        }
        let (output, nextState) = withoutGradients { net(loss, state: realStepState) }
        state = nextState
        let learningRate = Double(output.scalar) * scale
        modelOptimizer.receive(learningRates: [learningRate], momenta: nil)
        modelOptimizer.step()
        iteration += 1
        return MetaTrainingStepRecord(loss: loss, learningRate: learningRate, metaLoss: metaLoss)
    }

    /// Clears the model's gradients, then computes L(w; batch) and g = ∇L into them. Returns L.
    public func computeModelGradient(on batch: LabelledBatch) throws(NNError) -> Float {
        model.clearGradients()
        let loss = try lossFunction(model(batch.inputs), batch.labels)
        let value = loss.scalar
        guard value.isFinite else {
            throw .invalidInput(name: "training loss", value: "\(value)", reason: "is not finite: the run diverged")
        }
        loss.backward()
        return value
    }

    /// The meta-update of step 2 and its Adam step. The model's gradients must hold g (from
    /// ``computeModelGradient(on:)``); they, the weights w and the LSTM state are unchanged afterwards.
    /// Returns the meta-loss and the state after the virtual step's cell evaluation.
    public func metaUpdate(trainingLoss: Float, metaBatch: LabelledBatch) throws(NNError)
        -> (metaLoss: Float, state: MLRSNetCellState)
    {
        metaOptimizer.clearGradients()
        let result = try accumulateMetaGradient(trainingLoss: trainingLoss, metaBatch: metaBatch)
        metaOptimizer.step()
        return result
    }

    /// Adds ∂L_meta/∂θ at the current θ into the meta-net's gradients (the hypergradient of step 2,
    /// without the Adam step). The model's gradients must hold g; model weights and gradients are
    /// restored afterwards.
    public func accumulateMetaGradient(trainingLoss: Float, metaBatch: LabelledBatch) throws(NNError)
        -> (metaLoss: Float, state: MLRSNetCellState)
    {
        let (output, nextState) = net(trainingLoss, state: state)
        let point = try virtualStep(output: output.scalar, metaBatch: metaBatch, withGradient: true)
        // ∂L_meta/∂a = −γ·⟨∇L_meta(w′), d⟩, then back through the cell.
        let seed = Float(-scale * point.directionalDerivative)
        output.backward(seed: Tensor.full(seed, shape: output.shape))
        return (point.metaLoss, nextState)
    }

    /// L_meta(w − γ·a(θ)·d) at the current θ, without changing anything: the function whose gradient
    /// ``accumulateMetaGradient(trainingLoss:metaBatch:)`` computes (for finite-difference checks).
    /// The model's gradients must hold g.
    public func metaLoss(trainingLoss: Float, metaBatch: LabelledBatch) throws(NNError) -> Float {
        let output = withoutGradients { net(trainingLoss, state: state).output.scalar }
        return try virtualStep(output: output, metaBatch: metaBatch, withGradient: false).metaLoss
    }

    /// Sets w′ = w − γ·a·d with d = g + λ·w, evaluates L_meta(w′) on `metaBatch` and, when asked, the
    /// directional derivative ⟨∇L_meta(w′), d⟩ (accumulated in Double); then restores w and g.
    func virtualStep(output: Float, metaBatch: LabelledBatch, withGradient: Bool) throws(NNError)
        -> (metaLoss: Float, directionalDerivative: Double)
    {
        let parameters = model.parameters
        let weightDecay = Float(settings.modelWeightDecay)
        let stepSize = Float(scale * Double(output))
        var savedWeights: [[Float]] = [], directions: [[Float]] = []
        for parameter in parameters {
            var weights: [Float] = [], direction: [Float] = []
            parameter.withUnsafeMutableDataAndGradient { theta, gradient in
                weights = Array(theta)
                direction = (0..<theta.count).map { gradient[$0] + weightDecay * theta[$0] }
                for i in 0..<theta.count { theta[i] = theta[i] - stepSize * direction[i] }
            }
            savedWeights.append(weights)
            directions.append(direction)
        }
        // g is needed again by the real step: keep it aside while the meta-loss's gradient is computed.
        let savedGradients = parameters.map { $0.grad?.scalars }
        defer {
            for (index, parameter) in parameters.enumerated() {
                parameter.clearGradient()
                parameter.withUnsafeMutableDataAndGradient { theta, gradient in
                    for i in 0..<theta.count { theta[i] = savedWeights[index][i] }
                    if let saved = savedGradients[index] { for i in 0..<theta.count { gradient[i] = saved[i] } }
                }
                if savedGradients[index] == nil { parameter.clearGradient() }
            }
        }
        for parameter in parameters { parameter.clearGradient() }
        let metaLoss: Tensor
        if withGradient {
            metaLoss = try lossFunction(model(metaBatch.inputs), metaBatch.labels)
        } else {
            metaLoss = try withoutGradients { () throws(NNError) -> Tensor in
                try lossFunction(model(metaBatch.inputs), metaBatch.labels)
            }
        }
        let value = metaLoss.scalar
        guard value.isFinite else {
            throw .invalidInput(
                name: "meta loss", value: "\(value)", reason: "is not finite: the virtual step diverged")
        }
        guard withGradient else { return (value, 0) }
        metaLoss.backward()
        var derivative = 0.0
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            gradient.withUnsafeBufferPointer { buffer in
                for i in buffer.indices { derivative += Double(buffer[i]) * Double(directions[index][i]) }
            }
        }
        return (value, derivative)
    }
}
