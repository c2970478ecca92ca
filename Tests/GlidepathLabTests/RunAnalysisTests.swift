import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Run analysis")
struct RunAnalysisTests {
    func epoch(_ number: Int, train: Double, validation: Double) -> EpochRecord {
        EpochRecord(
            epoch: number, trainLoss: train, validationLoss: validation, validationAccuracy: 0.5, validationF1: 0.5,
            validationAUC: nil, learningRates: [1e-3], trainSeconds: 10, evaluationSeconds: 2)
    }

    @Test("best loss, target, durations, stability and rate changes of a healthy run, by hand")
    func healthy() throws {
        let epochs = [
            epoch(1, train: 1.0, validation: 0.9), epoch(2, train: 0.8, validation: 0.7),
            epoch(3, train: 0.6, validation: 0.75),
        ]
        // Rates: constant, then halved at step 3 (|ln ½| = ln 2), then constant.
        let steps = [1e-3, 1e-3, 5e-4, 5e-4].enumerated().map {
            StepRecord(step: $0.offset + 1, epoch: 1, loss: 1.2, learningRates: [$0.element], gradientNorm: nil)
        }
        let analysis = try RunAnalysis(epochs: epochs, steps: steps, target: 0.72)
        #expect(analysis.bestValidationLoss == 0.7 && analysis.bestEpoch == 2)
        #expect(analysis.targetReach == TargetReach(epochs: 2, trainingSeconds: 20))  // 0.7 ≤ 0.72 after 10 + 10 s
        #expect(analysis.trainingSeconds == 30 && analysis.evaluationSeconds == 6)
        // Train curve 1.0, 0.8, 0.6: mean 0.8, variance (0.04 + 0 + 0.04) / 3.
        expectClose(try #require(analysis.trainLossStability).variance, 0.08 / 3, relativeTolerance: 1e-12)
        // Validation 0.9 → 0.7 → 0.75: the rise 0.75 / 0.7 − 1 ≈ 7% is under the 10% spike threshold.
        #expect(analysis.validationLossStability?.spikeCount == 0)
        #expect(analysis.rateChanges?.adjustmentCount == 1)
        expectClose(try #require(analysis.rateChanges).meanMagnitude, log(2.0), relativeTolerance: 1e-12)
        #expect(analysis.divergence == nil)
    }

    @Test("divergence: a non-finite step loss, or an epoch's train loss above twice the first step loss")
    func divergence() throws {
        let steps = [
            StepRecord(step: 1, epoch: 1, loss: 2.0, learningRates: [1e-3], gradientNorm: nil),
            StepRecord(step: 2, epoch: 2, loss: .nan, learningRates: [1e-3], gradientNorm: nil),
        ]
        let nan = try RunAnalysis(
            epochs: [epoch(1, train: 1.5, validation: 1.4), epoch(2, train: .nan, validation: .nan)],
            steps: steps, target: nil)
        #expect(nan.divergence?.step == 2 && nan.divergence?.epoch == 2)
        #expect(nan.trainLossStability == nil)  // a non-finite curve has no variance
        #expect(nan.bestValidationLoss == 1.4)
        // Limit 2 × 2.0 = 4; epoch 2's mean train loss 4.5 exceeds it.
        let blowUp = try RunAnalysis(
            epochs: [epoch(1, train: 1.5, validation: 1.4), epoch(2, train: 4.5, validation: 5)],
            steps: [steps[0]], target: 1.0)
        #expect(blowUp.divergence == DivergenceEvent(epoch: 2, step: nil, reason: .lossAboveLimit(loss: 4.5, limit: 4)))
        #expect(blowUp.targetReach == nil)
        // Nothing recorded yet.
        let empty = try RunAnalysis(epochs: [], steps: [], target: 0.5)
        #expect(empty.epochsCompleted == 0 && empty.bestValidationLoss == nil && empty.rateChanges == nil)
    }
}
