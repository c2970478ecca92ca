import Foundation
import GlidepathData
import GlidepathNN
import GlidepathTensor

/// A recorded run's model at its last checkpoint, for `glidepath probe` and `glidepath runs export-model`.
public struct CheckpointedModel {
    public let record: RunRecord
    public let configuration: RunConfiguration
    public let model: any TaskModel
    /// The checkpoint the weights come from.
    public let checkpoint: CheckpointRecord
    /// The optimizer's state at that checkpoint (a tensor archive).
    public let optimizerState: Data

    /// Opens `storePath` read-only and loads the newest verifying checkpoint of the run `runText`
    /// (identifier or unique prefix).
    /// - Throws: ``TrainingError`` naming the store, run or checkpoint at fault.
    public static func load(run runText: String, storePath: String) throws(TrainingError) -> CheckpointedModel {
        let store: RunStore
        let record: RunRecord
        let configuration: RunConfiguration
        let checkpoints: [CheckpointRecord]
        do {
            store = try RunStore(path: storePath, access: .readOnly)
            try store.verifyIntegrity()
            record = try store.run(matching: runText)
            configuration = try record.configuration()
            checkpoints = try store.checkpoints(of: record.id)
        } catch {
            throw .wrapping(error)
        }
        var generator = SeededGenerator(seed: configuration.seed)
        let model = try TaskModelFactory.makeModel(configuration.task.specification.model, using: &generator)
        var failures: [String] = []
        for candidate in checkpoints.sorted(by: { $0.step > $1.step }) {
            do {
                let checkpoint = try CheckpointFile.read(from: candidate.path, expectedChecksum: candidate.checksum)
                try model.module.loadState(try TensorArchive.decode(checkpoint.modelState))
                return CheckpointedModel(
                    record: record, configuration: configuration, model: model, checkpoint: candidate,
                    optimizerState: checkpoint.optimizerState)
            } catch {
                failures.append("\(candidate.path): \(error)")
            }
        }
        throw .notResumable(
            runId: record.id.rawValue,
            reason: checkpoints.isEmpty
                ? "it has no checkpoint yet" : "no checkpoint verifies: " + failures.joined(separator: "; "))
    }
}

/// `glidepath probe`: the probes at a run's last checkpoint on the first N examples of a split, in file
/// order, so a number can be checked against another tool on exactly the same weights and batch.
public enum RunProbe {
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    /// The examples, the measurement and the loaded model.
    public struct Result {
        public var model: CheckpointedModel
        public var batch: TrainingBatch
        public var measurement: ProbeMeasurement
    }

    /// Measures with `settings` on the first `examples` examples of `split` (the run's own data
    /// directory unless `dataDirectory` is given). With an even count ≥ 2 the examples form two equal
    /// probe batches (so the noise scale is defined); the loss is their mean either way.
    public static func run(
        _ runText: String, storePath: String, split: Split, examples: Int,
        dataDirectory: String? = nil, settings: LandscapeProbeSettings = .init()
    )
        throws(TrainingError) -> Result
    {
        guard examples >= 1 else { throw .invalidConfiguration("--examples \(examples): must be >= 1") }
        let loaded = try CheckpointedModel.load(run: runText, storePath: storePath)
        let c = loaded.configuration
        try TrainingSession.setThreads(c.threads)
        // The first N in file order (issue 11): the test split is read whole for a sampled run; the
        // training split is the run's own training part (its subset, so the vocabulary is the run's).
        let data = try TaskData.load(
            task: c.task, dataDirectory: dataDirectory ?? c.dataDirectory,
            trainingLimit: c.trainingLimit,
            evaluationLimit: c.effectiveSubsetSampling == .first ? c.evaluationLimit : nil,
            trainingBatches: c.trainingBatches, sampling: c.effectiveSubsetSampling)
        let source = split == .train ? data.train : data.test
        let all = ProbeSet(firstOf: source, examples: examples)
        let count = all.indices[0].count
        let batches: [TrainingBatch]
        if count >= 2 && count % 2 == 0 {
            var draws = Xoshiro256StarStar(seed: 0)
            let half = count / 2
            batches = [Array(0..<half), Array(half..<count)].map { source.trainingBatch(at: $0, generator: &draws) }
        } else {
            batches = all.batches
        }
        var state = ProbeState(seed: c.seed)
        // Curvature of the mean loss over all N examples (what another tool computes on the same batch).
        var settings = settings
        settings.hessianBatches = batches.count
        let measurement: ProbeMeasurement
        do {
            let objective = try ProbeObjective.task(model: loaded.model, batches: batches)
            // The optimizer at the checkpoint supplies Adam's preconditioner and step direction.
            let optimizer = try c.optimizer.makeOptimizer(for: loaded.model)
            try optimizer.loadState(try TensorArchive.decode(loaded.optimizerState))
            let optimizerInputs = OptimizerProbeInputs.read(optimizer, parameters: objective.parameters)
            measurement = try LandscapeProbe.measure(
                objective, settings: settings, state: &state,
                preconditioner: optimizerInputs.preconditioner,
                updateDirection: optimizerInputs.direction)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .invalidConfiguration("probe: \(error)")
        }
        return Result(model: loaded, batch: all.batches[0], measurement: measurement)
    }
}

extension TrainingBatch {
    /// The batch as safetensors entries `batch.images|features|tokens`, `batch.lengths`, `batch.labels`
    /// (F32 values, I64 ids), the layout `scripts/fixtures/glidepath_models.py` reads.
    public var safeTensorsEntries: [SafeTensorsFile.Entry] {
        func int64(_ name: String, _ values: [Int32], _ shape: [Int]) -> SafeTensorsFile.Entry {
            var data = Data(capacity: values.count * 8)
            for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { data.append(contentsOf: $0) } }
            return SafeTensorsFile.Entry(name: name, dataType: .int64, shape: shape, bytes: data)
        }
        var entries = [int64("batch.labels", labels, [labels.count])]
        switch inputs {
        case let .images(features, shape): entries.append(.init(name: "batch.images", shape: shape, float32: features))
        case let .features(values, shape): entries.append(.init(name: "batch.features", shape: shape, float32: values))
        case let .tokens(ids, shape, lengths):
            entries.append(int64("batch.tokens", ids, shape))
            entries.append(int64("batch.lengths", lengths, [lengths.count]))
        }
        return entries
    }
}
