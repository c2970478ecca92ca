import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Finite-difference gradient checking, after `Tests/GlidepathTensorTests/GradientCheck.swift`.
///
/// The objective is `L = Σ w ⊙ f(x)` with fixed pseudo-random weights `w ∈ [-1, 1)`, so every output
/// element's gradient path is exercised with a distinct weight. The numeric derivative is the central
/// difference `(L(x + h) − L(x − h)) / 2h`, `f` in Float32 and `L` summed in Double.
///
/// Tolerance, justified: Float32 rounding of each output is ≤ 2⁻²⁴·|y| ≈ 6e-8·|y|; summed over N
/// outputs with random-sign weights the error in L is about 6e-8·√N·|y|, and dividing by 2h = 0.02
/// amplifies it to ≈ 3e-6·√N·|y| (≈ 1e-4 for N = 1000, |y| ≈ 1). The truncation error of the central
/// difference is h²/6·|f'''| ≈ 2e-5·|f'''|. Hence `absolute 2e-3 + relative 1e-2` passes correct
/// gradients with a wide margin, while a wrong gradient (a missing factor, a dropped term, a wrong
/// transpose, a mis-indexed time step) is off by O(|g|) and fails.
///
/// `leaves` are tensors that require gradients (layer parameters, or inputs made with ``leaf(_:)``);
/// the numeric derivative perturbs them in place and restores them. `function` rebuilds the graph on
/// every call and must be deterministic.
func checkGradients(
    of leaves: [Tensor],
    step: Double = 1e-2,
    absoluteTolerance: Double = 2e-3,
    relativeTolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: () -> Tensor
) {
    for leaf in leaves { leaf.clearGradient() }
    let output = function()
    var generator = SeededGenerator(seed: 12345)
    let weights = Tensor.uniform(shape: output.shape, lowerBound: -1, upperBound: 1, using: &generator)
    (output * weights).sum().backward()
    let weightValues = weights.scalars.map(Double.init)

    func objective() -> Double {
        withoutGradients {
            let y = function().scalars
            var total = 0.0
            for index in y.indices { total += Double(y[index]) * weightValues[index] }
            return total
        }
    }

    for (leafIndex, leaf) in leaves.enumerated() {
        guard let analytic = leaf.grad?.scalars else {
            Issue.record("leaf \(leafIndex) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: leaf.count)
        for element in 0..<leaf.count {
            let original = leaf.withUnsafeMutableBufferPointer { $0[element] }
            let plus = Float(Double(original) + step), minus = Float(Double(original) - step)
            leaf.withUnsafeMutableBufferPointer { $0[element] = plus }
            let upper = objective()
            leaf.withUnsafeMutableBufferPointer { $0[element] = minus }
            let lower = objective()
            leaf.withUnsafeMutableBufferPointer { $0[element] = original }
            numeric[element] = (upper - lower) / (Double(plus) - Double(minus))
        }
        expectClose(
            analytic.map(Double.init), numeric, absoluteTolerance: absoluteTolerance,
            relativeTolerance: relativeTolerance, "leaf \(leafIndex) \(leaf.shape)", sourceLocation: sourceLocation)
    }
}

/// A fresh contiguous leaf holding `other`'s values.
func leaf(_ other: Tensor) -> Tensor { copyLeaf(other) }

/// A contiguous copy of `other` as a fresh leaf.
func copyLeaf(_ other: Tensor, requiresGradient: Bool = true) -> Tensor {
    let copy = tensor(other.shape, other.scalars)
    return requiresGradient ? copy.requiringGradient() : copy
}

/// A contiguous tensor of `shape` holding `values`.
func tensor(_ shape: [Int], _ values: [Float]) -> Tensor {
    Tensor.make(shape: shape) { buffer in
        for index in buffer.indices { buffer[index] = values[index] }
    }
}

/// Uniform values in `[low, high)` from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.uniform(shape: shape, lowerBound: low, upperBound: high, using: &generator)
}

/// `float32(scale·sin(0.37·i + phase))`: the fixture generator's closed form.
func closedForm(_ shape: [Int], phase: Double, scale: Double = 1) -> Tensor {
    Tensor.make(shape: shape) { buffer in
        for i in buffer.indices { buffer[i] = Float(scale * sin(0.37 * Double(i) + phase)) }
    }
}

/// `float32(cos(0.11·j))`: the generator's projection of outputs into the loss.
func projection(_ shape: [Int]) -> Tensor {
    Tensor.make(shape: shape) { buffer in
        for j in buffer.indices { buffer[j] = Float(cos(0.11 * Double(j))) }
    }
}

/// Overwrites every parameter of `module` (in ``Module/namedParameters`` order `k`) with the
/// generator's `values(shape, 1 + k, scale)`, as `load_closed_form` does in PyTorch.
func loadClosedForm(_ module: some Module, scale: Double) {
    for (k, parameter) in module.namedParameters.enumerated() {
        let values = closedForm(parameter.tensor.shape, phase: 1 + Double(k), scale: scale).scalars
        parameter.tensor.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = values[i] }
        }
    }
}

/// `Fixtures/pytorch_nn.json`, generated by `scripts/fixtures/pytorch_nn.py` (torch version inside).
struct NNFixture: Decodable {
    struct Output: Decodable {
        let shape: [Int]
        let values: [Double]
    }
    struct LayerCase: Decodable {
        let name: String
        let outputs: [Output]
        let inputGradients: [[Double]?]
        let parameterGradients: [String: [Double]]
        let buffers: [String: [Double]]
        let stateDictKeys: [String]
    }
    struct LossCase: Decodable {
        let name: String
        let value: Double
        let gradient: [Double]
        let targets: [Double]
    }
    struct OptimizerCase: Decodable {
        let name: String
        let parameters: [[Double]]
    }
    struct Clipping: Decodable {
        let totalNorm: Double
        let gradients: [[Double]]
    }
    let torch: String
    let layers: [LayerCase]
    let losses: [LossCase]
    let optimizers: [OptimizerCase]
    let clipping: Clipping

    static func load() throws -> NNFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/pytorch_nn.json")
        return try JSONDecoder().decode(NNFixture.self, from: Data(contentsOf: url))
    }

    func layer(_ name: String) throws -> LayerCase {
        try #require(layers.first { $0.name == name }, "fixture layer case \(name) missing")
    }

    func loss(_ name: String) throws -> LossCase {
        try #require(losses.first { $0.name == name }, "fixture loss case \(name) missing")
    }

    func optimizer(_ name: String) throws -> OptimizerCase {
        try #require(optimizers.first { $0.name == name }, "fixture optimizer case \(name) missing")
    }
}

extension Tensor {
    var doubles: [Double] { scalars.map(Double.init) }
}
