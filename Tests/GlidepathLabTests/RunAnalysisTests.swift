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
        // A spike above the limit in epoch 2 that recovers by epoch 3 is not a divergence (issue 17).
        let recovered = try RunAnalysis(
            epochs: [
                epoch(1, train: 1.5, validation: 1.4), epoch(2, train: 4.5, validation: 5),
                epoch(3, train: 1.2, validation: 1.1),
            ],
            steps: [steps[0]], target: nil)
        #expect(recovered.divergence == nil)
        #expect(recovered.trainLossStability?.spikeCount == 1)  // 1.5 → 4.5 is a rise of 200%
        // Nothing recorded yet.
        let empty = try RunAnalysis(epochs: [], steps: [], target: 0.5)
        #expect(empty.epochsCompleted == 0 && empty.bestValidationLoss == nil && empty.rateChanges == nil)
    }

    /// The whole-array form of ``RateChanges``'s definition (Δ_{t,g} = |ln η_{t,g} − ln η_{t−1,g}|, an
    /// adjustment when max_g Δ > τ or a rate moves to or from 0; mean and max over the finite magnitudes),
    /// written out here as the oracle for the one-step-at-a-time accumulator `runs show` uses.
    static func referenceChanges(_ rates: [[Double]], threshold: Double) -> RateChanges {
        var magnitudes: [Double] = []
        var count = 0
        var crossings = 0
        for t in rates.indices.dropFirst() {
            let pairs = zip(rates[t - 1], rates[t]).filter { $0.0 != $0.1 }
            if pairs.contains(where: { $0.0 == 0 || $0.1 == 0 }) {
                count += 1
                crossings += 1
                continue
            }
            let largest = pairs.map { abs(log($0.1) - log($0.0)) }.max() ?? 0
            if largest > threshold {
                count += 1
                magnitudes.append(largest)
            }
        }
        return RateChanges(
            adjustmentCount: count,
            meanMagnitude: magnitudes.isEmpty ? 0 : magnitudes.reduce(0, +) / Double(magnitudes.count),
            maximumMagnitude: magnitudes.max() ?? 0, zeroCrossings: crossings)
    }

    @Test("streamed step summary (runs show's cursor) equals the whole-array definition bit for bit, 200 seeds")
    func streamedSummary() throws {
        for seed in 0..<200 {
            var generator = SplitMix64(seed: UInt64(seed))
            let groups = Int.random(in: 1...3, using: &generator)
            let count = Int.random(in: 0...60, using: &generator)
            let steps = (0..<count).map { index in
                StepRecord(
                    step: index + 1, epoch: 1 + index / 20,
                    loss: Int.random(in: 0..<50, using: &generator) == 0
                        ? .nan : Double.random(in: 0.1...3, using: &generator),
                    learningRates: (0..<groups).map { _ in
                        // Repeats, zeros and jumps, so every branch of the definition is taken.
                        switch Int.random(in: 0..<4, using: &generator) {
                        case 0: return 0
                        case 1: return 1e-3
                        default: return Double.random(in: 1e-5...1, using: &generator)
                        }
                    }, gradientNorm: nil)
            }
            var summary = try StepSummary()
            for step in steps { try summary.add(step) }
            #expect(summary.count == count)
            #expect(summary.firstLoss == steps.first?.loss || steps.first?.loss.isNaN == true)
            #expect(summary.firstNonFinite?.step == steps.first { !$0.loss.isFinite }?.step, "seed \(seed)")
            let expected = count == 0 ? nil : Self.referenceChanges(steps.map(\.learningRates), threshold: 0.01)
            #expect(summary.rateChanges == expected, "seed \(seed)")
            // Train losses under 2 × the smallest possible first loss (0.1): only a non-finite step diverges.
            let epochs = [epoch(1, train: 0.15, validation: 0.9), epoch(2, train: 0.1, validation: 0.8)]
            let streamed = try RunAnalysis(epochs: epochs, steps: summary, target: 0.85)
            #expect(streamed.rateChanges == expected && streamed.divergence?.step == summary.firstNonFinite?.step)
        }
    }

    @Test("a step whose group count differs is refused at that step, naming it, and leaves the summary as it was")
    func streamedMismatch() throws {
        var summary = try StepSummary()
        try summary.add(StepRecord(step: 1, epoch: 1, loss: 1, learningRates: [1e-3, 1e-3], gradientNorm: nil))
        #expect(
            throws: MetricsError.lengthMismatch(first: "rates[0]", firstCount: 2, second: "rates[1]", secondCount: 1)
        ) {
            try summary.add(StepRecord(step: 2, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil))
        }
        #expect(throws: MetricsError.self) {
            try summary.add(StepRecord(step: 2, epoch: 1, loss: 1, learningRates: [-1, 1e-3], gradientNorm: nil))
        }
        #expect(summary.count == 1)
    }
}
