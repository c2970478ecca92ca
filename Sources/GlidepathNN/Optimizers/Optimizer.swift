import Foundation
import Glidepath
import GlidepathTensor

/// A set of parameters that share hyperparameters (PyTorch's `param_groups` entries).
public struct ParameterGroup<Hyperparameters: Sendable>: @unchecked Sendable {
    public var parameters: [Tensor]
    public var hyperparameters: Hyperparameters

    public init(parameters: [Tensor], hyperparameters: Hyperparameters) {
        self.parameters = parameters
        self.hyperparameters = hyperparameters
    }
}

/// Which point an optimizer's parameters hold.
///
/// Most optimizers have one point: gradients are taken where the model is evaluated. Schedule-Free
/// optimizers (Defazio et al. 2024) take gradients at an interpolation y and evaluate at the average x;
/// like the reference's `optimizer.train()` / `optimizer.eval()`, ``Optimizer/setMode(_:)`` moves the
/// parameters between the two.
public enum OptimizerMode: String, Codable, Sendable {
    /// The parameters hold the point where gradients are taken (Schedule-Free: y).
    case training
    /// The parameters hold the point to evaluate and save (Schedule-Free: x).
    case evaluation
}

/// An optimizer over parameter groups whose learning rates (and momentum or β₁) any Glidepath
/// scheduler sets through ``LearningRateReceiver``.
///
/// Update rules follow their reference implementations operation by operation (PyTorch's single-tensor
/// `torch.optim` code for SGD/Adam/RMSprop; the PyPI packages for the learning-rate-free optimizers, see
/// `docs/optimizers.md`), so Float32 results agree with the references' to rounding. A parameter without
/// a gradient is skipped, as in PyTorch, and its step count does not advance.
public protocol Optimizer: AnyObject, LearningRateReceiver {
    /// The parameters of each group, in group order.
    var groupParameters: [[Tensor]] { get }
    /// The current learning rate of each group.
    var learningRates: [Double] { get }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The complete optimizer state: hyperparameters, step counts and per-parameter buffers.
    func stateArchive() -> TensorArchive
    /// Restores a state from ``stateArchive()`` of an optimizer of the same kind over parameters of the
    /// same shapes. Validates everything first; on error the optimizer is unchanged.
    func loadState(_ archive: TensorArchive) throws(StateFileError)

    /// Which point the parameters hold now. Optimizers with a single point are always in
    /// ``OptimizerMode/training``.
    var mode: OptimizerMode { get }
    /// Moves the parameters to the point of `mode` (Schedule-Free: `train()` / `eval()`); a no-op when
    /// already there or when the optimizer has one point.
    func setMode(_ mode: OptimizerMode)
    /// Runs `body` with the parameters at the evaluation point and then puts the training point back
    /// *exactly* (bit for bit, unlike `eval()` followed by `train()`, which rounds), so evaluating or
    /// saving the model does not perturb training.
    func withEvaluationParameters<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure)
        -> Result
}

extension Optimizer {
    /// Every parameter of every group.
    public var allParameters: [Tensor] { groupParameters.flatMap { $0 } }

    /// Forgets every parameter's gradient (PyTorch's `zero_grad()`, which sets them to None).
    public func clearGradients() {
        for parameter in allParameters { parameter.clearGradient() }
    }

    /// Writes ``stateArchive()`` to `url`.
    public func saveState(to url: URL) throws(StateFileError) { try stateArchive().write(to: url) }

    /// Reads an archive from `url` and loads it (see ``loadState(_:)``).
    public func loadState(from url: URL) throws(StateFileError) { try loadState(TensorArchive.read(from: url)) }

    public var mode: OptimizerMode { .training }

    public func setMode(_ mode: OptimizerMode) {}

    public func withEvaluationParameters<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        try body()
    }
}

/// An optimizer that keeps an internal estimate of the step size (Prodigy's and D-Adaptation's d, DoG's
/// η), which the training loop records beside the learning rates.
public protocol StepSizeEstimating: Optimizer {
    /// What the estimate is called in the reference (`"d"`, `"eta"`).
    static var estimateName: String { get }
    /// The estimate after the latest update, one entry per group (equal entries when the estimate is
    /// shared by all groups); before the first update, its initial value.
    var stepSizeEstimates: [Double] { get }
}
