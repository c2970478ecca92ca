import Foundation
import Glidepath
import GlidepathTensor

/// Gradient access for gradient-aware schedulers and landscape probes (`docs/nn.md`, "Gradient and curvature access").
public enum GradientAccess {
    /// The gradients of `parameters` concatenated in order (zeros for a parameter without one).
    public static func flatGradient(of parameters: [Tensor]) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(parameters.reduce(0) { $0 + $1.count })
        for parameter in parameters {
            if let gradient = parameter.grad {
                result += gradient.scalars
            } else {
                result += [Float](repeating: 0, count: parameter.count)
            }
        }
        return result
    }

    /// Adds the gradients of `parameters` (flat, in order; missing gradients add nothing) to `sum`,
    /// which must hold one value per scalar parameter.
    public static func accumulateFlatGradient(of parameters: [Tensor], into sum: inout [Double]) {
        // Through one buffer pointer: indexing the inout array element by element cost a uniqueness check
        // per element and kept the loop scalar (a third of a Hessian-vector product's time on adult-mlp).
        precondition(
            sum.count >= parameters.reduce(0) { $0 + $1.count },
            "accumulateFlatGradient: sum shorter than the parameters")
        sum.withUnsafeMutableBufferPointer { target in
            guard let start = target.baseAddress else { return }
            var offset = 0
            for parameter in parameters {
                if let gradient = parameter.grad {
                    gradient.withUnsafeBufferPointer { buffer in
                        let base = start + offset
                        for i in buffer.indices { base[i] += Double(buffer[i]) }
                    }
                }
                offset += parameter.count
            }
        }
    }

    /// ⟨g, v⟩ in Double, `v` flat in parameter order (missing gradients count as 0).
    public static func dot(of parameters: [Tensor], with vector: [Float]) -> Double {
        var total = 0.0
        vector.withUnsafeBufferPointer { values in
            var offset = 0
            for parameter in parameters {
                if let gradient = parameter.grad {
                    gradient.withUnsafeBufferPointer { buffer in
                        for i in buffer.indices { total += Double(buffer[i]) * Double(values[offset + i]) }
                    }
                }
                offset += parameter.count
            }
        }
        return total
    }

    /// ‖g‖₂ over the gradients of `parameters`, accumulated in Double (missing gradients count as 0).
    public static func gradientNorm(of parameters: [Tensor]) -> Double {
        sumOfSquares(parameters).squareRoot()
    }

    /// The flat gradient of each group of `optimizer`.
    public static func flatGradients(of optimizer: some Optimizer) -> [[Float]] {
        optimizer.groupParameters.map { flatGradient(of: $0) }
    }

    /// The gradient's total norm and per-group norms, as a scheduler ``Observation`` field.
    public static func statistics(of optimizer: some Optimizer) -> GradientStatistics {
        let squares = optimizer.groupParameters.map { sumOfSquares($0) }
        return GradientStatistics(norm: squares.reduce(0, +).squareRoot(), groupNorms: squares.map { $0.squareRoot() })
    }

    static func sumOfSquares(_ parameters: [Tensor]) -> Double {
        var total = 0.0
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            gradient.withUnsafeBufferPointer { buffer in
                for value in buffer { total += Double(value) * Double(value) }
            }
        }
        return total
    }
}

/// Gradient-norm clipping with PyTorch's `torch.nn.utils.clip_grad_norm_` semantics (norm type 2):
/// ```
/// N = ‖(‖g₁‖, …, ‖g_k‖)‖₂          (the total norm over all parameters)
/// c = min(maxNorm / (N + 1e-6), 1)
/// gᵢ ← c·gᵢ                          (always applied, also when c = 1)
/// ```
/// Per-parameter norms are accumulated in Double and rounded to Float32, then combined and the
/// coefficient computed in Float32 as PyTorch does with its Float32 norm tensors.
public enum GradientClipping {
    /// Clips the gradients of `parameters` in place and returns the total norm before clipping.
    /// Parameters without a gradient are ignored.
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` unless `maxNorm` is finite and > 0.
    @discardableResult
    public static func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws(NNError) -> Double {
        try NNError.require(maxNorm > 0 && maxNorm.isFinite, "maxNorm", maxNorm, "must be finite and > 0")
        let withGradients = parameters.filter { $0.grad != nil }
        guard !withGradients.isEmpty else { return 0 }
        var squares = 0.0
        for parameter in withGradients {
            let norm = Float(GradientAccess.sumOfSquares([parameter]).squareRoot())
            squares += Double(norm) * Double(norm)
        }
        let total = Float(squares.squareRoot())
        let coefficient = Swift.min(Float(maxNorm) / (total + 1e-6), 1)
        for parameter in withGradients {
            parameter.withUnsafeMutableDataAndGradient { _, gradient in
                for i in gradient.indices { gradient[i] *= coefficient }
            }
        }
        return Double(total)
    }
}
