import GlidepathNN
import GlidepathTensor

extension ProbeObjective {
    /// The logits of a task model with the ReLU/max-pool pattern of `index` recorded or replayed (the
    /// CNN and MLP are piecewise linear; the BiLSTM is smooth and runs as usual).
    static func logits(
        _ model: any TaskModel, _ batch: TrainingBatch, index: Int, patterns: ActivationPatterns,
        mode: ActivationPatternMode
    ) throws(TrainingError) -> Tensor {
        func run(_ layers: Sequential, _ input: Tensor) throws(TrainingError) -> Tensor {
            do { return try patterns.apply(layers, to: input, batch: index, mode: mode) } catch {
                throw .invalidBatch(error.description)
            }
        }
        if let cnn = model as? ConvolutionalClassifier {
            let expected = [cnn.network.inputChannels, cnn.network.inputHeight, cnn.network.inputWidth]
            guard case let .images(features, shape) = batch.inputs, shape.count == 4,
                Array(shape.dropFirst()) == expected
            else { return try model.logits(batch) }  // reports the batch mismatch
            return try run(cnn.layers, try input(shape, features))
        }
        if let mlp = model as? PerceptronClassifier {
            guard case let .features(values, shape) = batch.inputs, shape.count == 2,
                shape[1] == mlp.network.inputFeatures
            else { return try model.logits(batch) }
            return try run(mlp.layers, try input(shape, values))
        }
        return try model.logits(batch)
    }

    private static func input(_ shape: [Int], _ values: [Float]) throws(TrainingError) -> Tensor {
        do { return try Tensor(shape: shape, scalars: values) } catch { throw .invalidBatch("\(error)") }
    }

    /// The probe objective of a task model on fixed batches: the mean cross-entropy of each batch, with
    /// the model in evaluation mode during each evaluation (the tasks have no dropout or batch norm
    /// today; the switch keeps the probes deterministic if one is added) and every parameter tensor
    /// its own layer. All batches must have `batches[0].count` examples.
    ///
    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for no batches or unequal sizes.
    public static func task(model: any TaskModel, batches: [TrainingBatch]) throws(NNError) -> ProbeObjective {
        guard let first = batches.first else {
            throw .invalidArgument(name: "batches", value: "0", reason: "needs >= 1")
        }
        for (index, batch) in batches.enumerated() where batch.count != first.count {
            throw .invalidArgument(
                name: "batches[\(index)]", value: "\(batch.count) examples",
                reason: "every probe batch needs \(first.count)")
        }
        let lossFunction = try CrossEntropyLoss()
        let patterns = ActivationPatterns()
        return try ProbeObjective(
            parameters: model.module.namedParameters, batchCount: batches.count,
            batchSize: first.count
        ) { (index: Int, mode: ActivationPatternMode) throws(NNError) -> Tensor in
            let module = model.module
            let wasTraining = module.isTraining
            module.setTraining(false)
            defer { module.setTraining(wasTraining) }
            let logits: Tensor
            do throws(TrainingError) {
                logits = try Self.logits(model, batches[index], index: index, patterns: patterns, mode: mode)
            } catch {
                throw .invalidInput(
                    name: "probe batch \(index)", value: "\(batches[index].count) examples",
                    reason: error.description)
            }
            return try lossFunction(logits, batches[index].labels)
        }
    }
}
