import Foundation
import Testing

@testable import Glidepath

/// The JSON configurations the `glidepath schedule` factory decodes.
@Suite("DLRS configurations")
struct DLRSConfigurationTests {
    /// Decodes a scheduler object with the configuration type's strict decoding (defaults filled in,
    /// unknown keys refused).
    static func decode<T: SchedulerParameters>(_ type: T.Type, _ json: String) throws -> T {
        try T.decode(StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8)))
    }

    @Test("an empty object gives pytorch-dlrs's defaults and Glidepath's exact decade")
    func defaults() throws {
        let configuration = try Self.decode(DLRSScheduler.Configuration.self, "{}")
        // pytorch-dlrs 0.2.1/0.3.0 defaults: delta_d 0.5, delta_o 1.0, delta_i 0.1, min_lr 1e-8, max_lr None.
        #expect(
            configuration
                == DLRSScheduler.Configuration(
                    divergenceFactor: 0.5, stagnationFactor: 1.0, convergenceFactor: 0.1, minimumLearningRate: 1e-8,
                    maximumLearningRate: nil, decade: .exact, unitSlope: .stagnation))
        let plateau = try Self.decode(DLRSOnPlateauScheduler.Configuration.self, "{}")
        #expect(plateau.mode == .minimize && plateau.patience == 0 && plateau.dlrs == configuration)
    }

    @Test("every key is read")
    func keys() throws {
        let configuration = try Self.decode(
            DLRSScheduler.Configuration.self,
            """
            {"name": "dlrs", "deltaD": 0.3, "deltaO": 0.7, "deltaI": 0.05, "minLR": 1e-6, "maxLR": 0.5,
             "decade": "log10", "unitSlope": "convergence"}
            """)
        #expect(
            configuration
                == DLRSScheduler.Configuration(
                    divergenceFactor: 0.3, stagnationFactor: 0.7, convergenceFactor: 0.05, minimumLearningRate: 1e-6,
                    maximumLearningRate: 0.5, decade: .log10, unitSlope: .convergence))
        let plateau = try Self.decode(
            DLRSOnPlateauScheduler.Configuration.self,
            """
            {"name": "dlrsOnPlateau", "mode": "max", "patience": 3, "deltaD": 0.3, "maxLR": null, "decade": "exact"}
            """)
        #expect(plateau.mode == .maximize && plateau.patience == 3)
        #expect(plateau.dlrs.divergenceFactor == 0.3 && plateau.dlrs.maximumLearningRate == nil)
    }

    @Test(
        "unknown keys are rejected naming the key",
        arguments: [
            (#"{"deltaX": 1}"#, "deltaX"), (#"{"delta_d": 0.5}"#, "delta_d"),
            (#"{"minLr": 0.1, "deltaD": 1}"#, "minLr"),
        ])
    func unknownKeys(json: String, key: String) {
        for type in [DLRSScheduler.Configuration.self, DLRSOnPlateauScheduler.Configuration.self]
            as [any SchedulerParameters.Type]
        {
            do {
                _ = try type.decode(StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8)))
                Issue.record("accepted \(json)")
            } catch {
                let message = StateCoding.describe(error)
                #expect(message.contains(key), "\(message)")
                #expect(message.contains("unknown key"), "\(message)")
            }
        }
        // `mode` and `patience` belong to the plateau wrapper only.
        #expect(throws: (any Error).self) { try Self.decode(DLRSScheduler.Configuration.self, #"{"patience": 1}"#) }
    }

    @Test("invalid values name their key")
    func invalidValues() throws {
        for (json, key) in [
            (#"{"decade": "log2"}"#, "decade"), (#"{"deltaD": "big"}"#, "deltaD"),
            (#"{"unitSlope": 1}"#, "unitSlope"),
        ] {
            do {
                _ = try Self.decode(DLRSScheduler.Configuration.self, json)
                Issue.record("accepted \(json)")
            } catch {
                #expect(StateCoding.describe(error).contains(key), "\(StateCoding.describe(error))")
            }
        }
        #expect(throws: (any Error).self) {
            try Self.decode(DLRSOnPlateauScheduler.Configuration.self, #"{"mode": "up"}"#)
        }
        // Range errors come from the initializer, named by JSON key.
        let configuration = try Self.decode(DLRSScheduler.Configuration.self, #"{"deltaO": -1}"#)
        #expect(throws: SchedulerError.invalidArgument(name: "deltaO", value: "-1.0", reason: "must be finite and > 0"))
        {
            try DLRSScheduler(configuration: configuration, baseRates: [0.1])
        }
        let plateau = try Self.decode(DLRSOnPlateauScheduler.Configuration.self, #"{"patience": -2}"#)
        #expect(throws: SchedulerError.self) { try DLRSOnPlateauScheduler(configuration: plateau, baseRates: [0.1]) }
    }

    @Test("a configuration survives encoding and decoding")
    func roundTrip() throws {
        let configuration = DLRSOnPlateauScheduler.Configuration(
            mode: .maximize, patience: 4, dlrs: .init(divergenceFactor: 0.25, maximumLearningRate: 0.3, decade: .log10))
        let data = try StateCoding.encoder().encode(configuration)
        #expect(
            try StateCoding.decoder().decode(DLRSOnPlateauScheduler.Configuration.self, from: data) == configuration)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"deltaD\":0.25") && text.contains("\"mode\":\"max\""))
    }

    @Test("both schedulers work through AnyScheduler with a StateValue state")
    func typeErased() throws {
        var erased = AnyScheduler(try DLRSScheduler(baseRates: [0.1]))
        #expect(erased.cadence == .perEpoch)
        try erased.step(Observation(losses: [1, 0.5]))
        let saved = erased.state
        try erased.step(Observation(losses: [1, 2]))
        var resumed = AnyScheduler(try DLRSScheduler(baseRates: [0.1]))
        try resumed.restore(saved)
        try resumed.step(Observation(losses: [1, 2]))
        #expect(resumed.learningRates == erased.learningRates)
        var plateau = AnyScheduler(try DLRSOnPlateauScheduler(baseRates: [0.1]))
        try plateau.step(Observation(metric: 1))
        try plateau.step(Observation(metric: 0.5))
        #expect(plateau.learningRates[0] > 0.1 && plateau.stepCount == 2)
    }
}
