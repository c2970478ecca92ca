import Glidepath
import GlidepathTensor

/// The hyperparameters of one parameter group.
public protocol GroupHyperparameters: Codable, Equatable, Sendable {
    /// The group's learning rate: what a scheduler sets. For the learning-rate-free optimizers it is the
    /// reference packages' `lr`, a multiplier of the adapted step size.
    var learningRate: Double { get set }
    /// Checks every field.
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming `path` + the field.
    func validate(path: String) throws(NNError)
}

/// Hyperparameters that one optimizer applies to all its groups (Prodigy's β's, `dCoef`, …: what the
/// reference packages read from the first group only).
public protocol SharedHyperparameters: Codable, Equatable, Sendable {
    /// Every field at its default.
    static var defaults: Self { get }
    /// Checks every field.
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` naming `path` + the field.
    func validate(path: String) throws(NNError)
}

/// The scalar state an optimizer keeps besides its per-parameter buffers (an estimate d, a step count,
/// running sums), saved with the buffers.
public protocol OptimizerStatistics: Codable, Equatable, Sendable {
    /// Checks that a decoded value fits an optimizer whose groups hold `parameterCounts[g]` parameters.
    /// - Throws: ``StateFileError/incompatible(field:expected:found:)``.
    func validate(parameterCounts: [Int]) throws(StateFileError)
}

/// No shared hyperparameters (SGD, Adam, RMSprop keep everything per group).
public struct NoSharedHyperparameters: SharedHyperparameters {
    public init() {}
    public static var defaults: NoSharedHyperparameters { NoSharedHyperparameters() }
    public func validate(path: String) throws(NNError) {}
}

/// No scalar state besides the per-parameter step counts.
public struct NoStatistics: OptimizerStatistics {
    public init() {}
    public func validate(parameterCounts: [Int]) throws(StateFileError) {}
}

/// Where the momentum a scheduler hands over goes (PyTorch's cyclic schedulers move SGD's `momentum` or
/// Adam's `betas[0]`).
public enum MomentumTarget<Hyperparameters, Shared>: Sendable {
    /// The optimizer has no hyperparameter a scheduler should move; momenta are ignored.
    case none
    /// Each group's own field.
    case group(WritableKeyPath<Hyperparameters, Double> & Sendable)
    /// A shared field, set from the first group's momentum (the group the reference packages read).
    case shared(WritableKeyPath<Shared, Double> & Sendable)
}

/// How the learning rates of different groups may relate.
public enum GroupRateRule: Sendable {
    /// Any rates.
    case independent
    /// Every group's rate is the same, or 0 (the group is frozen): the D-Adaptation family's estimate
    /// uses one rate for all groups and the reference packages raise otherwise.
    case equalOrZero
}

/// An optimizer built on ``OptimizerState``: the conformance supplies the update rule (`step()`) and its
/// initialiser; groups, rates, momentum, and saving and loading the state come from the extension.
public protocol GroupedOptimizer: Optimizer {
    associatedtype Hyperparameters: GroupHyperparameters
    associatedtype Shared: SharedHyperparameters = NoSharedHyperparameters
    associatedtype Statistics: OptimizerStatistics = NoStatistics

    /// Everything the optimizer holds besides the parameters' values.
    var state: OptimizerState<Hyperparameters, Shared, Statistics> { get }
    /// Where a scheduler's momentum goes.
    static var momentumTarget: MomentumTarget<Hyperparameters, Shared> { get }

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for invalid hyperparameters or parameters.
    init(groups: [ParameterGroup<Hyperparameters>], shared: Shared) throws(NNError)
}

extension GroupedOptimizer {
    /// One group per entry, with the shared hyperparameters' defaults.
    public init(groups: [ParameterGroup<Hyperparameters>]) throws(NNError) {
        try self.init(groups: groups, shared: .defaults)
    }

    /// One group holding `parameters`.
    public init(parameters: [Tensor], _ hyperparameters: Hyperparameters, shared: Shared = .defaults) throws(NNError) {
        try self.init(
            groups: [ParameterGroup(parameters: parameters, hyperparameters: hyperparameters)], shared: shared)
    }

    public var groups: [ParameterGroup<Hyperparameters>] { state.groups }

    /// The hyperparameters shared by all groups.
    public var shared: Shared { state.shared }

    /// The scalar state after the latest update.
    public var statistics: Statistics { state.statistics }

    public var groupParameters: [[Tensor]] { state.groups.map(\.parameters) }

    public var learningRates: [Double] { state.groups.map(\.hyperparameters.learningRate) }

    /// Sets each group's learning rate and, when given and the optimizer has one, the momentum
    /// hyperparameter (``momentumTarget``). `precondition`s one entry per group and the optimizer's
    /// ``GroupRateRule`` (the training loop builds the scheduler from the optimizer's groups).
    public func receive(learningRates: [Double], momenta: [Double]?) {
        state.receive(
            learningRates: learningRates, momenta: momenta, optimizer: "\(Self.self)",
            momentumTarget: Self.momentumTarget)
    }

    public func stateArchive() -> TensorArchive { state.archive() }

    public func loadState(_ archive: TensorArchive) throws(StateFileError) { try state.restore(archive) }
}

extension GroupedOptimizer where Hyperparameters: DefaultedHyperparameters {
    /// One group holding `parameters`, with the default hyperparameters.
    public init(parameters: [Tensor]) throws(NNError) {
        try self.init(parameters: parameters, Hyperparameters.defaults)
    }
}

/// Group hyperparameters that have defaults for every field (all but SGD's, whose rate is required).
public protocol DefaultedHyperparameters: GroupHyperparameters {
    /// Every field at its default (the memberwise initialiser's default arguments).
    static var defaults: Self { get }
}
