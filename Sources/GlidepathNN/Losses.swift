import Foundation
import GlidepathTensor

/// How a loss combines per-element losses (PyTorch's `reduction`).
public enum LossReduction: Sendable, Equatable {
    /// The (weighted) mean, PyTorch's default.
    case mean
    /// The sum.
    case sum
}

/// Cross-entropy between logits and class labels (PyTorch `nn.CrossEntropyLoss` with class-index
/// targets), as one fused op: log-softmax, picking, weighting, smoothing and reduction in one pass,
/// gradient `∂L/∂z_ic = p_ic·S_i − a_ic` in one pass.
///
/// With `w` the class weights (1 when absent), `ε` the label smoothing, `C` classes, `y_i` the label of
/// row `i`, `log p = log_softmax(z)` and `I` the rows whose label is not `ignoreIndex`:
/// ```
/// L = [ (1−ε)·Σ_{i∈I} −w_{y_i}·log p_{i,y_i}  +  (ε/C)·Σ_{i∈I} Σ_c −w_c·log p_{i,c} ] / W
/// ```
/// with `W = Σ_{i∈I} w_{y_i}` for `.mean` and `W = 1` for `.sum` — PyTorch's weighted-mean semantics,
/// including its normalisation of the smoothing term by the target weights
/// (`aten/src/ATen/native/LossNLL.cpp`, `cross_entropy_loss_label_smoothing`). If every row is
/// ignored, the mean is NaN (0/0), as in PyTorch.
public struct CrossEntropyLoss: Sendable {
    public let classWeights: [Float]?
    public let labelSmoothing: Float
    public let ignoreIndex: Int32?
    public let reduction: LossReduction

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for smoothing outside [0, 1] or a
    ///   negative or non-finite class weight.
    public init(
        classWeights: [Float]? = nil, labelSmoothing: Float = 0, ignoreIndex: Int32? = nil,
        reduction: LossReduction = .mean
    ) throws(NNError) {
        try NNError.require(
            labelSmoothing >= 0 && labelSmoothing <= 1, "labelSmoothing", labelSmoothing, "must lie in [0, 1]")
        if let classWeights, let bad = classWeights.first(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidArgument(name: "classWeights", value: "\(bad)", reason: "weights must be finite and ≥ 0")
        }
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
    }

    /// The loss of `logits` `[N, C]` against `labels` (N class indices) as a one-element tensor.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` for a label outside `0..<C` that is not
    ///   the ignore index, a label count other than N, or class weights of the wrong length.
    public func callAsFunction(_ logits: Tensor, _ labels: [Int32]) throws(NNError) -> Tensor {
        guard logits.rank == 2 else {
            throw .invalidInput(name: "logits", value: "\(logits.shape)", reason: "must be [N, C]")
        }
        let rows = logits.shape[0], classes = logits.shape[1]
        guard labels.count == rows else {
            throw .invalidInput(name: "labels", value: "\(labels.count) labels", reason: "need one per row (\(rows))")
        }
        if let classWeights, classWeights.count != classes {
            throw .invalidInput(
                name: "classWeights", value: "\(classWeights.count) weights", reason: "need one per class (\(classes))")
        }
        for label in labels where label != ignoreIndex && (label < 0 || Int(label) >= classes) {
            throw .invalidInput(
                name: "labels", value: "\(label)", reason: "must lie in 0..<\(classes) or be the ignore index")
        }
        let weights = classWeights ?? [Float](repeating: 1, count: classes)
        let smoothing = Double(labelSmoothing), ignore = ignoreIndex, reduction = reduction
        // The normaliser W (Double: sums of many weights).
        var normaliser = 1.0
        if reduction == .mean {
            normaliser = 0
            for label in labels where label != ignore { normaliser += Double(weights[Int(label)]) }
        }
        let scale = normaliser
        let weightTotal = weights.reduce(0.0) { $0 + Double($1) }
        return Tensor.customOperation(
            name: "crossEntropy", inputs: [logits], outputShape: [],
            forward: { inputs, output in
                let z = inputs[0].base
                var nll = 0.0, smooth = 0.0
                let logProbabilities = UnsafeMutablePointer<Float>.allocate(capacity: classes)
                defer { logProbabilities.deallocate() }
                for i in 0..<rows where labels[i] != ignore {
                    Self.logSoftmax(z + i * classes, into: logProbabilities, count: classes)
                    nll -= Double(weights[Int(labels[i])]) * Double(logProbabilities[Int(labels[i])])
                    if smoothing > 0 {
                        var row = 0.0
                        for c in 0..<classes { row -= Double(weights[c]) * Double(logProbabilities[c]) }
                        smooth += row
                    }
                }
                output[0] = Float(((1 - smoothing) * nll + smoothing / Double(classes) * smooth) / scale)
            },
            backward: { context in
                guard let dz = context.inputGradients[0]?.base else { return }
                let z = context.inputs[0].base
                let upstream = Double(context.outputGradients[0][0])
                let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: classes)
                defer { probabilities.deallocate() }
                let smoothShare = smoothing / Double(classes)
                for i in 0..<rows where labels[i] != ignore {
                    Self.logSoftmax(z + i * classes, into: probabilities, count: classes)
                    let label = Int(labels[i])
                    // S_i = Σ_c a_ic with a_ic = [(1−ε)·w_y·δ_cy + (ε/C)·w_c] / W.
                    let total = ((1 - smoothing) * Double(weights[label]) + smoothShare * weightTotal) / scale
                    let row = dz + i * classes
                    for c in 0..<classes {
                        var target = smoothShare * Double(weights[c])
                        if c == label { target += (1 - smoothing) * Double(weights[label]) }
                        let probability = Foundation.exp(Double(probabilities[c]))
                        row[c] += Float(upstream * (probability * total - target / scale))
                    }
                }
            })
    }

    /// Stable log-softmax of one row (max subtracted; log-sum-exp in Double).
    static func logSoftmax(_ z: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = z[0]
        for c in 1..<max(count, 1) where z[c] > maximum { maximum = z[c] }
        var total = 0.0
        for c in 0..<count { total += Foundation.exp(Double(z[c] - maximum)) }
        let shift = Double(maximum) + Foundation.log(total)
        for c in 0..<count { result[c] = Float(Double(z[c]) - shift) }
    }
}

