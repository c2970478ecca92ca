import Foundation
import Glidepath
import GlidepathMLRSNet
import GlidepathTestSupport
import Testing

@Suite("MLR-SNet configuration and weights files")
struct MLRSNetConfigurationTests {
    /// Decodes a scheduler object with the configuration type's strict decoding.
    private static func decode(_ json: String) throws -> MLRSNetScheduler.Configuration {
        try MLRSNetScheduler.Configuration.decode(StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8)))
    }

    private static func decodingMessage(_ json: String) -> String? {
        do { _ = try decode(json); return nil } catch { return StateCoding.describe(error) }
    }

    /// Writes synthetic nets (JSON and .pth) into a fresh temporary directory.
    private static func temporaryNets(_ count: Int) throws -> (URL, [String]) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("glidepath-mlrsnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for index in 0..<count {
            let weights = SyntheticNet.weights(seed: UInt64(100 + index))
            let url: URL
            if index.isMultiple(of: 2) {
                url = directory.appendingPathComponent("net\(index).json")
                try weights.jsonData(provenance: ["seed": "\(100 + index)"]).write(to: url)
            } else {
                url = directory.appendingPathComponent("net\(index).pth")
                try Data(LegacyStream.make(weights.tensors).bytes).write(to: url)
            }
            paths.append(url.path)
        }
        return (directory, paths)
    }

    @Test("decodes the CLI contract, with defaults")
    func decodesContract() throws {
        let configuration = try Self.decode(
            """
            {"name": "mlrsnet", "weights": ["a.pth", "b.json", "c.pth"], "switchAt": [0.25, 700],
             "totalSteps": 1000, "numClasses": 100, "initialLoss": 4.6}
            """)
        #expect(configuration.weights == ["a.pth", "b.json", "c.pth"])
        #expect(configuration.switchAt == [.fraction(0.25), .step(700)])
        #expect(try configuration.resolvedSwitchSteps() == [250, 700])
        #expect(configuration.numClasses == 100 && configuration.initialLoss == 4.6)
        #expect(configuration.gateConvention == .metaTest && configuration.scaleRule == .guarded)
        let explicit = try Self.decode(
            """
            {"weights": ["a"], "numClasses": 10, "initialLoss": 2.3, "gateConvention": "metaTrain", "scaleRule": "reference"}
            """)
        #expect(explicit.gateConvention == .metaTrain && explicit.scaleRule == .reference)
        #expect(try explicit.resolvedSwitchSteps() == [])
    }

    @Test("default switches: three nets at T/3 and 2T/3 (integer division), the published protocol")
    func defaultSwitches() throws {
        for total in [30, 31, 32, 76_600, MLRSNetScheduler.Configuration.maximumTotalSteps] {
            let configuration = MLRSNetScheduler.Configuration(
                weights: ["1", "100", "200"], totalSteps: total, numClasses: 10, initialLoss: 2.3)
            #expect(try configuration.resolvedSwitchSteps() == [total / 3, 2 * total / 3])  // ⌊T/3⌋, ⌊2T/3⌋
        }
        // Fractions: 1/3 of 300 is 100 even though 0.333…·300 rounds to 99.99999999999999.
        let thirds = MLRSNetScheduler.Configuration(
            weights: ["1", "100", "200"], switchAt: [.fraction(1.0 / 3), .fraction(2.0 / 3)], totalSteps: 300,
            numClasses: 10, initialLoss: 2.3)
        #expect(try thirds.resolvedSwitchSteps() == [100, 200])
    }

    @Test("rejects unknown keys, a wrong name and malformed switch points, naming them")
    func rejectsBadJSON() {
        let unknown = Self.decodingMessage(#"{"weights": ["a"], "numClasses": 10, "initialLoss": 2.3, "lr": 0.1}"#)
        #expect(unknown?.contains("unknown key 'lr'") == true, "\(unknown ?? "accepted")")
        let wrongName = Self.decodingMessage(
            #"{"name": "cosine", "weights": ["a"], "numClasses": 10, "initialLoss": 2.3}"#)
        #expect(wrongName?.contains("name") == true && wrongName?.contains("cosine") == true)
        for bad in ["0", "1.5", "-3", "1e300"] {
            let message = Self.decodingMessage(
                #"{"weights": ["a", "b"], "switchAt": ["# + bad + #"], "numClasses": 10, "initialLoss": 2.3}"#)
            #expect(message?.contains("switchAt.0") == true, "\(bad): \(message ?? "accepted")")
        }
        let epoch = Self.decodingMessage(
            #"{"weights": ["a"], "numClasses": 10, "initialLoss": 2.3, "cadence": "perEpoch"}"#)
        #expect(epoch?.contains("cadence") == true, "\(epoch ?? "accepted")")
        #expect(
            Self.decodingMessage(#"{"weights": ["a"], "numClasses": 10, "initialLoss": 2.3, "cadence": "perUpdate"}"#)
                == nil)
        // numClasses (like totalSteps, initialLoss and switchAt) may be left to the run, which fills it in
        // (`resolved(for:)`); a configuration built without it is refused naming it (rejectsBadConfiguration).
        let missing = try? Self.decode(#"{"weights": ["a"], "initialLoss": 2.3}"#)
        #expect(missing != nil && missing?.numClasses == nil)
    }

    @Test("init(configuration:baseRates:) names the bad key")
    func rejectsBadConfiguration() throws {
        let (directory, paths) = try Self.temporaryNets(3)
        defer { try? FileManager.default.removeItem(at: directory) }
        func argument(_ configuration: MLRSNetScheduler.Configuration) -> String? {
            do { _ = try MLRSNetScheduler(configuration: configuration, baseRates: [0.1]); return nil } catch {
                if case let .invalidArgument(name, _, _) = error { return name }
                return "\(error)"
            }
        }
        #expect(argument(.init(weights: [], numClasses: 10, initialLoss: 2.3)) == "weights")
        #expect(argument(.init(weights: paths, numClasses: 10, initialLoss: 2.3)) == "totalSteps")
        #expect(
            argument(.init(weights: paths, switchAt: [.fraction(0.5), .step(9)], numClasses: 10, initialLoss: 2.3))
                == "totalSteps")
        #expect(argument(.init(weights: paths, switchAt: [.step(9)], numClasses: 10, initialLoss: 2.3)) == "switchAt")
        #expect(
            argument(.init(weights: paths, switchAt: [.step(9), .step(3)], numClasses: 10, initialLoss: 2.3))
                == "switchAt[1]")
        #expect(argument(.init(weights: paths, totalSteps: 0, numClasses: 10, initialLoss: 2.3)) == "totalSteps")
        #expect(argument(.init(weights: paths, totalSteps: 90, numClasses: 0, initialLoss: 2.3)) == "numClasses")
        #expect(argument(.init(weights: paths, totalSteps: 90, initialLoss: 2.3)) == "numClasses")
        #expect(argument(.init(weights: paths, totalSteps: 90, numClasses: 10)) == "initialLoss")
        #expect(argument(.init(weights: paths, totalSteps: 90, numClasses: 10, initialLoss: -1)) == "initialLoss")
        let missing = directory.appendingPathComponent("absent.pth").path
        do {
            _ = try MLRSNetScheduler(
                configuration: .init(
                    weights: [paths[0], missing], switchAt: [.step(3)],
                    numClasses: 10, initialLoss: 2.3), baseRates: [0.1])
            Issue.record("accepted a missing file")
        } catch {
            guard case let .invalidArgument(name, value, reason) = error else { Issue.record("\(error)"); return }
            #expect(name == "weights[1]" && value == missing && reason.contains(missing))
        }
    }

    @Test("a configuration of JSON and .pth files drives the same schedule as the nets passed directly")
    func configurationMatchesDirect() throws {
        let (directory, paths) = try Self.temporaryNets(3)
        defer { try? FileManager.default.removeItem(at: directory) }
        var fromConfiguration = try MLRSNetScheduler(
            configuration: Self.decode(
                """
                {"name": "mlrsnet", "weights": \(String(decoding: try JSONEncoder().encode(paths), as: UTF8.self)),
                 "totalSteps": 12, "numClasses": 10, "initialLoss": 2.3}
                """), baseRates: [0.1, 0.2])
        var direct = try MLRSNetScheduler(
            nets: (0..<3).map { SyntheticNet.weights(seed: UInt64(100 + $0)) }, switchSteps: [4, 8], classCount: 10,
            initialLoss: 2.3, baseRates: [0.1, 0.2])
        for step in 0..<12 {
            let observation = Observation(losses: [2.3 * exp(-Double(step) / 5)])
            try fromConfiguration.step(observation)
            try direct.step(observation)
            #expect(fromConfiguration.learningRates == direct.learningRates)
        }
        #expect(fromConfiguration.state == direct.state)
    }

    @Test("weights JSON writer and reader round-trip bit for bit, provenance skipped")
    func jsonRoundTrip() throws {
        let weights = SyntheticNet.weights(seed: 42)
        let data = weights.jsonData(provenance: ["task": "cifar10 \"quoted\"", "seed": "1"])
        let back = try MLRSNetWeights(jsonData: data)
        for parameter in MLRSNetWeights.Parameter.allCases {
            #expect(back[parameter].map(\.bitPattern) == weights[parameter].map(\.bitPattern))
        }
        #expect(back.fingerprint == weights.fingerprint)
        #expect(SyntheticNet.weights(seed: 43).fingerprint != weights.fingerprint)
    }

    @Test("weights validation: missing, unexpected, duplicate, wrong shape or count, dtype, non-finite, format")
    func weightsValidation() throws {
        let tensors = SyntheticNet.weights(seed: 1).tensors
        func problem(_ tensors: [StoredTensor]) -> MLRSNetWeightsError.Problem? {
            do { _ = try MLRSNetWeights(tensors: tensors); return nil } catch { return error.problem }
        }
        #expect(problem(Array(tensors.dropLast())) == .missingTensor("layer3.bias"))
        #expect(
            problem(tensors + [StoredTensor(name: "layer2.0.weight", shape: [1], values: [0])])
                == .unexpectedTensor("layer2.0.weight"))
        #expect(problem(tensors + [tensors[0]]) == .duplicateTensor("layer1.fc_i2h.0.weight"))
        var changed = tensors
        changed[2].shape = [25, 200]
        #expect(
            problem(changed) == .wrongShape(name: "layer1.fc_i2h.2.weight", expected: [200, 25], found: [25, 200]))
        changed = tensors
        changed[9].values = [0, 0]
        #expect(problem(changed) == .wrongElementCount(name: "layer3.bias", expected: 1, found: 2))
        changed = tensors
        changed[4].values[17] = .infinity
        #expect(problem(changed) == .nonFiniteValue(name: "layer1.fc_h2h.0.weight", index: 17, value: "inf"))

        func jsonProblem(_ text: String) -> MLRSNetWeightsError.Problem? {
            do { _ = try MLRSNetWeights(jsonData: Data(text.utf8)); return nil } catch { return error.problem }
        }
        #expect(
            jsonProblem(#"{"layer3.bias": {"shape": [1], "dtype": "float64", "data": [0]}}"#)
                == .unsupportedDataType(name: "layer3.bias", dataType: "float64"))
        guard case .invalidJSON = jsonProblem(#"{"layer3.bias": {"shape": [1], "data": [0]}}"#) else {
            Issue.record("missing dtype accepted"); return
        }
        guard case .invalidJSON = jsonProblem("[1, 2") else { Issue.record("truncated JSON accepted"); return }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-mlrsnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("net.txt")
        try Data("hello".utf8).write(to: text)
        do { _ = try MLRSNetWeights(contentsOf: text); Issue.record("text accepted") } catch {
            #expect(error == MLRSNetWeightsError(path: text.path, problem: .unknownFormat("0x68")))
        }
        let truncated = directory.appendingPathComponent("net.pth")
        try Data(LegacyStream.make(tensors).bytes.prefix(100)).write(to: truncated)
        do { _ = try MLRSNetWeights(contentsOf: truncated); Issue.record("truncated accepted") } catch {
            #expect(error.path == truncated.path)
            guard case .legacyTorch(let inner) = error.problem, case .truncated = inner.problem else {
                Issue.record("\(error)"); return
            }
        }
        do {
            _ = try MLRSNetWeights(contentsOf: directory.appendingPathComponent("absent.json")); Issue.record("absent")
        } catch {
            guard case .unreadable = error.problem else { Issue.record("\(error)"); return }
        }
    }
}
