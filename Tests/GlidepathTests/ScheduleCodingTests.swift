import Foundation
import Glidepath
import Testing

/// Closed-form schedules are `Codable` values: they round-trip, and decoding re-validates.
@Suite("Schedule values")
struct ScheduleCodingTests {
    static func roundTrip<Schedule: ClosedFormSchedule>(_ schedule: Schedule) throws -> Schedule {
        try StateCoding.decoder().decode(Schedule.self, from: StateCoding.encoder().encode(schedule))
    }

    @Test("every schedule round-trips through JSON unchanged")
    func roundTrips() throws {
        #expect(try Self.roundTrip(StepSchedule(stepSize: 3, gamma: 0.5)) == StepSchedule(stepSize: 3, gamma: 0.5))
        #expect(try Self.roundTrip(MultiStepSchedule(milestones: [9, 2, 2])).milestones == [2, 2, 9])
        #expect(
            try Self.roundTrip(ConstantSchedule(factor: 0.25, totalIters: 4))
                == ConstantSchedule(factor: 0.25, totalIters: 4))
        #expect(try Self.roundTrip(LinearSchedule()) == LinearSchedule())
        #expect(try Self.roundTrip(ExponentialSchedule(gamma: 0.97)) == ExponentialSchedule(gamma: 0.97))
        #expect(
            try Self.roundTrip(PolynomialSchedule(totalIters: 7, power: 2))
                == PolynomialSchedule(totalIters: 7, power: 2))
        #expect(
            try Self.roundTrip(CosineAnnealingSchedule(tMax: 9, etaMin: 1e-6))
                == CosineAnnealingSchedule(tMax: 9, etaMin: 1e-6))
        #expect(
            try Self.roundTrip(CosineWarmRestartsSchedule(t0: 3, tMult: 2))
                == CosineWarmRestartsSchedule(t0: 3, tMult: 2))
        let cyclic = try CyclicSchedule(
            baseLR: 0.001, maxLR: 0.1, stepSizeUp: 4, stepSizeDown: 0, mode: .expRange, gamma: 0.9)
        #expect(try Self.roundTrip(cyclic) == cyclic)
        let oneCycle = try OneCycleSchedule(maxLR: 0.3, totalSteps: 100, annealStrategy: .linear, threePhase: true)
        #expect(try Self.roundTrip(oneCycle) == oneCycle)
        #expect(
            try Self.roundTrip(InverseSquareRootSchedule(numWarmupSteps: 5))
                == InverseSquareRootSchedule(numWarmupSteps: 5))
        let wsd = try WarmupStableDecaySchedule(
            numWarmupSteps: 1, numStableSteps: 2, numDecaySteps: 3, decayType: .oneMinusSqrt)
        #expect(try Self.roundTrip(wsd) == wsd)
        // The JSON spelling of the 1-sqrt shape is Hugging Face's.
        let text = String(decoding: try StateCoding.encoder().encode(wsd), as: UTF8.self)
        #expect(text.contains(#""decayType":"1-sqrt""#))
    }

    @Test("decoding validates like the initializer")
    func decodingValidates() {
        let invalid = [#"{"stepSize": 0, "gamma": 0.1}"#, #"{"stepSize": 2, "gamma": -1}"#]
        for json in invalid {
            #expect(throws: SchedulerError.self) {
                try StateCoding.decoder().decode(StepSchedule.self, from: Data(json.utf8))
            }
        }
        #expect(throws: SchedulerError.self) {
            try StateCoding.decoder().decode(
                CosineAnnealingSchedule.self, from: Data(#"{"tMax": 0, "etaMin": 0}"#.utf8))
        }
    }

    @Test("a scheduler refuses a state of another version or a negative step")
    func restoreChecks() throws {
        var scheduler = try ClosedFormScheduler(ExponentialSchedule(gamma: 0.5), baseRates: [1])
        try scheduler.step()
        #expect(throws: SchedulerError.self) { try scheduler.restore(.init(version: 2, stepCount: 3)) }
        #expect(throws: SchedulerError.self) { try scheduler.restore(.init(stepCount: -1)) }
        #expect(scheduler.stepCount == 1)
        try scheduler.restore(.init(stepCount: 3))
        #expect(scheduler.learningRates == [0.125])  // 1·0.5³
    }
}
