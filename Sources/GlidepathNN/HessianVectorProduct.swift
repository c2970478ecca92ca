import Foundation
import GlidepathTensor

/// Hessian-vector products by central finite differences of gradients, for the landscape probes
/// (power iteration for λ_max, Hutchinson's trace, the quadratic-model step; `docs/landscape.md`).
///
/// ```
/// H·v ≈ ‖v‖ · (∇L(θ + r·v̂) − ∇L(θ − r·v̂)) / (2r),   v̂ = v/‖v‖
/// ```
/// **Step choice: an absolute length `r` of the perturbation, default `r = 1e-3`.** The error has two
/// parts, truncation `r²/6·‖∇³L[v̂, v̂, ·]‖` and rounding `≈ u·‖∇L‖/r` (u the relative error of a Float32
/// gradient), so it is U-shaped in `r`. The textbook balance `r = u^{1/3}·(1 + ‖θ‖)` (Nocedal & Wright,
/// *Numerical Optimization*, 2nd ed., §8.1) assumes third derivatives of order one; a network's are far
/// larger along its sharp directions, and the rule's `r ≈ 0.07` at ‖θ‖ ≈ 13 overstates λ_max by tens of
/// percent. The default comes from a measured sweep of `r` over six decades on the study's three model
/// families against exact Float64 double-backprop HVPs from PyTorch (`docs/landscape.md`, "Choosing the
/// step"; fixture generator `scripts/fixtures/pytorch_hvp.py`): `r = 1e-3` lies at the bottom of the U
/// for the MLP, CNN and BiLSTM along the gradient and along the top eigenvector, where the relative
/// error is below 1e-2 on all three (`HessianFixtureTests`).
///
/// On ReLU networks the finite difference averages the curvature over the radius `r` (it sees kinks)
/// where the exact R-operator does not; along the gradient and the top eigenvector the difference is
/// within the bound above, along random directions it is not (their curvature is tiny), so use the
/// quotients along g, the update direction or the top eigenvector.
///
/// Cost: two forward and backward passes. The parameters are restored bit for bit afterwards (copied
/// back from a saved buffer, never by subtracting the perturbation), and their gradients are restored
/// to what they were before the call.
public enum HessianVectorProduct {
    /// How the perturbation length is chosen.
    public enum StepRule: Sendable, Equatable, Codable {
        /// The perturbation r·v̂ has length `r` whatever θ and v (the default, `r = 1e-3`).
        case absolute(Double)
        /// The textbook rule: length `factor·(1 + ‖θ‖)` (kept for comparison sweeps).
        case relativeToParameters(Double)
    }

    public struct Configuration: Sendable, Equatable {
        public var step: StepRule

        /// The default perturbation length, measured on the study's models (see the type's documentation).
        public static let defaultStep = 1e-3

        public init(step: StepRule = .absolute(Configuration.defaultStep)) {
            self.step = step
        }
    }

    /// The scale ε applied to v (so that θ ± ε·v is evaluated) for parameters of norm `parameterNorm`
    /// and a direction of norm `directionNorm`: `r/‖v‖`, or `factor·(1 + ‖θ‖)/‖v‖` for the textbook rule.
    public static func step(parameterNorm: Double, directionNorm: Double, configuration: Configuration = .init())
        -> Double
    {
        switch configuration.step {
        case .absolute(let length): return length / directionNorm
        case .relativeToParameters(let factor): return factor * (1 + parameterNorm) / directionNorm
        }
    }

    /// `H·v` at the current `parameters`, where `loss` builds the scalar loss on a fixed batch (it must
    /// be deterministic: dropout off, the same batch both times).
    ///
    /// - Parameters:
    ///   - parameters: the tensors θ (leaves that require gradients), in the order of `direction`.
    ///   - direction: v, one value per scalar parameter (flat, in parameter order).
    ///   - loss: computes the loss; called twice.
    /// - Returns: H·v, flat in parameter order (Float values combined in Double).
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for a direction of the wrong length,
    ///   zero or non-finite, or a step that is not finite and > 0; ``NNError/invalidInput(name:value:reason:)``
    ///   if the loss is not a scalar.
    public static func compute(
        parameters: [Tensor], direction: [Float], configuration: Configuration = .init(),
        loss: () throws(NNError) -> Tensor
    ) throws(NNError) -> [Double] {
        try compute(
            parameters: parameters, direction: direction, configuration: configuration,
            batches: 1
        ) { (_: Int) throws(NNError) -> Tensor in try loss() }
    }

