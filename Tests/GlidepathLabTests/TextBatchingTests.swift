import Foundation
import Glidepath
import GlidepathData
import GlidepathLab
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// `--text-batching` (`docs/tasks.md`, "Text batches"): the BiLSTM's results do not depend on the
/// padding, the option is recorded with every text run (older records mean `padded`), and the
/// bucketed loader really batches texts of similar length padded to their longest.
@Suite("Text batching")
struct TextBatchingTests {
    /// Token rows of `lengths` (ids 2 + (7·b + t) % 997, never the padding id 0), padded to `width`.
    static func batch(lengths: [Int], width: Int) -> TrainingBatch {
        var ids: [Int32] = []
        for (b, length) in lengths.enumerated() {
            for t in 0..<width { ids.append(t < length ? Int32(2 + (7 * b + t) % 997) : 0) }
        }
        return TrainingBatch(
            inputs: .tokens(ids: ids, shape: [lengths.count, width], lengths: lengths.map { Int32($0) }),
            labels: lengths.indices.map { Int32($0 % 2) })
    }

    /// The task's BiLSTM on a batch padded to 64 (the SST-2 length) and to its longest text: the same
    /// logits, loss and gradients of every parameter, bit for bit.
    @Test func theModelIgnoresPadding() throws {
        var generator = SeededGenerator(seed: 3)
        let model = try TaskModelFactory.makeModel(.recurrent(.sst2), using: &generator)
        let loss = try CrossEntropyLoss()
        let lengths = [5, 2, 11, 0, 11, 1]  // 0: an empty text counts as one padding token
        func run(width: Int) throws -> (logits: [Float], loss: Float, gradients: [[Float]]) {
            for parameter in model.module.parameters { parameter.clearGradient() }
            let batch = Self.batch(lengths: lengths, width: width)
            let logits = try model.logits(batch)
            let value = try loss(logits, batch.labels)
            value.backward()
            return (logits.scalars, value.scalar, model.module.parameters.map { $0.grad?.scalars ?? [] })
        }
        let tight = try run(width: 11), wide = try run(width: 64)
        #expect(tight.logits == wide.logits)
        #expect(tight.loss.bitPattern == wide.loss.bitPattern)
        #expect(tight.gradients == wide.gradients)
        #expect(tight.gradients.allSatisfy { !$0.isEmpty })
    }

    @Test func recordedWithEveryTextRunAndOlderRecordsMeanPadded() throws {
        let text = RunConfiguration(
            task: .sst2BiLSTM, scheduler: "cosine", schedulerConfiguration: .null, seed: 1,
            dataDirectory: "/data", threads: 1)
        #expect(text.textBatching == .bucketed && text.effectiveTextBatching == .bucketed)
        let json = try text.json()
        #expect(json.contains("\"textBatching\":\"bucketed\""))
        #expect(try RunConfiguration.decode(json: json) == text)
        // A configuration recorded before the field existed.
        let older = try RunConfiguration.decode(
            json: json.replacingOccurrences(of: ",\"textBatching\":\"bucketed\"", with: ""))
        #expect(older.textBatching == nil && older.effectiveTextBatching == .padded)
        #expect(try older.batchingOptions().bucketing == nil)
        #expect(try text.batchingOptions().bucketing == (try LengthBucketing(chunkBatches: TextBatching.chunkBatches)))
        let padded = RunConfiguration(
            task: .imdbBiLSTM, scheduler: "cosine", schedulerConfiguration: .null, seed: 1,
            dataDirectory: "/data", threads: 1, textBatching: .padded)
        #expect(padded.effectiveTextBatching == .padded)
        let tabular = RunConfiguration(
            task: .adultMLP, scheduler: "cosine", schedulerConfiguration: .null, seed: 1,
            dataDirectory: "/data", threads: 1)
        #expect(tabular.textBatching == nil && tabular.effectiveTextBatching == nil)
        var wrong = tabular
        wrong.textBatching = .bucketed
        #expect(throws: TaskError.self) { try wrong.validate() }
    }

    /// On real SST-2: bucketed batches are as wide as their longest sentence and far narrower than 64 on
    /// average; padded batches are 64 wide.
    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func bucketedSST2BatchesAreNarrow() throws {
        let directory = try TestEnvironment.requireDataDirectory().path
        for mode in TextBatching.allCases {
            let configuration = RunConfiguration(
                task: .sst2BiLSTM, scheduler: "constant", schedulerConfiguration: .null,
                seed: 2, dataDirectory: directory, threads: 1, trainingLimit: 3200,
                evaluationLimit: 10, textBatching: mode)
            let data = try TaskData.load(
                task: .sst2BiLSTM, dataDirectory: directory, trainingLimit: 3200,
                evaluationLimit: 10, textPadding: mode.padding)
            let loader = DataLoader(
                source: AnyTrainingBatchSource(data.train), options: try configuration.batchingOptions())
            var widths: [Int] = []
            for index in 0..<loader.batchesPerEpoch {
                guard case let .tokens(_, shape, lengths) = loader.batch(epoch: 0, index: index).inputs else {
                    Issue.record("not a text batch")
                    return
                }
                if mode == .bucketed { #expect(shape[1] == max(1, Int(lengths.max() ?? 0))) }
                widths.append(shape[1])
            }
            let mean = Double(widths.reduce(0, +)) / Double(widths.count)
            switch mode {
            case .padded: #expect(widths.allSatisfy { $0 == 64 })
            // SST-2's training sentences average about ten tokens (issue 13): sorted chunks keep batches near that.
            case .bucketed: #expect(mean < 32, "mean bucketed width \(mean)")
            }
        }
    }
}
