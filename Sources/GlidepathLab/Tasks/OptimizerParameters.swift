import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor

/// The typed configuration of one optimizer, as the lab records it: the parameters of its JSON object
/// `{"name": NAME, …}` (``OptimizerConfiguration``).
///
/// Defaults live in the type (``init()``). Decoding a configuration object starts from them and
/// overwrites the fields the object gives; an unknown field is refused naming it
/// (``OptimizerConfiguration/init(_:named:path:)``). Adding an optimizer: one type conforming to this
/// protocol (usually a ``OptimizerFamily``) and one line in ``OptimizerRegistry/types``.
public protocol OptimizerParameters: Codable, Sendable, Equatable {
    /// The optimizer's `"name"` and its key in ``OptimizerRegistry``.
    static var name: OptimizerConfiguration.Name { get }
    /// Every parameter at its default: where decoding starts.
    init()
    /// The fields a configuration object may give (besides `name` and `weightDecayScope`), with what each holds.
    static var fields: [String: ConfigurationFieldKind] { get }
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

/// What a configuration field holds, for the messages of strict decoding.
public enum ConfigurationFieldKind: Sendable {
    case integer, number, flag, text

    /// The kind of a field whose default is `value` (an optional number is a number).
    init(of value: Any) {
        switch value {
        case is Int: self = .integer
        case is Double, is Double?: self = .number
        case is Bool: self = .flag
        default: self = .text
        }
    }

    /// Why `value` cannot be this kind, or nil when it can (numbers also as `"Infinity"`, `"-Infinity"`,
    /// `"NaN"`, which ``StateCoding`` reads as doubles; `null` is left to the decoder).
    func mismatch(_ value: StateValue) -> String? {
        switch (self, value) {
        case (_, .null), (.integer, .int), (.number, .int), (.number, .double), (.flag, .bool), (.text, .string): return nil
        case (.number, .string(let text)) where ["Infinity", "-Infinity", "NaN"].contains(text): return nil
        case (.integer, _): return "expected an integer"
        case (.number, _): return "expected a number"
        case (.flag, _): return "expected true or false"
        case (.text, _): return "expected a string"
        }
    }
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
    /// Fields the name fixes (Adam vs AdamW's decay mode, DoG vs L-DoG's variant); not configurable.
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

    /// The stored properties of the group and shared hyperparameter types (their synthesized coding keys)
    /// except the fixed ones.
    public static var fields: [String: ConfigurationFieldKind] {
        let defaults = Self()
        var result: [String: ConfigurationFieldKind] = [:]
        for child in Array(Mirror(reflecting: defaults.group).children) + Array(Mirror(reflecting: defaults.shared).children) {
            guard let label = child.label, !Family.fixedFields.contains(label) else { continue }
            result[label] = ConfigurationFieldKind(of: child.value)
        }
        return result
    }

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
        try Family.Base(groups: groups.map { parameters, decay in
            var hyperparameters = group
            hyperparameters[keyPath: Family.weightDecay] = decay
            return ParameterGroup(parameters: parameters, hyperparameters: hyperparameters)
        }, shared: shared)
    }

    /// One flat object: the group's fields and the shared ones, without the fixed ones.
    public func encode(to encoder: any Encoder) throws {
        var fields: [String: StateValue] = [:]
        for part in [try StateValue(encoding: group), try StateValue(encoding: shared)] {
            if case .object(let object) = part { fields.merge(object) { first, _ in first } }
        }
        for fixed in Family.fixedFields { fields.removeValue(forKey: fixed) }
        try StateValue.object(fields).encode(to: encoder)
    }

    /// Reads a flat object over the defaults: absent fields keep their defaults, fields of neither
    /// part are ignored here (``OptimizerConfiguration`` refuses them first).
    public init(from decoder: any Decoder) throws {
        guard case .object(let given) = try StateValue(from: decoder) else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: decoder.codingPath,
                                                              debugDescription: "expected an object"))
        }
        let defaults = Self()
        func overlay<T: Codable>(_ base: T) throws -> T {
            guard case .object(var fields) = try StateValue(encoding: base) else { return base }
            let own = Set(Mirror(reflecting: base).children.compactMap(\.label)).subtracting(Family.fixedFields)
            for (key, value) in given where own.contains(key) { fields[key] = value }
            let data = try StateCoding.encoder().encode(StateValue.object(fields))
            return try StateCoding.decoder().decode(T.self, from: data)
        }
        self.init(group: try overlay(defaults.group), shared: try overlay(defaults.shared))
    }
}
