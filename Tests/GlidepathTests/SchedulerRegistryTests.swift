import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// The registry and the one decoding mechanism every configuration type goes through: properties that
/// hold for every registered type, so a type added later is checked without a new test.
@Suite("Scheduler registry and configuration types")
struct SchedulerRegistryTests {
    static let types = SchedulerRegistry.types

    @Test("names are unique and every type is found under its name")
    func uniqueNames() {
        let names = Self.types.map { $0.name.rawValue }
        #expect(Set(names).count == names.count)
        for type in Self.types {
            #expect(
                SchedulerRegistry.type(named: type.name.rawValue).map(ObjectIdentifier.init) == ObjectIdentifier(type))
        }
        #expect(SchedulerRegistry.type(named: "cosineAnnealingLR") == nil)
        #expect(SchedulerConfiguration.Name.allCases.map(\.rawValue) == names)
    }

    @Test(
        "defaults round-trip: the encoded defaults decode to the defaults, through the strict decoder and JSONDecoder")
    func defaultsRoundTrip() throws {
        for type in Self.types {
            func check<T: SchedulerParameters>(_ type: T.Type) throws {
                let encoded = try StateValue(encoding: T())
                #expect(try T.decode(encoded) == T(), "\(T.name)")
                #expect(try T.decode(.object([:])) == T(), "\(T.name): an empty object is the defaults")
                let data = try StateCoding.encoder().encode(T())
                #expect(try StateCoding.decoder().decode(T.self, from: data) == T(), "\(T.name)")
            }
            try check(type)
        }
    }

    @Test(
        "optional parameters default to nil (an encoded configuration omits nil, so a non-nil default could not be recorded as absent)"
    )
    func optionalDefaultsAreNil() {
        for type in Self.types {
            func check<T: SchedulerParameters>(_ type: T.Type) {
                for child in Mirror(reflecting: T()).children {
                    let mirror = Mirror(reflecting: child.value)
                    if mirror.displayStyle == .optional {
                        #expect(mirror.children.isEmpty, "\(T.name).\(child.label ?? "?") defaults to a value")
                    }
                }
            }
            check(type)
        }
    }

    @Test("an unknown field is refused naming it and listing exactly the fields the type accepts")
    func unknownFieldListsTheFields() throws {
        for type in Self.types {
            let name = type.name.rawValue
            do {
                _ = try SchedulerConfiguration(.object(["name": .string(name), "bogus": .int(1)]))
                Issue.record("\(name) accepted an unknown field")
            } catch {
                guard case let .invalidArgument(field, value, reason) = error else {
                    Issue.record("\(error)"); continue
                }
                #expect(field == "scheduler.bogus" && value == "1")
                #expect(
                    reason.hasPrefix("unknown field for \(name) (unknown key 'bogus'); known fields: "), "\(reason)")
                // Every listed field is accepted (decoding it alone fails, if at all, on its value, never as unknown).
                let listed = reason.components(separatedBy: "known fields: ").last?.components(separatedBy: ", ") ?? []
                #expect(listed.contains("cadence"))
                for key in listed where key != "cadence" {
                    if case let .invalidArgument(_, _, reason)? = Self.error(name: name, key: key) {
                        #expect(!reason.contains("unknown field"), "\(name).\(key): \(reason)")
                    }
                }
            }
        }
    }

    /// The error (if any) of a configuration giving `key` a value of the wrong kind for every field type.
    static func error(name: String, key: String) -> SchedulerError? {
        do {
            _ = try SchedulerConfiguration(.object(["name": .string(name), key: .object(["x": .int(1)])]))
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "random configurations survive encoding and decoding, and build the same scheduler",
        arguments: Array(UInt64(0)..<200))
    func roundTrip(seed: UInt64) throws {
        var random = RandomSchedulerConfigurations(rng: SplitMix64(seed: seed))
        let baseRates = random.baseRates()
        let configuration = try SchedulerConfiguration(random.any(groups: baseRates.count))
        let data = try StateCoding.encoder().encode(configuration)
        let decoded = try StateCoding.decoder().decode(SchedulerConfiguration.self, from: data)
        #expect(decoded == configuration, "seed \(seed)")
        #expect(try StateCoding.encoder().encode(decoded) == data, "seed \(seed): encoding is deterministic")
        var original = try configuration.makeScheduler(baseRates: baseRates)
        var rebuilt = try decoded.makeScheduler(baseRates: baseRates)
        for step in 0..<30 {
            let observation = Observation(losses: [1.0 / Double(step + 1)], metric: 1.0 / Double(step + 1))
            try original.step(observation)
            try rebuilt.step(observation)
            #expect(original.learningRates == rebuilt.learningRates, "seed \(seed) step \(step)")
        }
    }

    @Test("a scheduler's needs: its own input, and the union of a composite's children (at any depth)")
    func needs() throws {
        func needs(_ json: String) throws -> SchedulerInputs {
            try StateCoding.decoder().decode(SchedulerConfiguration.self, from: Data(json.utf8))
                .makeScheduler(baseRates: [0.1]).needs
        }
        #expect(try needs(#"{"name": "cosine", "tMax": 5}"#) == [])
        #expect(try needs(#"{"name": "dlrs"}"#) == .epochLosses)
        #expect(try needs(#"{"name": "reduceOnPlateau"}"#) == .metric)
        #expect(try needs(#"{"name": "dlrsOnPlateau"}"#) == .metric)
        #expect(try needs(#"{"name": "warmup", "steps": 2, "scheduler": {"name": "dlrs"}}"#) == .epochLosses)
        #expect(
            try needs(
                #"""
                {"name": "sequential", "milestones": [2], "schedulers": [
                  {"name": "reduceOnPlateau"},
                  {"name": "chained", "schedulers": [{"name": "dlrs"}, {"name": "step", "stepSize": 2}]}]}
                """#) == [.metric, .epochLosses])
        let mlrsnet = try MLRSNetScheduler(
            nets: [SyntheticNet.weights(seed: 1)], switchSteps: [], classCount: 10,
            initialLoss: 2.3, baseRates: [0.1])
        #expect(mlrsnet.needs == .currentLoss)
        #expect(try WarmupScheduler(mlrsnet, steps: 3).needs == .currentLoss)
        let sequence = try SequentialScheduler(
            schedulers: [
                AnyScheduler(ClosedFormScheduler(FixedSchedule(), baseRates: [0.1], cadence: .perUpdate)),
                AnyScheduler(mlrsnet),
            ],
            milestones: [4])
        #expect(sequence.needs == .currentLoss)
        #expect("\(SchedulerInputs([.currentLoss, .metric]))" == "[currentLoss, metric]")
    }
}
