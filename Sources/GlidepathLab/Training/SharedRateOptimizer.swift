import Glidepath
import GlidepathNN
import GlidepathTensor

/// Several parameter groups that follow one learning-rate schedule: the scheduler sees a single group
/// (one rate, one momentum), and each rate it gives is copied to every underlying group.
///
/// Why: a task may split its parameters into groups that differ only in weight decay (e.g. no decay on
/// embeddings and biases, see `docs/tasks.md`). In PyTorch this is two `param_groups` with the same
/// base `lr`; every Glidepath scheduler maps equal base rates to equal rates, so driving both groups
/// from one scheduler group gives the same rates while keeping the recorded rate series one entry wide,
/// exactly as for the single-group tasks.
final class SharedRateOptimizer: Optimizer {
    private(set) var base: any Optimizer

    /// Wraps `base`, whose groups must all start at the same learning rate.
    init(base: any Optimizer) {
        self.base = base
    }

    var groupParameters: [[Tensor]] { [base.allParameters] }

    var learningRates: [Double] { Array(base.learningRates.prefix(1)) }

    func receive(learningRates: [Double], momenta: [Double]?) {
        precondition(learningRates.count == 1, "SharedRateOptimizer: \(learningRates.count) rates for one group")
        precondition(momenta.map { $0.count == 1 } ?? true, "SharedRateOptimizer: one momentum per group")
        let groups = base.groupParameters.count
        base.receive(
            learningRates: Array(repeating: learningRates[0], count: groups),
            momenta: momenta.map { Array(repeating: $0[0], count: groups) })
    }

    func step() { base.step() }

    func stateArchive() -> TensorArchive { base.stateArchive() }

    func loadState(_ archive: TensorArchive) throws(StateFileError) { try base.loadState(archive) }

    var mode: OptimizerMode { base.mode }

    func setMode(_ mode: OptimizerMode) { base.setMode(mode) }

    func withEvaluationParameters<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        try base.withEvaluationParameters(body)
    }
}
