import Foundation
import Glidepath
import GlidepathTensor

/// DoG and L-DoG, "Distance over Gradients" (Ivgi, Hinder & Carmon, "DoG is SGD's Best Friend: A
/// Parameter-Free Dynamic Step Size Schedule", ICML 2023, arXiv:2302.12022), identical in operation
/// order to `dog.DoG` / `dog.LDoG` of dog-optimizer 1.0.3. Per group (DoG: the group's parameters as one
/// vector; L-DoG: each parameter tensor on its own), with x₀ the parameters before the first update:
/// ```
/// g ← g + λ·x
/// r̄₀ = r_ε·(1 + ‖x₀‖) ,  r̄_t = max(r̄_{t−1}, ‖x_t − x₀‖)      (r_ε: relativeInitialDistance)
/// G_t = ε + Σ_{i≤t} ‖g_i‖²
/// η_t = γ·r̄_t / √G_t   (η₀ = initialStepSize when given) ;  x ← x − η_t·g
/// ```
/// The scalars are Float32, as the reference's tensors are. The authors recommend iterate averaging
/// with DoG; the reference ships it separately (`PolynomialDecayAverager`), and so does not this type.
///
/// Differences from the reference: a parameter without a gradient is skipped (the reference requires
/// every parameter of a group to have one) and adds nothing to G; ε must be > 0 (the reference accepts 0
/// and then asserts G > 0).
public final class DoG: GroupedOptimizer, StepSizeEstimating {
    /// Whether the step size is shared by the group or kept per parameter tensor.
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// One η per group (`DoG`).
        case dog
        /// One η per parameter tensor, "layer-wise" (`LDoG`).
        case layerWise = "ldog"
    }

    public struct Hyperparameters: DefaultedHyperparameters {
        /// γ (`lr`, the paper's c) > 0; the authors advise leaving it at 1.
        public var learningRate: Double
        /// r_ε relative to 1 + ‖x₀‖ (`reps_rel`), > 0: sets the first step. The authors suggest 1e-4 with
        /// batch normalisation. Ignored when ``initialStepSize`` is given.
        public var relativeInitialDistance: Double
        /// λ ≥ 0, added to the gradient.
        public var weightDecay: Double
        /// ε > 0 added to the sum of squared gradient norms.
        public var epsilon: Double
        /// η₀, the first step size (`init_eta`), > 0; nil derives it from r_ε.
        public var initialStepSize: Double?

        /// The reference's defaults.
        public init(
            learningRate: Double = 1, relativeInitialDistance: Double = 1e-6, weightDecay: Double = 0,
            epsilon: Double = 1e-8, initialStepSize: Double? = nil
        ) {
            self.learningRate = learningRate
            self.relativeInitialDistance = relativeInitialDistance
            self.weightDecay = weightDecay
            self.epsilon = epsilon
            self.initialStepSize = initialStepSize
        }

        public static var defaults: Hyperparameters { Hyperparameters() }

        public func validate(path: String) throws(NNError) {
            try Check.nonNegative(learningRate, path + "learningRate")
            if let initialStepSize {
                try Check.positive(initialStepSize, path + "initialStepSize")
            } else {
                try Check.positive(relativeInitialDistance, path + "relativeInitialDistance")
            }
            try Check.nonNegative(weightDecay, path + "weightDecay")
            try Check.positive(epsilon, path + "epsilon")
        }
    }

    /// The variant.
    public struct Shared: SharedHyperparameters {
        public var variant: Variant

        public init(variant: Variant = .dog) { self.variant = variant }

        public static var defaults: Shared { Shared() }

        public func validate(path: String) throws(NNError) {}
    }

    /// r̄, G and η of every group (one entry, or one per parameter tensor for L-DoG).
    public struct Statistics: OptimizerStatistics {
        public struct Group: Codable, Equatable, Sendable {
            /// r̄ (`rbar`).
            public var distance: [Float] = []
            /// G (`G`).
            public var squaredGradientSum: [Float] = []
            /// η (`eta`).
            public var stepSize: [Float] = []
        }

        /// Whether no update has been taken yet (`_first_step`).
        public var firstStep = true
        public var groups: [Group]

        public func validate(parameterCounts: [Int]) throws(StateFileError) {
            guard groups.count == parameterCounts.count else {
                throw .incompatible(
                    field: "statistics.groups", expected: "\(parameterCounts.count)", found: "\(groups.count)")
            }
            for (index, group) in groups.enumerated() {
                let counts = Set([group.distance.count, group.squaredGradientSum.count, group.stepSize.count])
                guard counts.count == 1, firstStep || counts == [1] || counts == [parameterCounts[index]] else {
                    throw .incompatible(
                        field: "statistics.groups[\(index)]", expected: "1 or \(parameterCounts[index]) entries",
                        found: "\(counts.sorted())")
                }
            }
        }
    }

    public let state: OptimizerState<Hyperparameters, Shared, Statistics>
    /// DoG has no momentum; a scheduler's momenta are ignored.
    public static var momentumTarget: MomentumTarget<Hyperparameters, Shared> { .none }
    public static var estimateName: String { "eta" }

    static let x0 = 0

    public init(groups: [ParameterGroup<Hyperparameters>], shared: Shared) throws(NNError) {
        state = try OptimizerState(
            kind: "optimizer.\(shared.variant.rawValue)", slotNames: ["x0"], groups: groups,
            shared: shared, statistics: Statistics(groups: groups.map { _ in .init() }))
    }

    /// η of every group (DoG), or of every parameter tensor in group order (L-DoG); empty before the first update.
    public var stepSizeEstimates: [Double] { state.statistics.groups.flatMap { $0.stepSize.map(Double.init) } }

    public func step() {
        let first = state.statistics.firstStep
        let layerWise = state.shared.variant == .layerWise
        for (g, group) in state.groups.enumerated() {
            let h = group.hyperparameters
            let decay = Float(h.weightDecay)
            if first {
                for (p, parameter) in group.parameters.enumerated() {
                    state.slots[g][p].buffers[Self.x0] = Tensor.copy(of: parameter)
                }
            }
            // Per parameter: ‖x‖ (first update) or ‖x − x₀‖, and ‖g + λx‖² (0 without a gradient).
            var distances: [Float] = [], squares: [Float] = []
            for (p, parameter) in group.parameters.enumerated() {
                let start = state.slots[g][p].buffers[Self.x0]
                distances.append(Self.distance(parameter, from: first ? nil : start))
                squares.append(Self.squaredGradientNorm(parameter, decay: decay))
            }
            var running = state.statistics.groups[g]
            let blocks = layerWise ? distances.indices.map { [$0] } : [Array(distances.indices)]
            if first {
                let reps = Float(h.initialStepSize == nil ? h.relativeInitialDistance : 0)
                running.distance = blocks.map { reps * (1 + Self.norm($0.map { distances[$0] })) }
                running.squaredGradientSum = blocks.map { Self.sum($0.map { squares[$0] }) + Float(h.epsilon) }
            } else {
                running.distance = zip(running.distance, blocks).map {
                    Self.maximum($0, Self.norm($1.map { distances[$0] }))
                }
                running.squaredGradientSum = zip(running.squaredGradientSum, blocks).map {
                    $0 + Self.sum($1.map { squares[$0] })
                }
            }
            running.stepSize = zip(running.distance, running.squaredGradientSum).map {
                Float(h.learningRate) * $0 / $1.squareRoot()
            }
            if first, let initial = h.initialStepSize {
                running.stepSize = running.stepSize.map { $0 * 0 + Float(initial) }
            }
            state.statistics.groups[g] = running
            for (p, parameter) in group.parameters.enumerated() where parameter.grad != nil {
                state.slots[g][p].step += 1
                let negative = -running.stepSize[layerWise ? p : 0]
                parameter.withUnsafeMutableDataAndGradient { data, gradient in
                    guard let x = data.baseAddress, let raw = gradient.baseAddress else { return }
                    ElementBlocks.forEach(count: parameter.count) { range in
                        for i in range { x[i] = x[i].addingProduct(negative, raw[i].addingProduct(decay, x[i])) }
                    }
                }
            }
        }
        state.statistics.firstStep = false
    }

    /// ‖x‖ or ‖x − x₀‖ of one tensor, in Float32 (the difference is formed in Float32, as `p - pi`).
    static func distance(_ parameter: Tensor, from start: Tensor?) -> Float {
        parameter.withUnsafeBufferPointer { data in
            guard let x = data.baseAddress else { return 0 }
            let origin = start?.mutableBase()
            let squares =
                origin.map { origin in
                    ElementBlocks.sum(count: data.count) {
                        ElementBlocks.lanes($0) { (i: Int) -> Double in
                            let value = Double(x[i] - origin[i])
                            return value * value
                        }
                    }
                }
                ?? ElementBlocks.sum(count: data.count) {
                    ElementBlocks.lanes($0) { (i: Int) -> Double in Double(x[i]) * Double(x[i]) }
                }
            return withExtendedLifetime(start) { Float(squares.squareRoot()) }
        }
    }

    /// ‖g + λx‖² with each square in Float32 (`(p.grad ** 2).sum()` after the in-place decay), 0 without a gradient.
    static func squaredGradientNorm(_ parameter: Tensor, decay: Float) -> Float {
        guard parameter.grad != nil else { return 0 }
        return parameter.withUnsafeMutableDataAndGradient { data, gradient in
            guard let x = data.baseAddress, let raw = gradient.baseAddress else { return 0 }
            let total = ElementBlocks.sum(count: data.count) {
                ElementBlocks.lanes($0) { (i: Int) -> Double in
                    let value = raw[i].addingProduct(decay, x[i])
                    return Double(value * value)
                }
            }
            return Float(total)
        }
    }

    /// `torch.stack(values).norm()`.
    static func norm(_ values: [Float]) -> Float {
        Float(values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
    }

    /// `torch.stack(values).sum()`.
    static func sum(_ values: [Float]) -> Float { Float(values.reduce(0.0) { $0 + Double($1) }) }

    /// `torch.maximum`: NaN if either is NaN.
    static func maximum(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
}
