import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// DLRSOnPlateau with pytorch-dlrs 0.3.0 semantics (docs/dlrs.md, "DLRSOnPlateau").
@Suite("DLRSOnPlateau")
struct DLRSOnPlateauTests {
    @Test("patience is a window length: the first update comes on call patience + 2", arguments: [0, 1, 3])
    func windowSemantics(patience: Int) throws {
        var scheduler = try DLRSOnPlateauScheduler(baseRates: [0.1], patience: patience)
        let metrics = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
        for (index, metric) in metrics.enumerated() {
            try scheduler.step(Observation(metric: metric))
            let updates = max(0, index + 1 - (patience + 1))
            #expect(scheduler.scheduler.stepCount == updates, "call \(index + 1)")
            #expect(scheduler.metricHistory == Array(metrics[...index].suffix(patience + 2)))
            #expect(scheduler.stepCount == index + 1)
        }
        // Each update reads the latest window: falling metrics raise the rate.
        #expect(scheduler.learningRates[0] > 0.1)
        #expect(scheduler.scheduler.diagnostics.losses == Array(metrics.suffix(patience + 2)))
    }

    @Test("the history is bounded to patience + 2 however long the run")
    func boundedHistory() throws {
        var scheduler = try DLRSOnPlateauScheduler(baseRates: [0.01], patience: 2)
        var generator = SplitMix64(seed: 5)
        for _ in 0..<1_000 {
            try scheduler.step(Observation(metric: Double.random(in: 0.1...1, using: &generator)))
            #expect(scheduler.metricHistory.count <= 4)
        }
    }

    @Test("a rejected or missing metric does not enter the history and changes nothing")
    func rejectedMetric() throws {
        var scheduler = try DLRSOnPlateauScheduler(baseRates: [0.1], mode: .maximize, patience: 1)
        try scheduler.step(Observation(metric: 0.5))
        try scheduler.step(Observation(metric: 0.6))
        let before = scheduler.state
        for (observation, value, reason) in [
            (Observation(metric: .nan), "nan", "must be finite"),
            (Observation(metric: -0.1), "-0.1", "must be nonnegative"),
            (Observation(metric: .infinity), "inf", "must be finite"), (Observation(losses: [1, 2]), "nil", "needs"),
        ] {
            #expect(throws: SchedulerError.self) { try scheduler.step(observation) }
            do { try scheduler.step(observation) } catch {
                guard case let .invalidObservation(step, field, actual, actualReason) = error else { continue }
                #expect(step == 2 && field == "metric" && actual == value)
                #expect(actualReason.contains(reason), "\(actualReason)")
            }
            #expect(scheduler.state == before)
        }
    }

    @Test("a failed inner update does not enter the history")
    func failedUpdate() throws {
        var scheduler = try DLRSOnPlateauScheduler(baseRates: [1.7e308], patience: 0)
        try scheduler.step(Observation(metric: 1))
        let before = scheduler.state
        // Window [1, 0]: s = −2 raises 1.7e308 past the largest double.
        #expect(throws: SchedulerError.self) { try scheduler.step(Observation(metric: 0)) }
        #expect(scheduler.state == before)
        #expect(scheduler.metricHistory == [1])
    }

    @Test("max mode reverses the slope: a rising accuracy raises the rate, a falling one cuts it")
    func maxMode() throws {
        var rising = try DLRSOnPlateauScheduler(baseRates: [0.1], mode: .maximize)
        try rising.step(Observation(metric: 0.5))
        try rising.step(Observation(metric: 0.8))
        #expect(rising.learningRates[0] > 0.1)
        var falling = try DLRSOnPlateauScheduler(baseRates: [0.1], mode: .maximize)
        try falling.step(Observation(metric: 0.8))
        try falling.step(Observation(metric: 0.5))
        #expect(falling.learningRates[0] < 0.1)
        // q = −1 on [0.8, 0.5] gives s = +0.3/0.65: stagnation, 0.1 − 0.1·s.
        expectClose(falling.learningRates[0], 0.1 - 0.1 * (0.3 / 0.65), relativeTolerance: 1e-15)
    }

    @Test("state round trip at every step continues bit-identically; restore validates")
    func state() throws {
        var generator = SplitMix64(seed: 12)
        let metrics = (0..<30).map { _ in Double.random(in: 0.05...1, using: &generator) }
        for mode in DLRSOnPlateauScheduler.Mode.allCases {
            var reference = try DLRSOnPlateauScheduler(baseRates: [0.1, 0.003], mode: mode, patience: 2)
            var states: [DLRSOnPlateauScheduler.State] = []
            for metric in metrics {
                try reference.step(Observation(metric: metric))
                states.append(reference.state)
            }
            for split in stride(from: 0, to: metrics.count, by: 3) {
                var resumed = try DLRSOnPlateauScheduler(baseRates: [0.1, 0.003], mode: mode, patience: 2)
                if split > 0 {
                    let data = try StateCoding.encoder().encode(states[split - 1])
                    try resumed.restore(StateCoding.decoder().decode(DLRSOnPlateauScheduler.State.self, from: data))
                }
                for index in split..<metrics.count {
                    try resumed.step(Observation(metric: metrics[index]))
                    #expect(resumed.state == states[index])
                }
            }
        }
        var scheduler = try DLRSOnPlateauScheduler(baseRates: [0.1])
        let good = scheduler.state
        var bad = good; bad.metricHistory = [0.5, .nan]
        #expect(
            throws: SchedulerError.invalidState(
                field: "metricHistory[1]", value: "nan", reason: "must be finite and >= 0")
        ) {
            try scheduler.restore(bad)
        }
        bad = good; bad.patience = -1
        #expect(throws: SchedulerError.self) { try scheduler.restore(bad) }
        bad = good; bad.scheduler.learningRates = [0.1, 0.2]
        #expect(throws: SchedulerError.self) { try scheduler.restore(bad) }
        bad = good; bad.version = 0
        #expect(throws: SchedulerError.self) { try scheduler.restore(bad) }
        #expect(scheduler.state == good)
        // A legacy history longer than the window keeps its newest patience + 2 metrics.
        var long = good; long.metricHistory = [0.9, 0.8, 0.7, 0.6]
        try scheduler.restore(long)
        #expect(scheduler.metricHistory == [0.7, 0.6])
    }

    @Test("invalid patience is rejected")
    func invalidPatience() {
        #expect(throws: SchedulerError.invalidArgument(name: "patience", value: "-1", reason: "must be in 0...1000000"))
        {
            try DLRSOnPlateauScheduler(baseRates: [0.1], patience: -1)
        }
    }
}
