import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// Configurations recorded by runs before configurations were typed: the run store kept the object the
/// user gave plus what the run filled in, without the defaults. They must decode to the configuration
/// they meant (every default as it was then) and build. The records below are what that version wrote
/// for `glidepath train` runs (its `SchedulerSetup.resolve`), field for field.
@Suite("Recorded scheduler configurations")
struct RecordedConfigurationTests {
    static func decode(_ json: String) throws -> SchedulerConfiguration {
        try SchedulerConfiguration(StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8)))
    }

    @Test("records written before typed configurations decode to the configuration they meant")
    func legacyRecords() throws {
        var cosine = CosineAnnealingSchedule.Configuration()
        cosine.tMax = 24
        #expect(
            try Self.decode(#"{"cadence":"perUpdate","name":"cosine","tMax":24}"#)
                == SchedulerConfiguration(cosine, cadence: .perUpdate))

        var oneCycle = OneCycleSchedule.Configuration()
        oneCycle.maxLR = 0.01
        oneCycle.totalSteps = 24
        #expect(
            try Self.decode(#"{"maxLR":0.01,"name":"oneCycle","totalSteps":24}"#) == SchedulerConfiguration(oneCycle))

        #expect(try Self.decode(#"{"name":"dlrs"}"#) == SchedulerConfiguration(DLRSScheduler.Configuration()))
        #expect(
            try Self.decode(#"{"maxLR":null,"name":"dlrsOnPlateau","patience":2}"#)
                == SchedulerConfiguration(DLRSOnPlateauScheduler.Configuration(patience: 2)))

        var plateau = ReduceOnPlateauScheduler.Configuration()
        (plateau.mode, plateau.patience, plateau.factor) = (.max, 0, 0.5)
        #expect(
            try Self.decode(#"{"factor":0.5,"mode":"max","name":"reduceOnPlateau","patience":0}"#)
                == SchedulerConfiguration(plateau))

        let mlrsnet = try Self.decode(
            #"""
            {"initialLoss":0.6931471805599453,"name":"mlrsnet","numClasses":2,"switchAt":[8,16],"totalSteps":24,
             "weights":["/w/mlr_snet_1.pth","/w/mlr_snet_100.pth","/w/mlr_snet_200.pth"]}
            """#)
        #expect(
            mlrsnet.parameters as? MLRSNetScheduler.Configuration
                == MLRSNetScheduler.Configuration(
                    weights: ["/w/mlr_snet_1.pth", "/w/mlr_snet_100.pth", "/w/mlr_snet_200.pth"],
                    switchAt: [.step(8), .step(16)], totalSteps: 24, numClasses: 2, initialLoss: 0.6931471805599453))

        var inner = CosineAnnealingSchedule.Configuration()
        inner.tMax = 20
        var warmup = WarmupScheduler.Configuration()
        (warmup.scheduler, warmup.steps) = (SchedulerConfiguration(inner), 4)
        #expect(
            try Self.decode(#"{"name":"warmup","scheduler":{"name":"cosine","tMax":20},"steps":4}"#)
                == SchedulerConfiguration(warmup))
    }

    @Test("a legacy record and its re-encoding (every default written out) build the same scheduler")
    func legacyRecordBuildsTheSameScheduler() throws {
        for json in [
            #"{"cadence":"perUpdate","name":"cosine","tMax":24}"#, #"{"maxLR":0.01,"name":"oneCycle","totalSteps":24}"#,
            #"{"name":"dlrs"}"#, #"{"factor":0.5,"mode":"max","name":"reduceOnPlateau","patience":0}"#,
            #"{"factor":1,"name":"constant"}"#, #"{"gamma":0.5,"name":"step","stepSize":1}"#,
        ] {
            let legacy = try Self.decode(json)
            let rewritten = try StateCoding.decoder().decode(
                SchedulerConfiguration.self,
                from: StateCoding.encoder().encode(legacy))
            var first = try legacy.makeScheduler(baseRates: [1e-3])
            var second = try rewritten.makeScheduler(baseRates: [1e-3])
            for step in 0..<24 {
                let observation = Observation(losses: [1, 0.5 + 0.01 * Double(step % 5)], metric: Double(step % 4))
                try first.step(observation)
                try second.step(observation)
                #expect(
                    first.learningRates == second.learningRates && first.state == second.state, "\(json) step \(step)")
            }
        }
    }
}
