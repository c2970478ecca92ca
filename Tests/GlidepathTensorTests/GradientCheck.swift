import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Finite-difference gradient checking for ops.
///
/// The objective is `L = Σ w ⊙ f(x)` with fixed pseudo-random weights `w ∈ [-1, 1)`, so every output
/// element's gradient path is exercised with a distinct weight. The numeric derivative is the central
/// difference `(L(x + h) − L(x − h)) / 2h` where the op runs in Float32 and `L` is summed in Double.
///
/// Tolerance, justified: Float32 rounding of each output is ≤ 2⁻²⁴·|y| ≈ 6e-8·|y|; summed over N
/// outputs with random-sign weights the error in L is about 6e-8·√N·|y|, and dividing by 2h = 0.02
/// amplifies it to ≈ 3e-6·√N·|y| (≈ 1e-4 for N = 1000, |y| ≈ 1). The truncation error of the central
/// difference is h²/6·|f'''| ≈ 2e-5·|f'''|. Hence `absolute 2e-3 + relative 1e-2` passes correct
/// gradients with a wide margin, while a wrong gradient (a missing factor, a dropped term, a wrong
/// transpose) is off by O(|g|) and fails. Inputs are kept away from kinks (relu at 0, max ties) by
/// more than h.
func checkGradients(
    _ inputs: [Tensor],
    step: Double = 1e-2,
    absoluteTolerance: Double = 2e-3,
    relativeTolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Tensor]) -> Tensor
) {
    let leaves = inputs.map { Tensor(copying: $0).requiringGradient() }
    let output = function(leaves)
    var generator = SeededGenerator(seed: 12345)
    let weights = Tensor.uniform(shape: output.shape, lowerBound: -1, upperBound: 1, using: &generator)
    (output * weights).sum().backward()
    let weightValues = weights.scalars.map(Double.init)

    func objective(_ values: [Tensor]) -> Double {
        withoutGradients {
            let y = function(values).scalars
            var total = 0.0
            for index in y.indices { total += Double(y[index]) * weightValues[index] }
            return total
        }
    }

    for (inputIndex, input) in inputs.enumerated() {
        guard let analytic = leaves[inputIndex].grad?.scalars else {
            Issue.record("input \(inputIndex) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: input.count)
        let base = input.scalars
        for element in 0..<input.count {
            var values = inputs.map { Tensor(copying: $0) }
            var plus = base, minus = base
            plus[element] = Float(Double(base[element]) + step)
            minus[element] = Float(Double(base[element]) - step)
            // The actual perturbation after rounding to Float32.
            let delta = Double(plus[element]) - Double(minus[element])
            values[inputIndex] = Tensor.make(shape: input.shape) { buffer in
                for index in buffer.indices { buffer[index] = plus[index] }
            }
            let upper = objective(values)
            values[inputIndex] = Tensor.make(shape: input.shape) { buffer in
                for index in buffer.indices { buffer[index] = minus[index] }
            }
            let lower = objective(values)
            numeric[element] = (upper - lower) / delta
        }
        expectClose(
            analytic.map(Double.init), numeric, absoluteTolerance: absoluteTolerance,
            relativeTolerance: relativeTolerance, "input \(inputIndex)", sourceLocation: sourceLocation)
    }
}

extension Tensor {
    /// A contiguous leaf copy with the same shape (test helper).
    init(copying other: Tensor) {
        let values = other.scalars
        self = Tensor.make(shape: other.shape) { buffer in
            for index in buffer.indices { buffer[index] = values[index] }
        }
    }
}

/// A tensor of uniform values in `[low, high)` from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.uniform(shape: shape, lowerBound: low, upperBound: high, using: &generator)
}

/// Values in ±[0.2, 1): kept away from 0 by more than the finite-difference step (relu kinks, division).
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.make(shape: shape) { buffer in
        for index in buffer.indices {
            let magnitude = 0.2 + 0.8 * generator.nextUnitFloat()
            buffer[index] = generator.nextUnitFloat() < 0.5 ? -magnitude : magnitude
        }
    }
}
