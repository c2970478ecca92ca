import GlidepathNN
import GlidepathTensor

/// The landscape scheduler's `step` signal (`docs/landscape.md`, "The `landscape` scheduler"): the quadratic
/// model along the update actually taken, on the update's own batch, with no HVP.
///
/// ```
/// b = gᵀΔ,   a = L(θ + Δ) − L(θ) − b,   ρ = −b/(2a)   (the optimal fraction of the step when a > 0, b < 0)
/// ```
/// g is the batch gradient at θ (what the backward pass left in the parameters), Δ the optimizer's update
/// (θ after the step minus θ before it, whatever the optimizer: momentum, Adam's preconditioning, weight
/// decay), L(θ) the batch loss of the forward pass that produced g and L(θ + Δ) one extra forward pass on the
/// same batch without gradients (Mutschler & Zell 2020, PAL; Zhu et al. 2021, LQA). Costs a copy of θ and g
/// and one forward pass; changes nothing in the run.
struct UpdateStepProbe {
    private let parameters: [Tensor]
    private let before: [[Float]]
    private let gradient: [Float]
    private let loss: Double

    /// Saves θ and g before `optimizer.step()`; `loss` is L(θ) of the batch.
    init(parameters: [Tensor], loss: Double) {
        self.parameters = parameters
        before = parameters.map(\.scalars)
        gradient = GradientAccess.flatGradient(of: parameters)
        self.loss = loss
    }

    /// After the step: b from the parameters' change and L(θ + Δ) from `lossAfter` (evaluated here without
    /// gradients); nil when either is not finite.
    func finish(step: Int, lossAfter: () throws(TrainingError) -> Double) throws(TrainingError)
        -> UpdateStepMeasurement?
    {
        var slope = 0.0, offset = 0
        for (index, parameter) in parameters.enumerated() {
            let now = parameter.scalars, old = before[index]
            for i in 0..<now.count { slope += Double(gradient[offset + i]) * (Double(now[i]) - Double(old[i])) }
            offset += now.count
        }
        let after = try withoutGradients { () throws(TrainingError) -> Double in try lossAfter() }
        guard slope.isFinite, after.isFinite, loss.isFinite else { return nil }
        return UpdateStepMeasurement(step: step, slope: slope, lossChange: after - loss)
    }
}