/// Binary cross-entropy on logits (PyTorch `nn.BCEWithLogitsLoss`), computed stably:
/// ```
/// ℓ = (1 − y)·x + (1 + (p − 1)·y)·(log(1 + e^{−|x|}) + max(−x, 0))
/// ∂ℓ/∂x = (1 − y) + (1 + (p − 1)·y)·(σ(x) − 1)
/// ```
/// where `p` is the positive-class weight (`pos_weight`, broadcast over the last axis; 1 when absent),
/// reduced by mean over all elements or sum. Targets are data (no gradient), each in [0, 1].
public struct BinaryCrossEntropyWithLogitsLoss: Sendable {
    public let positiveWeights: [Float]?
    public let reduction: LossReduction

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for a negative or non-finite weight.
    public init(positiveWeights: [Float]? = nil, reduction: LossReduction = .mean) throws(NNError) {
        if let positiveWeights, let bad = positiveWeights.first(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidArgument(name: "positiveWeights", value: "\(bad)", reason: "weights must be finite and ≥ 0")
        }
        self.positiveWeights = positiveWeights
        self.reduction = reduction
    }

    /// The loss of `logits` against `targets` (same count, row-major) as a one-element tensor.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` for a count mismatch, a target outside
    ///   [0, 1], or positive weights that do not match the last axis.
    public func callAsFunction(_ logits: Tensor, _ targets: [Float]) throws(NNError) -> Tensor {
        let count = logits.count
        guard targets.count == count else {
            throw .invalidInput(
                name: "targets", value: "\(targets.count) targets", reason: "need \(count) for logits \(logits.shape)")
        }
        if let bad = targets.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw .invalidInput(name: "targets", value: "\(bad)", reason: "must lie in [0, 1]")
        }
        let last = logits.rank == 0 ? 1 : logits.shape[logits.rank - 1]
        if let positiveWeights, positiveWeights.count != last {
            throw .invalidInput(
                name: "positiveWeights", value: "\(positiveWeights.count) weights",
                reason: "need one per entry of the last axis (\(last))")
        }
        let weights = positiveWeights
        let scale = reduction == .mean ? 1 / Double(max(count, 1)) : 1
        return Tensor.customOperation(
            name: "bceWithLogits", inputs: [logits], outputShape: [],
            forward: { inputs, output in
                let x = inputs[0].base
                var total = 0.0
                for e in 0..<count {
                    let xe = Double(x[e]), y = Double(targets[e])
                    let logWeight = 1 + (Double(weights?[e % last] ?? 1) - 1) * y
                    total += (1 - y) * xe + logWeight * (Foundation.log1p(Foundation.exp(-abs(xe))) + max(-xe, 0))
                }
                output[0] = Float(total * scale)
            },
            backward: { context in
                guard let dx = context.inputGradients[0]?.base else { return }
                let x = context.inputs[0].base
                let upstream = Double(context.outputGradients[0][0]) * scale
                for e in 0..<count {
                    let xe = Double(x[e]), y = Double(targets[e])
                    let logWeight = 1 + (Double(weights?[e % last] ?? 1) - 1) * y
                    let sigmoid = 1 / (1 + Foundation.exp(-xe))
                    dx[e] += Float(upstream * ((1 - y) + logWeight * (sigmoid - 1)))
                }
            })
    }
}

/// Mean squared error (PyTorch `nn.MSELoss`): `mean((x − y)²)` or the sum. Built from primitive ops,
/// so gradients reach both operands.
public struct MeanSquaredErrorLoss: Sendable {
    public let reduction: LossReduction

    public init(reduction: LossReduction = .mean) { self.reduction = reduction }

    /// `precondition`s equal shapes (both are tensors the caller built).
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(
            prediction.shape == target.shape,
            "MSELoss: prediction \(prediction.shape) and target \(target.shape) differ")
        let difference = prediction - target
        let squares = difference * difference
        return reduction == .mean ? squares.mean() : squares.sum()
    }
}