    /// `H·v` of the mean loss over `batches` probe batches of equal weight: for each batch the same two
    /// perturbed points are evaluated, so the cost is `2·batches` gradient evaluations.
    public static func compute(
        parameters: [Tensor], direction: [Float], configuration: Configuration = .init(), batches: Int,
        loss: (Int) throws(NNError) -> Tensor
    ) throws(NNError) -> [Double] {
        try product(
            parameters: parameters, direction: direction, configuration: configuration, batches: batches,
            loss: loss
        ).values
    }

    /// H·v of the mean loss, and each batch's own quotient vᵀH_b v/‖v‖² (for the spread of an estimate
    /// across probe batches).
    public struct Product: Sendable, Equatable {
        /// H·v, flat in parameter order, H the Hessian of the mean loss over the batches.
        public var values: [Double]
        /// vᵀH_b v/‖v‖² for each batch b.
        public var batchQuotients: [Double]
    }

    /// Like ``compute(parameters:direction:configuration:batches:loss:)``, also returning each batch's
    /// Rayleigh quotient along `direction` (from the same two evaluations per batch).
    public static func product(
        parameters: [Tensor], direction: [Float], configuration: Configuration = .init(), batches: Int,
        loss: (Int) throws(NNError) -> Tensor
    ) throws(NNError) -> Product {
        let total = parameters.reduce(0) { $0 + $1.count }
        try NNError.require(
            direction.count == total, "direction", "\(direction.count) values", "needs \(total) (one per parameter)")
        try NNError.require(batches >= 1, "batches", batches, "must be >= 1")
        let directionNorm = direction.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        try NNError.require(
            directionNorm > 0 && directionNorm.isFinite, "direction", directionNorm, "norm must be finite and > 0")
        let saved = parameters.map(\.scalars)
        let savedGradients = parameters.map { $0.grad?.scalars }
        // ‖θ‖ only for the textbook rule (the default absolute step does not read it).
        var parameterNorm = 0.0
        if case .relativeToParameters = configuration.step {
            parameterNorm = saved.reduce(0.0) { total, values in values.reduce(total) { $0 + Double($1) * Double($1) } }
                .squareRoot()
        }
        let epsilon = step(parameterNorm: parameterNorm, directionNorm: directionNorm, configuration: configuration)
        try NNError.require(epsilon > 0 && epsilon.isFinite, "step", epsilon, "must be finite and > 0")

        var batchDots = [[Double]](repeating: [Double](repeating: 0, count: batches), count: 2)
        func gradient(at sign: Double) throws(NNError) -> [Double] {
            var offset = 0
            for (index, parameter) in parameters.enumerated() {
                let values = saved[index]
                parameter.withUnsafeMutableBufferPointer { buffer in
                    for i in buffer.indices {
                        buffer[i] = Float(Double(values[i]) + sign * epsilon * Double(direction[offset + i]))
                    }
                }
                offset += parameter.count
            }
            var sum = [Double](repeating: 0, count: total)
            for batch in 0..<batches {
                for parameter in parameters { parameter.clearGradient() }
                let value = try loss(batch)
                guard value.count == 1 else {
                    throw .invalidInput(name: "loss", value: "\(value.shape)", reason: "must be a one-element tensor")
                }
                value.backward()
                GradientAccess.accumulateFlatGradient(of: parameters, into: &sum)
                batchDots[sign > 0 ? 0 : 1][batch] = GradientAccess.dot(of: parameters, with: direction)
            }
            if batches > 1 {
                let scale = 1 / Double(batches)
                for i in sum.indices { sum[i] *= scale }
            }
            return sum
        }

        func restore() {
            for (index, parameter) in parameters.enumerated() {
                Initialization.write(saved[index], into: parameter)
                parameter.clearGradient()
                if let gradient = savedGradients[index] {
                    parameter.withUnsafeMutableDataAndGradient { _, buffer in
                        for i in buffer.indices { buffer[i] = gradient[i] }
                    }
                }
            }
        }
        // The actual perturbation differs from ε·vᵢ by Float32 rounding of θ ± ε·vᵢ; dividing by the
        // nominal 2ε is accurate to that rounding (a random error that H maps to a small vector).
        let plus: [Double], minus: [Double]
        do {
            plus = try gradient(at: 1)
            minus = try gradient(at: -1)
        } catch {
            restore()
            throw error
        }
        restore()
        let scale = 1 / (2 * epsilon)
        var result = plus
        for i in result.indices { result[i] = (plus[i] - minus[i]) * scale }
        let squaredNorm = directionNorm * directionNorm
        let quotients = (0..<batches).map { (batchDots[0][$0] - batchDots[1][$0]) * scale / squaredNorm }
        return Product(values: result, batchQuotients: quotients)
    }
}
