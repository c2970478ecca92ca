import Foundation
import GlidepathTensor

/// Hessian-vector products by central finite differences of gradients (issue 3 §6), for curvature
/// probes (power iteration for λ_max, Hutchinson's trace estimator).
///
/// ```
/// H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / (2ε)
/// ```
/// **Step choice.** The error has two parts: truncation `ε²/6·‖∇³L[v, v, ·]‖` (zero for a quadratic)
/// and rounding `≈ u·‖∇L‖/ε`, where `u` is the relative error of a Float32 gradient. Balancing them
/// gives `ε ∝ u^{1/3}` (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §8.1, central
/// differences). The perturbation must also be large against the parameters' own rounding
/// (`2⁻²⁴·|θᵢ|`), so it scales with `‖θ‖`, and it must not depend on the length of `v`. Hence
/// ```
/// ε = u^{1/3} · (1 + ‖θ‖) / ‖v‖,   u = 2⁻²³ (Float32 machine epsilon), u^{1/3} ≈ 4.9e-3
/// ```
/// so that `‖εv‖ = 4.9e-3·(1 + ‖θ‖)`. The brief's alternative `√u` (≈ 3.5e-4), the rule for one-sided
/// differences, takes a 14× smaller step and so leaves about 14× more rounding error where truncation
/// is small (`CurvatureTests.defaultStepIsMoreAccurateThanSquareRootRule` checks this on a quadratic;
/// `hessianVectorProductOnLogisticRegression` checks that truncation stays small on a non-quadratic).
/// Callers may pass their own ``Configuration/relativeStep``.
///
/// Cost: two forward and backward passes. The parameters are restored bit for bit afterwards, and
/// their gradients are restored to what they were before the call.
public enum HessianVectorProduct {
    public struct Configuration: Sendable {
        /// The factor `r` in `ε = r·(1 + ‖θ‖)/‖v‖`.
        public var relativeStep: Double

        /// `relativeStep = (2⁻²³)^{1/3}`.
        public init(relativeStep: Double = Foundation.cbrt(Double(Float.ulpOfOne))) {
            self.relativeStep = relativeStep
        }
    }

    /// The step ε for parameters of norm `parameterNorm` and a direction of norm `directionNorm`.
    public static func step(parameterNorm: Double, directionNorm: Double, configuration: Configuration = .init()) -> Double {
        configuration.relativeStep * (1 + parameterNorm) / directionNorm
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
    ///   zero or non-finite; ``NNError/invalidInput(name:value:reason:)`` if the loss is not a scalar.
    public static func compute(
        parameters: [Tensor], direction: [Float], configuration: Configuration = .init(),
        loss: () -> Tensor
    ) throws(NNError) -> [Double] {
        let total = parameters.reduce(0) { $0 + $1.count }
        try NNError.require(direction.count == total, "direction", "\(direction.count) values", "needs \(total) (one per parameter)")
        let directionNorm = direction.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        try NNError.require(directionNorm > 0 && directionNorm.isFinite, "direction", directionNorm, "norm must be finite and > 0")
        let saved = parameters.map(\.scalars)
        let savedGradients = parameters.map { $0.grad?.scalars }
        let parameterNorm = saved.reduce(0.0) { total, values in values.reduce(total) { $0 + Double($1) * Double($1) } }.squareRoot()
        let epsilon = step(parameterNorm: parameterNorm, directionNorm: directionNorm, configuration: configuration)

        func gradient(at sign: Double) throws(NNError) -> [Double] {
            var offset = 0
            for (index, parameter) in parameters.enumerated() {
                let values = saved[index]
                parameter.withUnsafeMutableBufferPointer { buffer in
                    for i in buffer.indices { buffer[i] = Float(Double(values[i]) + sign * epsilon * Double(direction[offset + i])) }
                }
                offset += parameter.count
                parameter.clearGradient()
            }
            let value = loss()
            guard value.count == 1 else {
                throw .invalidInput(name: "loss", value: "\(value.shape)", reason: "must be a one-element tensor")
            }
            value.backward()
            return GradientAccess.flatGradient(of: parameters).map(Double.init)
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
        // nominal 2ε is accurate to that rounding, which the step size keeps small.
        let plus: [Double], minus: [Double]
        do {
            plus = try gradient(at: 1)
            minus = try gradient(at: -1)
        } catch {
            restore()
            throw error
        }
        restore()
        return zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
    }
}
