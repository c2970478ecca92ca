import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import Testing

@testable import GlidepathLab

/// `OptimizerConfiguration`: the registry, defaults in the types, strict decoding with field paths,
/// range checks, `--optimizer`/`--optimizer-config` resolution, and embedding in larger documents.
@Suite("Optimizer configurations")
struct OptimizerConfigurationTests {
    func decode(_ json: String, named name: OptimizerConfiguration.Name? = nil) throws -> OptimizerConfiguration {
        let value = try StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8))
        return try OptimizerConfiguration(value, named: name)
    }

    func failure(_ json: String, named name: OptimizerConfiguration.Name? = nil, validate: Bool = false) -> TaskError? {
        do {
            let configuration = try decode(json, named: name)
            if validate { try configuration.validate() }
            return nil
        } catch let error as TaskError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("every registered optimizer: defaults from {}, JSON round trip, its fields, a working optimizer")
    func registry() throws {
        for type in OptimizerRegistry.types {
            let configuration = try OptimizerConfiguration(.object([:]), named: type.name)
            try configuration.validate()
            #expect(configuration.name == type.name)
            let json = String(decoding: try StateCoding.encoder().encode(configuration), as: UTF8.self)
            #expect(json.contains(#""name":"\#(type.name)""#))
            #expect(try decode(json) == configuration, "\(type.name)")
            // Every encoded field is a known field (optional ones may be absent at their nil default).
            guard case .object(let fields) = try StateValue(encoding: configuration) else { throw CancellationError() }
            #expect(
                Set(fields.keys).subtracting(["name"]).subtracting(type.fixedFields).isSubset(of: Set(type.fieldNames)),
                "\(type.name): \(fields.keys.sorted())")
            let parameter = Tensor.zeros(shape: [3]).requiringGradient()
            let optimizer = try configuration.parameters.makeOptimizer(groups: [
                ([parameter], configuration.parameters.weightDecay)
            ])
            #expect(optimizer.learningRates == [configuration.parameters.learningRate])
        }
        // The reference packages' defaults for the learning-rate-free optimizers.
        let prodigy = try #require(try decode(#"{"name": "prodigy"}"#).parameters as? ProdigyConfiguration)
        #expect(
            prodigy.learningRate == 1 && prodigy.shared.d0 == 1e-6 && prodigy.shared.growthRate == .infinity
                && prodigy.shared.decoupledWeightDecay && prodigy.shared.beta3 == nil && prodigy.momentum == 0.9)
        let schedulefree = try #require(
            try decode(#"{"name": "scheduleFreeAdamW"}"#).parameters as? ScheduleFreeAdamWConfiguration)
        #expect(schedulefree.learningRate == 0.0025 && schedulefree.group.weightLearningRatePower == 2)
        #expect(try decode(#"{"name": "dog"}"#).parameters.momentum == nil)
        #expect(
            ProdigyConfiguration.fieldNames.contains("beta3") && ProdigyConfiguration.fieldNames.contains("sliceStride")
        )
        #expect(
            !AdamConfiguration.fieldNames.contains("weightDecayMode")
                && !DoGConfiguration.fieldNames.contains("variant"))
    }

    @Test("given fields overwrite the defaults; the name fixes Adam's coupling and DoG's variant")
    func overlay() throws {
        let prodigy = try #require(
            try decode(
                #"{"name": "prodigy", "dCoef": 0.5, "growthRate": "Infinity", "beta3": 0.99, "weightDecay": 0.01}"#
            )
            .parameters as? ProdigyConfiguration)
        #expect(
            prodigy.shared.dCoef == 0.5 && prodigy.shared.beta3 == 0.99 && prodigy.weightDecay == 0.01
                && prodigy.shared.beta1 == 0.9)
        let adamW = try #require(
            try decode(#"{"name": "adamw", "learningRate": 0.01}"#).parameters as? AdamWConfiguration)
        #expect(adamW.group.weightDecayMode == .decoupled && adamW.learningRate == 0.01)
        let ldog = try #require(try decode(#"{"name": "ldog"}"#).parameters as? LayerWiseDoGConfiguration)
        #expect(ldog.shared.variant == .layerWise)
        let scoped = try decode(#"{"name": "sgd", "weightDecayScope": "weights-only"}"#)
        #expect(scoped.weightDecayScope == .weightsOnly && scoped.resolvingScope(.all).weightDecayScope == .weightsOnly)
        #expect(try decode(#"{"name": "sgd"}"#).resolvingScope(.all).weightDecayScope == .all)
    }

    @Test("unknown names and fields, wrong types and out-of-range values name the field")
    func strictErrors() throws {
        let unknownField = try #require(failure(#"{"name": "prodigy", "dcoef": 0.5}"#))
        guard case let .invalidOptimizerSetting(name, value, reason) = unknownField else { throw CancellationError() }
        #expect(name == "optimizer.dcoef" && value == "0.5")
        #expect(
            reason.contains("unknown field for prodigy") && reason.contains("dCoef")
                && reason.contains("safeguardWarmup"))
        #expect(
            failure(#"{"name": "prodigy", "dCoef": "big"}"#)
                == .invalidOptimizerSetting(name: "optimizer.dCoef", value: #""big""#, reason: "expected a number"))
        #expect(
            failure(#"{"name": "prodigy", "safeguardWarmup": 1}"#)
                == .invalidOptimizerSetting(
                    name: "optimizer.safeguardWarmup", value: "1", reason: "expected true or false"))
        #expect(
            failure(#"{"name": "lion"}"#)?.description.contains(
                "optimizer.name=\"lion\": unknown optimizer; expected one of adam, adamw") == true)
        #expect(failure(#"{"learningRate": 0.1}"#)?.description.contains("optimizer.name") == true)
        #expect(
            failure(#"{"name": "adam"}"#, named: "prodigy")?.description.contains("another optimizer than prodigy")
                == true)
        #expect(
            failure(#"{"name": "adam", "weightDecayMode": "decoupled"}"#)?.description.contains(
                "optimizer.weightDecayMode") == true)
        #expect(failure(#"{"name": "dog", "variant": "ldog"}"#)?.description.contains("optimizer.variant") == true)
        #expect(
            failure(#"{"name": "sgd", "weightDecayScope": "most"}"#)?.description.contains("optimizer.weightDecayScope")
                == true)
        #expect(
            failure(#"{"name": "scheduleFreeSGD", "warmupSteps": 2.5}"#)
                == .invalidOptimizerSetting(name: "optimizer.warmupSteps", value: "2.5", reason: "expected an integer"))
        #expect(failure(#"{"name": "prodigy", "beta3": "high"}"#)?.description.contains("optimizer.beta3") == true)
        #expect(failure(#"[1, 2]"#)?.description.contains("expected a JSON object") == true)
        #expect(
            failure(#"{"name": "prodigy", "beta3": 1.5}"#, validate: true)
                == .invalidOptimizerSetting(name: "optimizer.beta3", value: "1.5", reason: "must lie in [0, 1)"))
        #expect(
            failure(#"{"name": "dAdaptSGD", "growthRate": 0.5}"#, validate: true)?.description
                .contains("optimizer.growthRate=0.5") == true)
        #expect(
            failure(#"{"name": "scheduleFreeAdamW", "beta1": 1}"#, validate: true)?.description
                .contains("optimizer.beta1=1.0") == true)
    }

    @Test("--optimizer and --optimizer-config: which name wins, and the task's optimizer as the fallback")
    func requested() throws {
        #expect(try OptimizerConfiguration.requested(name: nil, file: nil, fallback: "adam") == nil)
        #expect(try OptimizerConfiguration.requested(name: "prodigy", file: nil, fallback: "adam")?.name == "prodigy")
        let tweaked = try #require(
            try OptimizerConfiguration.requested(
                name: nil, file: .object(["learningRate": .double(0.01)]), fallback: "adam"))
        #expect(tweaked.name == "adam" && tweaked.parameters.learningRate == 0.01)
        let named = try OptimizerConfiguration.requested(
            name: nil, file: .object(["name": .string("dog")]), fallback: "adam")
        #expect(named?.name == "dog")
        #expect(throws: TaskError.self) {
            try OptimizerConfiguration.requested(
                name: "adam", file: .object(["name": .string("prodigy")]), fallback: "adam")
        }
        #expect(
            throws: TaskError.invalidOptimizerSetting(
                name: "--optimizer", value: "lion",
                reason: "unknown optimizer; expected one of adam, adamw, sgd, "
                    + "scheduleFreeAdamW, scheduleFreeSGD, prodigy, dog, ldog, dAdaptAdam, dAdaptSGD")
        ) {
            try OptimizerConfiguration.requested(name: "lion", file: nil, fallback: "adam")
        }
        #expect(throws: TaskError.self) {
            try OptimizerConfiguration.requested(name: "prodigy", file: .object(["dCoef": .int(-1)]), fallback: "adam")
        }
    }

    /// A study plan (or any document) can embed a configuration: Codable, Equatable, strict, and its errors
    /// name the field where it sits.
    @Test("embedded in a larger document: strict, with the document's field path")
    func embedding() throws {
        struct Arm: Codable, Equatable {
            var name: String
            var optimizer: OptimizerConfiguration
        }
        struct Plan: Codable, Equatable { var arms: [Arm] }
        let text =
            #"{"arms": [{"name": "a", "optimizer": {"name": "adam"}}, {"name": "b", "optimizer": {"name": "prodigy", "dCoef": 0.5}}]}"#
        let plan = try StateCoding.decoder().decode(Plan.self, from: Data(text.utf8))
        #expect(plan.arms[1].optimizer.name == "prodigy")
        #expect(try StateCoding.decoder().decode(Plan.self, from: StateCoding.encoder().encode(plan)) == plan)
        let bad = text.replacingOccurrences(of: #""dCoef": 0.5"#, with: #""dCoeff": 0.5"#)
        do {
            _ = try StateCoding.decoder().decode(Plan.self, from: Data(bad.utf8))
            Issue.record("an unknown field was accepted")
        } catch let error as TaskError {
            #expect(error.description.contains("arms[1].optimizer.dCoeff"), "\(error)")
        }
        #expect(plan.arms[0] != plan.arms[1])

        // Through StrictDecoding, the decoder the scheduler configurations (and study plans) use.
        struct Defaulted: Codable, Equatable {
            var optimizer = OptimizerConfiguration.study
            var seeds = 1
        }
        let strict = try StrictDecoding.decode(
            Defaulted.self,
            from: [
                "optimizer": .object(["name": .string("prodigy"), "dCoef": .double(0.5)])
            ], defaults: Defaulted(), kind: "plan")
        #expect(strict.optimizer.name == "prodigy" && strict.seeds == 1)
        #expect(
            try StrictDecoding.decode(Defaulted.self, from: [:], defaults: Defaulted(), kind: "plan") == Defaulted())
        do {
            _ = try StrictDecoding.decode(
                Defaulted.self, from: ["optimizer": .object(["name": .string("prodigy"), "d": .int(1)])],
                defaults: Defaulted(), kind: "plan")
            Issue.record("an unknown field was accepted")
        } catch let error as TaskError {
            #expect(error.description.contains("optimizer.d=1"), "\(error)")
        }
    }
}
