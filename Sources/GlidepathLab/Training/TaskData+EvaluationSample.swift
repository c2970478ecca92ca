import Foundation
import GlidepathData

/// A run's evaluation sets under its ``RunConfiguration/evaluationLimit`` and
/// ``RunConfiguration/effectiveEvaluationSampling``.
extension TaskData {
    /// `self` (read without an evaluation limit) with its validation and test sets cut to the
    /// ``EvaluationSample`` of `limit` examples drawn from `seed`; the training part is unchanged.
    public func sampledEvaluation(limit: Int, seed: UInt64) -> TaskData {
        var data = self
        data.validation = SubsetSource.sample(of: validation, limit: limit, seed: seed, part: .validation)
        data.test = SubsetSource.sample(of: test, limit: limit, seed: seed, part: .test)
        return data
    }
}

extension TaskDataCache {
    /// The data of a run with `configuration`, from `dataDirectory` (the recorded one unless given).
    ///
    /// A ``EvaluationSampling/stratified`` run's data is the whole task's (cached under no evaluation
    /// limit, so every seed and arm of a study shares one read of the files) with the run's sample taken
    /// from it; a ``EvaluationSampling/fileOrder`` run reads its first N, as before sampling existed.
    public func load(for configuration: RunConfiguration, dataDirectory: String? = nil) throws(TrainingError)
        -> TaskData
    {
        let sampling = configuration.effectiveEvaluationSampling
        let data = try load(
            task: configuration.task, dataDirectory: dataDirectory ?? configuration.dataDirectory,
            trainingLimit: configuration.trainingLimit,
            evaluationLimit: sampling == .fileOrder ? configuration.evaluationLimit : nil,
            trainingBatches: configuration.trainingBatches,
            textPadding: configuration.effectiveTextBatching?.padding ?? .maximumLength)
        guard sampling == .stratified, let limit = configuration.evaluationLimit else { return data }
        return data.sampledEvaluation(limit: limit, seed: configuration.seed)
    }
}

extension SubsetSource {
    /// `source` itself when it holds at most `limit` examples, else its ``EvaluationSample``.
    static func sample(of source: any TrainingBatchSource, limit: Int, seed: UInt64, part: EvaluationSample.Part)
        -> any TrainingBatchSource
    {
        guard limit < source.count else { return source }
        return SubsetSource(
            source, indices: EvaluationSample.indices(labels: source.labels, limit: limit, seed: seed, part: part))
    }
}
