import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor

/// The typed configuration of one optimizer, as the lab records it: the parameters of its JSON object
/// `{"name": NAME, …}` (``OptimizerConfiguration``).
///
/// Defaults live in the type (``init()``). A configuration object is decoded by ``StrictDecoding``, the
/// scheduler configurations' decoder: it starts from the defaults, overwrites the fields the object gives
/// and refuses an unknown field or a value of the wrong type naming it
/// (``OptimizerConfiguration/init(_:named:path:)``). Adding an optimizer: one type conforming to this
/// protocol (usually a ``OptimizerFamily``) and one line in ``OptimizerRegistry/types``.
public protocol OptimizerParameters: Codable, Sendable, Equatable {
    /// The optimizer's `"name"` and its key in ``OptimizerRegistry``.
    static var name: OptimizerConfiguration.Name { get }
    /// Every parameter at its default: where decoding starts.
    init()
    /// Fields the type encodes but the name fixes (Adam vs AdamW's decay mode, DoG vs L-DoG's variant): a
    /// configuration object may not give them.
    static var fixedFields: Set<String> { get }
    /// γ, every group's starting rate: the base rate schedulers scale (for the learning-rate-free
    /// optimizers the reference's `lr` multiplier).
    var learningRate: Double { get }
    /// λ of the groups weight decay applies to (the others get 0, see ``WeightDecayScope``).
    var weightDecay: Double { get }
    /// The value a cyclic scheduler's momentum replaces (SGD's μ, Adam's β₁, …); nil when none.
    var momentum: Double? { get }
    /// Range checks of every field.
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming `path` + the field.
    func validate(path: String) throws(NNError)
    /// The optimizer over `groups`, each with its own weight decay.
    func makeOptimizer(groups: [(parameters: [Tensor], weightDecay: Double)]) throws(NNError) -> any Optimizer
}

/// A ``GroupedOptimizer`` offered by the lab: its configuration is the optimizer's own hyperparameter
/// types (one group's, applied to every group with that group's weight decay, and the shared ones)
/// flattened into one JSON object, so every field, default and range check is stated once, in
/// `GlidepathNN`.
public protocol OptimizerFamily: Sendable {
    associatedtype Base: GroupedOptimizer
    static var name: OptimizerConfiguration.Name { get }
    /// The lab's defaults (the reference's unless the type's documentation says otherwise).
    static var defaults: (group: Base.Hyperparameters, shared: Base.Shared) { get }
    /// The weight-decay field of a group.
    static var weightDecay: WritableKeyPath<Base.Hyperparameters, Double> { get }
    /// Fields the name fixes (Adam vs AdamW's decay mode, DoG vs L-DoG's variant); recorded, not configurable.
    static var fixedFields: Set<String> { get }
    /// Sets the fixed fields.
    static func fix(_ group: inout Base.Hyperparameters, _ shared: inout Base.Shared)
}

extension OptimizerFamily {
    public static var fixedFields: Set<String> { [] }
    public static func fix(_ group: inout Base.Hyperparameters, _ shared: inout Base.Shared) {}
}

/// The configuration of an ``OptimizerFamily``'s optimizer.
public struct FamilyParameters<Family: OptimizerFamily>: OptimizerParameters {
    /// Every group's hyperparameters (the weight decay is each group's own).
    public var group: Family.Base.Hyperparameters
    public var shared: Family.Base.Shared

    public static var name: OptimizerConfiguration.Name { Family.name }

    public init() {
        (group, shared) = Family.defaults
        Family.fix(&group, &shared)
    }

    public init(group: Family.Base.Hyperparameters, shared: Family.Base.Shared) {
        self.group = group
        self.shared = shared
        Family.fix(&self.group, &self.shared)
    }

    public static var fixedFields: Set<String> { Family.fixedFields }

    public var learningRate: Double { group.learningRate }
    public var weightDecay: Double { group[keyPath: Family.weightDecay] }

    public var momentum: Double? {
        switch Family.Base.momentumTarget {
        case .none: return nil
        case .group(let field): return group[keyPath: field]
        case .shared(let field): return shared[keyPath: field]
        }
    }

    public func validate(path: String) throws(NNError) {
        try group.validate(path: path)
        try shared.validate(path: path)
    }

    public func makeOptimizer(groups: [(parameters: [Tensor], weightDecay: Double)]) throws(NNError) -> any Optimizer {
        try Family.Base(
            groups: groups.map { parameters, decay in
                var hyperparameters = group
                hyperparameters[keyPath: Family.weightDecay] = decay
                return ParameterGroup(parameters: parameters, hyperparameters: hyperparameters)
            }, shared: shared)
    }

    /// One flat object: the group's fields and the shared ones (the fixed ones included, as recorded facts).
    public func encode(to encoder: any Encoder) throws {
        var fields = try StrictDecoding.objectFields(of: group)
        fields.merge(try StrictDecoding.objectFields(of: shared)) { first, _ in first }
        try StateValue.object(fields).encode(to: encoder)
    }

    /// Both parts from the same flat object, each asking for its own fields (so ``StrictDecoding`` knows
    /// the accepted fields from the two synthesized conformances); the name's fixed fields are then set.
    public init(from decoder: any Decoder) throws {
        self.init(group: try Family.Base.Hyperparameters(from: decoder), shared: try Family.Base.Shared(from: decoder))
    }
}

extension OptimizerParameters {
    /// The fields a configuration object may give (besides `name` and `weightDecayScope`), sorted.
    public static var fieldNames: [String] {
        ((try? StrictDecoding.fieldNames(of: Self.self, defaults: Self())) ?? []).filter { !fixedFields.contains($0) }
    }
}
