/// The optimizers a task can train with.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    /// Adam with PyTorch's *coupled* L2 weight decay: g ← g + λθ before the moment updates
    /// (`torch.optim.Adam(weight_decay=λ)`). The study's optimizer.
    case adam
    /// AdamW: decoupled weight decay θ ← θ − ηλθ applied beside the Adam step
    /// (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019; `torch.optim.AdamW`).
    case adamW = "adamw"
    /// SGD with (optionally Nesterov) momentum and coupled L2 weight decay (`torch.optim.SGD`).
    case sgd
}

/// How weight decay enters the update.
public enum WeightDecayCoupling: String, Sendable, Codable {
    /// Added to the gradient before the optimizer's own transformation (L2 regularisation).
    case coupledL2
    /// Applied to the parameters directly, scaled by the learning rate, outside the adaptive step.
    case decoupled
}

/// Which parameters weight decay applies to.
public enum WeightDecayScope: String, Sendable, Codable, CaseIterable {
    /// Every parameter, in one group: `torch.optim.Adam(model.parameters(), weight_decay=λ)`.
    case all
    /// Weights only: the embedding table and every bias go to a second group with λ = 0, driven by the
    /// same schedule — PyTorch's common "no weight decay on embeddings and biases" recipe. Exempt: a
    /// parameter named `embedding.weight` and every parameter whose last name component starts with
    /// `bias` (`0.bias`, `lstm.bias_hh_l0_reverse`, …).
    case weightsOnly = "weights-only"
}

/// A fully resolved optimizer configuration, recorded with every run.
///
/// The study fixes Adam, learning rate 10⁻³, weight decay 5·10⁻⁴ as PyTorch's coupled L2
/// (the study plan leaves the coupling open, `docs/tasks.md`; the lab decides *coupled*, which is what
/// `torch.optim.Adam(weight_decay=5e-4)` in the plan's PyTorch setting means). AdamW and SGD are selectable:
/// ``defaults(for:)`` gives AdamW the same numbers with decoupled decay (so the two differ only in the
/// coupling), and SGD the classic CNN setting of rate 10⁻², momentum 0.9, coupled decay 5·10⁻⁴.
public struct OptimizerSettings: Sendable, Equatable, Codable {
    public var kind: OptimizerKind
    /// Base learning rate η₀ (> 0); a scheduler scales or replaces it per group.
    public var learningRate: Double
    /// Weight decay λ (≥ 0), coupled or decoupled as ``weightDecayCoupling`` says.
    public var weightDecay: Double
    /// Adam/AdamW β₁ ∈ [0, 1); unused by SGD.
    public var beta1: Double
    /// Adam/AdamW β₂ ∈ [0, 1); unused by SGD.
    public var beta2: Double
    /// Adam/AdamW ε > 0 in the denominator √v̂ + ε; unused by SGD.
    public var epsilon: Double
    /// SGD momentum μ ∈ [0, 1); unused by Adam/AdamW.
    public var momentum: Double
    /// SGD Nesterov momentum (needs μ > 0); unused by Adam/AdamW.
    public var nesterov: Bool
    /// Which parameters λ applies to. A configuration recorded before this field existed decodes as
    /// ``WeightDecayScope/all``, which is what those runs did.
    public var weightDecayScope: WeightDecayScope

    /// The memberwise initializer; call ``validate()`` before use.
    public init(kind: OptimizerKind, learningRate: Double, weightDecay: Double, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-8, momentum: Double = 0, nesterov: Bool = false,
                weightDecayScope: WeightDecayScope = .all) {
        self.kind = kind
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecayScope = weightDecayScope
    }

    private enum CodingKeys: String, CodingKey {
        case kind, learningRate, weightDecay, beta1, beta2, epsilon, momentum, nesterov, weightDecayScope
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(OptimizerKind.self, forKey: .kind)
        learningRate = try container.decode(Double.self, forKey: .learningRate)
        weightDecay = try container.decode(Double.self, forKey: .weightDecay)
        beta1 = try container.decode(Double.self, forKey: .beta1)
        beta2 = try container.decode(Double.self, forKey: .beta2)
        epsilon = try container.decode(Double.self, forKey: .epsilon)
        momentum = try container.decode(Double.self, forKey: .momentum)
        nesterov = try container.decode(Bool.self, forKey: .nesterov)
        weightDecayScope = try container.decodeIfPresent(WeightDecayScope.self, forKey: .weightDecayScope) ?? .all
    }

    /// The lab's default settings for `kind` (see the type's documentation).
    public static func defaults(for kind: OptimizerKind) -> OptimizerSettings {
        switch kind {
        case .adam: return OptimizerSettings(kind: .adam, learningRate: 1e-3, weightDecay: 5e-4)
        case .adamW: return OptimizerSettings(kind: .adamW, learningRate: 1e-3, weightDecay: 5e-4)
        case .sgd: return OptimizerSettings(kind: .sgd, learningRate: 1e-2, weightDecay: 5e-4, momentum: 0.9)
        }
    }

    /// The study's optimizer: Adam, η = 10⁻³, coupled weight decay 5·10⁻⁴ on every parameter.
    public static let study = defaults(for: .adam)

    /// The text tasks' optimizer: ``study`` with the embedding and biases exempt from decay
    /// (`docs/tasks.md`, "Optimizer": measured to matter for the BiLSTM).
    public static let studyText: OptimizerSettings = {
        var settings = study
        settings.weightDecayScope = .weightsOnly
        return settings
    }()

    /// Whether weight decay is coupled (Adam, SGD) or decoupled (AdamW).
    public var weightDecayCoupling: WeightDecayCoupling { kind == .adamW ? .decoupled : .coupledL2 }

    /// Checks every field against its range.
    ///
    /// - Throws: ``TaskError/invalidOptimizerSetting(name:value:reason:)`` naming the first bad field.
    public func validate() throws(TaskError) {
        func check(_ ok: Bool, _ name: String, _ value: Double, _ reason: String) throws(TaskError) {
            if !ok { throw .invalidOptimizerSetting(name: name, value: "\(value)", reason: reason) }
        }
        try check(learningRate.isFinite && learningRate > 0, "learningRate", learningRate, "must be finite and > 0")
        try check(weightDecay.isFinite && weightDecay >= 0, "weightDecay", weightDecay, "must be finite and ≥ 0")
        try check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "must be in [0, 1)")
        try check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "must be in [0, 1)")
        try check(epsilon.isFinite && epsilon > 0, "epsilon", epsilon, "must be finite and > 0")
        try check(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)")
        if nesterov && !(kind == .sgd && momentum > 0) {
            throw .invalidOptimizerSetting(name: "nesterov", value: "true",
                                           reason: "needs the SGD optimizer with momentum > 0")
        }
    }
}
