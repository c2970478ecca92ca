import GlidepathNN

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

/// The former name of ``OptimizerConfiguration`` (one optimizer setting per run), kept for code written
/// against it; new code uses ``OptimizerConfiguration``.
@available(*, deprecated, renamed: "OptimizerConfiguration")
public typealias OptimizerSettings = OptimizerConfiguration

/// The optimizer setting as runs recorded it before ``OptimizerRegistry`` existed: a `kind` (`adam`,
/// `adamw`, `sgd`) and every field of all three. Read only, to resume and show those runs; it maps to the
/// configuration with the same values (SGD's dampening was 0, Adam's AMSGrad off).
struct LegacyOptimizerSettings: Decodable {
    enum Kind: String, Decodable { case adam, adamw, sgd }

    var kind: Kind
    var learningRate: Double
    var weightDecay: Double
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    var momentum: Double
    var nesterov: Bool
    /// Absent in records written before the scope existed: those runs decayed every parameter.
    var weightDecayScope: WeightDecayScope?

    var configuration: OptimizerConfiguration {
        let scope = weightDecayScope ?? .all
        switch kind {
        case .adam, .adamw:
            let group = Adam.Hyperparameters(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                weightDecay: weightDecay, weightDecayMode: kind == .adam ? .coupled : .decoupled)
            return kind == .adam
                ? OptimizerConfiguration(AdamConfiguration(group: group, shared: .init()), weightDecayScope: scope)
                : OptimizerConfiguration(AdamWConfiguration(group: group, shared: .init()), weightDecayScope: scope)
        case .sgd:
            let group = SGD.Hyperparameters(
                learningRate: learningRate, momentum: momentum, weightDecay: weightDecay,
                nesterov: nesterov)
            return OptimizerConfiguration(SGDConfiguration(group: group, shared: .init()), weightDecayScope: scope)
        }
    }
}
