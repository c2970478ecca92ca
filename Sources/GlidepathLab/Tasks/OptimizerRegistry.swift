import GlidepathNN

/// The one table from an optimizer configuration's `"name"` to its type. The order is the order names are
/// listed to users.
public enum OptimizerRegistry {
    public static let types: [any OptimizerParameters.Type] = [
        AdamConfiguration.self, AdamWConfiguration.self, SGDConfiguration.self,
        ScheduleFreeAdamWConfiguration.self, ScheduleFreeSGDConfiguration.self, ProdigyConfiguration.self,
        DoGConfiguration.self, LayerWiseDoGConfiguration.self, DAdaptAdamConfiguration.self,
        DAdaptSGDConfiguration.self,
    ]

    /// The configuration type registered under `name`.
    public static func type(named name: String) -> (any OptimizerParameters.Type)? {
        types.first { $0.name.rawValue == name }
    }
}

public typealias AdamConfiguration = FamilyParameters<AdamFamily>
public typealias AdamWConfiguration = FamilyParameters<AdamWFamily>
public typealias SGDConfiguration = FamilyParameters<SGDFamily>
public typealias ScheduleFreeAdamWConfiguration = FamilyParameters<ScheduleFreeAdamWFamily>
public typealias ScheduleFreeSGDConfiguration = FamilyParameters<ScheduleFreeSGDFamily>
public typealias ProdigyConfiguration = FamilyParameters<ProdigyFamily>
public typealias DoGConfiguration = FamilyParameters<DoGFamily>
public typealias LayerWiseDoGConfiguration = FamilyParameters<LayerWiseDoGFamily>
public typealias DAdaptAdamConfiguration = FamilyParameters<DAdaptAdamFamily>
public typealias DAdaptSGDConfiguration = FamilyParameters<DAdaptSGDFamily>

/// Adam with PyTorch's *coupled* L2 weight decay (`torch.optim.Adam(weight_decay=λ)`), the study's
/// optimizer. The lab's defaults are the study's: η = 10⁻³, λ = 5·10⁻⁴ (PyTorch's λ is 0), β = (0.9, 0.999),
/// ε = 10⁻⁸.
public enum AdamFamily: OptimizerFamily {
    public typealias Base = Adam
    public static var name: OptimizerConfiguration.Name { "adam" }
    public static var defaults: (group: Adam.Hyperparameters, shared: NoSharedHyperparameters) {
        (Adam.Hyperparameters(learningRate: 1e-3, weightDecay: 5e-4, weightDecayMode: .coupled), .init())
    }
    public static var weightDecay: WritableKeyPath<Adam.Hyperparameters, Double> { \.weightDecay }
    public static var fixedFields: Set<String> { ["weightDecayMode"] }
    public static func fix(_ group: inout Adam.Hyperparameters, _ shared: inout NoSharedHyperparameters) {
        group.weightDecayMode = .coupled
    }
}

/// AdamW: decoupled weight decay θ ← θ − ηλθ (Loshchilov & Hutter, ICLR 2019; `torch.optim.AdamW`), with the
/// same defaults as ``AdamFamily`` so the two differ only in the coupling (PyTorch's AdamW λ is 10⁻²).
public enum AdamWFamily: OptimizerFamily {
    public typealias Base = Adam
    public static var name: OptimizerConfiguration.Name { "adamw" }
    public static var defaults: (group: Adam.Hyperparameters, shared: NoSharedHyperparameters) {
        (Adam.Hyperparameters(learningRate: 1e-3, weightDecay: 5e-4, weightDecayMode: .decoupled), .init())
    }
    public static var weightDecay: WritableKeyPath<Adam.Hyperparameters, Double> { \.weightDecay }
    public static var fixedFields: Set<String> { ["weightDecayMode"] }
    public static func fix(_ group: inout Adam.Hyperparameters, _ shared: inout NoSharedHyperparameters) {
        group.weightDecayMode = .decoupled
    }
}

/// SGD with momentum and coupled weight decay (`torch.optim.SGD`); the lab's defaults are the classic CNN
/// setting η = 10⁻², μ = 0.9, λ = 5·10⁻⁴ (PyTorch requires η and has μ = λ = 0).
public enum SGDFamily: OptimizerFamily {
    public typealias Base = SGD
    public static var name: OptimizerConfiguration.Name { "sgd" }
    public static var defaults: (group: SGD.Hyperparameters, shared: NoSharedHyperparameters) {
        (SGD.Hyperparameters(learningRate: 1e-2, momentum: 0.9, weightDecay: 5e-4), .init())
    }
    public static var weightDecay: WritableKeyPath<SGD.Hyperparameters, Double> { \.weightDecay }
}

