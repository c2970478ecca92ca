import Foundation
import Testing

@testable import Glidepath

/// LossRecorder with pytorch-dlrs 0.3.0 semantics (docs/dlrs.md, "LossRecorder").
@Suite("DLRS LossRecorder")
struct DLRSLossRecorderTests {
    @Test("mean, std, slope, min, max and description match pytorch-dlrs 0.3.0 bit for bit (fixture)")
    func fixture() throws {
        // Fixture: 27 sequences (random, tiny, huge, zeros, subnormal) recorded with 0.3.0.dev0's
        // LossRecorder by scripts/fixtures/pytorch_dlrs.py.
        let cases = try #require(try DLRSFixture.load().versions["0.3.0"]?.recorder)
        #expect(cases.count >= 27)
        func check(_ actual: Double?, _ expected: String?, _ label: String) {
            #expect(
                actual?.bitPattern == expected.map(hexDouble)?.bitPattern,
                "\(label): \(String(describing: actual)) vs \(String(describing: expected))")
        }
        for entry in cases {
            var recorder = try LossRecorder()
            for loss in hexDoubles(entry.losses) { try recorder.add(loss) }
            check(recorder.mean, entry.mean, "mean \(entry.losses)")
            check(recorder.standardDeviation, entry.std, "std \(entry.losses)")
            check(recorder.slope, entry.slope, "slope \(entry.losses)")
            check(recorder.minimum, entry.min, "min")
            check(recorder.maximum, entry.max, "max")
            #expect(recorder.description == entry.repr)
        }
    }

    @Test("empty and short recorders")
    func empty() throws {
        var recorder = try LossRecorder()
        #expect(
            recorder.mean == nil && recorder.minimum == nil && recorder.standardDeviation == nil
                && recorder.slope == nil)
        #expect(recorder.description == "LossRecorder(empty)")
        try recorder.add(2)
        #expect(recorder.mean == 2 && recorder.standardDeviation == nil && recorder.slope == nil)
        try recorder.add(0)
        #expect(recorder.slope == -2)  // (0 − 2) / 1
        recorder.reset()
        #expect(recorder.count == 0)
        try recorder.add(0)
        try recorder.add(0)
        #expect(recorder.slope == nil && recorder.mean == 0 && recorder.standardDeviation == 0)
    }

    @Test("invalid losses are typed errors and leave the recorder unchanged")
    func invalid() throws {
        var recorder = try LossRecorder()
        try recorder.add(1)
        for (value, reason) in [
            (Double.nan, "must be finite"), (-1, "must be nonnegative"), (.infinity, "must be finite"),
        ] {
            do {
                try recorder.add(value)
                Issue.record("accepted \(value)")
            } catch {
                guard case let .invalidLoss(index, actual, actualReason) = error else {
                    Issue.record("\(error)"); continue
                }
                #expect(index == 1 && actual.bitPattern == value.bitPattern && actualReason == reason)
            }
        }
        #expect(recorder.losses == [1])
    }

    @Test("a cap raises past it and never drops the first loss")
    func cap() throws {
        var recorder = try LossRecorder(maximumCount: 3)
        for loss in [3.0, 2, 1] { try recorder.add(loss) }
        #expect(throws: LossRecorderError.capacityReached(maximumCount: 3)) { try recorder.add(0.5) }
        #expect(recorder.losses == [3, 2, 1])
        recorder.reset()
        try recorder.add(9)
        #expect(recorder.losses == [9])
        #expect(throws: LossRecorderError.invalidCapacity(0)) { try LossRecorder(maximumCount: 0) }
    }

    @Test("the recorded losses drive DLRS")
    func drivesScheduler() throws {
        var recorder = try LossRecorder()
        for loss in [1.0, 0.8, 0.5] { try recorder.add(loss) }
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        try scheduler.step(Observation(losses: recorder.losses))
        // Slopes agree to rounding: the recorder divides by the max, DLRS scales by a power of two.
        let slope = try #require(recorder.slope)
        #expect(Swift.abs(scheduler.diagnostics.slope - slope) <= 1e-15)
    }
}
