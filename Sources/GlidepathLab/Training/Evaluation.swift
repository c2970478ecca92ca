import Foundation
import GlidepathData
import GlidepathTensor

/// Loss and classification metrics of a model on one data set.
public struct EvaluationResult: Sendable, Equatable {
    /// Mean softmax cross-entropy over the examples.
    public var loss: Double
    public var accuracy: Double
    /// Macro-averaged F1 over the classes present (``ConfusionMatrix/macroF1()``).
    public var macroF1: Double
    /// ROC-AUC of the softmax probability of class 1, for binary tasks; NaN when it is undefined (one
    /// class present, or non-finite scores from a diverged model).
    public var auc: Double?
    /// Examples evaluated.
    public var count: Int
}

/// Runs a model over a data set without gradients, in fixed batches and file order.
///
/// The loss of example i is `logsumexp(z_i) − z_i[y_i]` computed in `Double` from the `Float` logits
/// (max-shifted), and the batch size does not change any result: every quantity is per example, and
/// the sums run in example order.
public enum Evaluation {
    /// Examples per forward pass.
    public static let batchSize = 500

    public static func evaluate(_ model: any TaskModel, on source: any TrainingBatchSource, classCount: Int)
        throws(TrainingError) -> EvaluationResult
    {
        guard source.count > 0 else { throw .invalidConfiguration("an evaluation set is empty") }
        // Training's cached buffers and evaluation's (batches of 500) share no sizes — with bucketed text
        // batches training caches one size class per batch length — so the engine's pool would hold both
        // sets at once. Freeing the cache before and after keeps them from adding up in the peak RSS
        // (issue 13: IMDB's bucketed epoch). Results do not change; the next steps allocate afresh.
        BufferPool.shared.purge()
        defer { BufferPool.shared.purge() }
        model.module.setTraining(false)
        defer { model.module.setTraining(true) }
        var generator = Xoshiro256StarStar(seed: 0, stream: [])
        var totalLoss = 0.0
        var truth: [Int] = [], predictions: [Int] = [], positiveScores: [Double] = []
        truth.reserveCapacity(source.count)
        var start = 0
        while start < source.count {
            let indices = Array(start..<min(start + batchSize, source.count))
            start += batchSize
            let batch = source.trainingBatch(at: indices, generator: &generator)
            let logits: Tensor
            do {
                logits = try withoutGradients { () throws(TrainingError) -> Tensor in try model.logits(batch) }
            }
            logits.withUnsafeBufferPointer { z in
                for row in 0..<batch.count {
                    let base = row * classCount
                    var best = 0
                    var maximum = Double(z[base])
                    for c in 1..<classCount where Double(z[base + c]) > maximum || maximum.isNaN {
                        maximum = Double(z[base + c]); best = c
                    }
                    var sum = 0.0
                    for c in 0..<classCount { sum += Foundation.exp(Double(z[base + c]) - maximum) }
                    let logPartition = maximum + Foundation.log(sum)
                    let label = Int(batch.labels[row])
                    totalLoss += logPartition - Double(z[base + label])
                    truth.append(label)
                    predictions.append(best)
                    if classCount == 2 { positiveScores.append(Foundation.exp(Double(z[base + 1]) - logPartition)) }
                }
            }
        }
        do {
            let matrix = try ConfusionMatrix(classCount: classCount, truth: truth, predictions: predictions)
            var auc: Double?
            if classCount == 2 { auc = (try? ROCAUC.compute(truth: truth, scores: positiveScores)) ?? .nan }
            return EvaluationResult(
                loss: totalLoss / Double(truth.count), accuracy: try matrix.accuracy(),
                macroF1: try matrix.macroF1(), auc: auc, count: truth.count)
        } catch {
            throw .invalidConfiguration("metrics: \(error)")
        }
    }
}