/// Schedule-Free AdamW at the reference's defaults (``ScheduleFreeAdamW``).
public enum ScheduleFreeAdamWFamily: OptimizerFamily {
    public typealias Base = ScheduleFreeAdamW
    public static var name: OptimizerConfiguration.Name { "scheduleFreeAdamW" }
    public static var defaults: (group: ScheduleFreeAdamW.Hyperparameters, shared: NoSharedHyperparameters) {
        (.defaults, .init())
    }
    public static var weightDecay: WritableKeyPath<ScheduleFreeAdamW.Hyperparameters, Double> { \.weightDecay }
}

/// Schedule-Free SGD at the reference's defaults (``ScheduleFreeSGD``).
public enum ScheduleFreeSGDFamily: OptimizerFamily {
    public typealias Base = ScheduleFreeSGD
    public static var name: OptimizerConfiguration.Name { "scheduleFreeSGD" }
    public static var defaults: (group: ScheduleFreeSGD.Hyperparameters, shared: NoSharedHyperparameters) {
        (.defaults, .init())
    }
    public static var weightDecay: WritableKeyPath<ScheduleFreeSGD.Hyperparameters, Double> { \.weightDecay }
}

/// Prodigy at the reference's defaults (``Prodigy``).
public enum ProdigyFamily: OptimizerFamily {
    public typealias Base = Prodigy
    public static var name: OptimizerConfiguration.Name { "prodigy" }
    public static var defaults: (group: Prodigy.Hyperparameters, shared: Prodigy.Shared) { (.defaults, .defaults) }
    public static var weightDecay: WritableKeyPath<Prodigy.Hyperparameters, Double> { \.weightDecay }
}

/// DoG at the reference's defaults (``DoG``, variant ``DoG/Variant/dog``).
public enum DoGFamily: OptimizerFamily {
    public typealias Base = DoG
    public static var name: OptimizerConfiguration.Name { "dog" }
    public static var defaults: (group: DoG.Hyperparameters, shared: DoG.Shared) { (.defaults, .init(variant: .dog)) }
    public static var weightDecay: WritableKeyPath<DoG.Hyperparameters, Double> { \.weightDecay }
    public static var fixedFields: Set<String> { ["variant"] }
    public static func fix(_ group: inout DoG.Hyperparameters, _ shared: inout DoG.Shared) { shared.variant = .dog }
}

/// L-DoG at the reference's defaults (``DoG``, variant ``DoG/Variant/layerWise``).
public enum LayerWiseDoGFamily: OptimizerFamily {
    public typealias Base = DoG
    public static var name: OptimizerConfiguration.Name { "ldog" }
    public static var defaults: (group: DoG.Hyperparameters, shared: DoG.Shared) {
        (.defaults, .init(variant: .layerWise))
    }
    public static var weightDecay: WritableKeyPath<DoG.Hyperparameters, Double> { \.weightDecay }
    public static var fixedFields: Set<String> { ["variant"] }
    public static func fix(_ group: inout DoG.Hyperparameters, _ shared: inout DoG.Shared) {
        shared.variant = .layerWise
    }
}

/// D-Adaptation Adam at the reference's defaults (``DAdaptAdam``).
public enum DAdaptAdamFamily: OptimizerFamily {
    public typealias Base = DAdaptAdam
    public static var name: OptimizerConfiguration.Name { "dAdaptAdam" }
    public static var defaults: (group: DAdaptAdam.Hyperparameters, shared: DAdaptAdam.Shared) {
        (.defaults, .defaults)
    }
    public static var weightDecay: WritableKeyPath<DAdaptAdam.Hyperparameters, Double> { \.weightDecay }
}

/// D-Adaptation SGD at the reference's defaults (``DAdaptSGD``).
public enum DAdaptSGDFamily: OptimizerFamily {
    public typealias Base = DAdaptSGD
    public static var name: OptimizerConfiguration.Name { "dAdaptSGD" }
    public static var defaults: (group: DAdaptSGD.Hyperparameters, shared: DAdaptSGD.Shared) { (.defaults, .defaults) }
    public static var weightDecay: WritableKeyPath<DAdaptSGD.Hyperparameters, Double> { \.weightDecay }
}
