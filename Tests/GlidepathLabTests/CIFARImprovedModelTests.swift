import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// `--cifar-model improved` (the seed's `ImprovedCNN`: dropout 0.5 after the hidden layer, flip / rotation /
/// colour-jitter augmentation of the training images) on real CIFAR-10: recorded with the run, dropout on in
/// training and off in evaluation, and a run stopped mid-epoch and resumed records bit for bit what the
/// uninterrupted run records (dropout masks and augmentation are drawn per batch from the run's seed).
@Suite("CIFAR-10 improved model")
struct CIFARImprovedModelTests {
    func request(_ model: CIFARModel?) throws -> TrainingRequest {
        // data_batch_1 only, 256 training images = 4 updates of 64 per epoch, 128 validation/test images.
        var request = try TrainingRequest(
            task: .cifar10CNN, scheduler: "constant", schedulerFile: .object(["factor": .int(1)]), epochs: 2,
            seed: 3, dataDirectory: try TestEnvironment.requireDataDirectory().path, trainingLimit: 256,
            evaluationLimit: 128, trainingBatches: [1])
        request.cifarModel = model
        return request
    }

    func record(_ store: RunStore, _ run: RunIdentifier) throws -> [String] {
        try store.steps(of: run).map { "step \($0.step) \($0.loss.bitPattern) \($0.gradientNorm?.bitPattern ?? 0)" }
            + store.epochs(of: run).map {
                "epoch \($0.epoch) \($0.trainLoss.bitPattern) \($0.validationLoss.bitPattern)"
            }
    }

    func silent() -> ProgressReporter {
        ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
    }

    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func improvedModelResumesExactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let baseline = try TrainingSession.start(try request(.improved), storePath: directory.path("baseline.sqlite"))
        #expect(baseline.configuration.cifarModel == .improved)
        #expect(try baseline.configuration.json().contains(#""cifarModel":"improved""#))
        // nn.Sequential numbering with the Dropout at index 9: the last Linear is 10.*.
        let names = baseline.model.module.namedParameters.map(\.name)
        #expect(names.contains("10.weight") && !names.contains("9.weight"), "\(names)")
        guard case .finished(let expected) = try baseline.train(progress: silent(), monitor: nil) else {
            throw CancellationError()
        }
        #expect(expected.testLoss.isFinite)
        let stopped: RunIdentifier
        do {
            let session = try TrainingSession.start(try request(.improved), storePath: directory.path("stopped.sqlite"))
            let monitor = InterruptMonitor()
            let stopper = ProgressReporter(style: .lines(stepInterval: 1), clock: SystemClock()) { line in
                if line.hasPrefix("epoch 2/2 step 2/4") { monitor.request(.interrupt) }
            }
            guard case .interrupted = try session.train(progress: stopper, monitor: monitor) else {
                throw CancellationError()
            }
            stopped = session.run
        }
        let (resumed, _) = try TrainingSession.resume(stopped.rawValue, storePath: directory.path("stopped.sqlite"))
        guard case .finished(let result) = try resumed.train(progress: silent(), monitor: nil) else {
            throw CancellationError()
        }
        #expect(try record(resumed.store, resumed.run) == (try record(baseline.store, baseline.run)))
        #expect(result.testLoss.bitPattern == expected.testLoss.bitPattern)

        // The default stays today's model, recorded as such; it trains differently from the improved one.
        let standard = try TrainingSession.start(try request(nil), storePath: directory.path("standard.sqlite"))
        #expect(standard.configuration.cifarModel == .standard)
        #expect(standard.model.module.namedParameters.map(\.name).contains("9.weight"))
    }

    /// Dropout: in training mode a forward pass zeroes hidden units (the logits differ from evaluation
    /// mode's); in evaluation mode two passes agree exactly; the masks follow the batch's position.
    @Test func dropoutIsOnInTrainingOnly() throws {
        var generator = SeededGenerator(seed: 1)
        let model = try TaskModelFactory.makeModel(.convolutional(.color32), hiddenDropout: 0.5, using: &generator)
        var draws = SeededGenerator(seed: 2)
        let pixels = (0..<(2 * 3 * 32 * 32)).map { _ in draws.nextUnitFloat() }
        let batch = TrainingBatch(inputs: .images(features: pixels, shape: [2, 3, 32, 32]), labels: [0, 1])
        func logits() throws -> [Float] {
            try withoutGradients { () throws(TrainingError) in try model.logits(batch).scalars }
        }
        model.module.setTraining(false)
        let evaluation = try logits()
        #expect(try logits() == evaluation)
        model.module.setTraining(true)
        model.prepareTrainingBatch(seed: 3, epoch: 0, batch: 0)
        let training = try logits()
        #expect(training != evaluation)
        model.prepareTrainingBatch(seed: 3, epoch: 0, batch: 0)
        #expect(try logits() == training, "the same batch position draws the same masks")
        model.prepareTrainingBatch(seed: 3, epoch: 0, batch: 1)
        #expect(try logits() != training)
    }
}
