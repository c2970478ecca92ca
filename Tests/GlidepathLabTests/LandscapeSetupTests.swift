import Foundation
import Glidepath
import Testing

@testable import GlidepathLab

/// How the lab prepares a landscape scheduler's configuration (no data needed).
@Suite("Landscape scheduler setup")
struct LandscapeSetupTests {
    @Test func openOptimizerFieldsAreFilledEvenWhenNested() throws {
        let json: StateValue = .object([
            "name": .string("warmup"), "steps": .int(5),
            "scheduler": .object(["name": .string("landscape"), "rule": .string("stability")]),
        ])
        let configuration = try SchedulerConfiguration(json)
        #expect(LandscapeScheduler.Configuration.isUsed(in: configuration))
        let adam = LandscapeScheduler.Configuration.filling(
            configuration, optimizer: OptimizerConfiguration(AdamConfiguration()))
        let inner = try #require(adam.children.first?.parameters as? LandscapeScheduler.Configuration)
        #expect(inner.optimizer == .adam && inner.beta1 == 0.9 && inner.rule == .stability)
        let sgd = LandscapeScheduler.Configuration.filling(
            configuration, optimizer: OptimizerConfiguration(SGDConfiguration()))
        let sgdInner = try #require(sgd.children.first?.parameters as? LandscapeScheduler.Configuration)
        #expect(sgdInner.optimizer == .sgd && sgdInner.momentum == 0.9)
        // A given optimizer is never changed; a configuration without landscape is left alone.
        let given = try SchedulerConfiguration(.object(["name": .string("landscape"), "optimizer": .string("sgd")]))
        let kept = LandscapeScheduler.Configuration.filling(
            given, optimizer: OptimizerConfiguration(AdamConfiguration()))
        #expect((kept.parameters as? LandscapeScheduler.Configuration)?.optimizer == .sgd)
        let cosine = try SchedulerConfiguration(.object(["name": .string("cosine"), "tMax": .int(3)]))
        #expect(!LandscapeScheduler.Configuration.isUsed(in: cosine))
        #expect(
            LandscapeScheduler.Configuration.filling(cosine, optimizer: OptimizerConfiguration(AdamConfiguration()))
                == cosine)
    }

    @Test func theSchedulerNeedsTheLandscapeAndStepsWithItsBase() throws {
        let scheduler = try SchedulerConfiguration(.object(["name": .string("landscape")])).makeScheduler(baseRates: [
            0.1
        ])
        #expect(scheduler.needs.contains(.landscape))
        #expect(scheduler.cadence == .perUpdate, "default base: fixed per update")
        let perEpoch = try SchedulerConfiguration(
            .object([
                "name": .string("landscape"), "scheduler": .object(["name": .string("step"), "stepSize": .int(2)]),
            ])
        ).makeScheduler(baseRates: [0.1])
        #expect(perEpoch.cadence == .perEpoch)
    }
}
