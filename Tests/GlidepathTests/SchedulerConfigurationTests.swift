import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

@Suite("Scheduler configuration")
struct SchedulerConfigurationTests {
    static func parse(_ json: String) throws -> SchedulerConfiguration {
        try StateCoding.decoder().decode(SchedulerConfiguration.self, from: Data(json.utf8))
    }

    /// The error a configuration raises when parsed and built for `groups` groups.
    static func error(_ json: String, groups: Int = 2) -> SchedulerError? {
        do {
            let configuration = try StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8))
            _ = try SchedulerConfiguration(configuration).makeScheduler(baseRates: Array(repeating: 0.1, count: groups))
            return nil
        } catch let error as SchedulerError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("every name in the enum is accepted by the parser")
    func everyNameParses() throws {
        for name in SchedulerConfiguration.Name.allCases {
            // Only the name: required fields are checked when building, not when parsing.
            let configuration = try Self.parse(#"{"name": "\#(name.rawValue)"}"#)
            #expect(configuration.name == name)
        }
    }

    @Test("PyTorch defaults apply to omitted parameters")
    func defaults() throws {
        // ConstantLR defaults: factor 1/3, total_iters 5 (torch/optim/lr_scheduler.py).
        var constant = try Self.parse(#"{"name": "constant"}"#).makeScheduler(baseRates: [0.3])
        #expect(constant.learningRates == [0.3 * (1.0 / 3)])
        for _ in 0..<5 { try constant.step() }
        #expect(constant.learningRates == [0.3 * ((1.0 / 3) + (1 - 1.0 / 3))])
        // ReduceLROnPlateau defaults: patience 10, factor 0.1 → the 11th non-improving metric reduces.
        var plateau = try Self.parse(#"{"name": "reduceOnPlateau"}"#).makeScheduler(baseRates: [1.0])
        try plateau.step(Observation(metric: 1.0))
        for _ in 0..<10 { try plateau.step(Observation(metric: 1.0)) }
        #expect(plateau.learningRates == [1.0])
        try plateau.step(Observation(metric: 1.0))
        #expect(plateau.learningRates == [0.1])
        #expect(plateau.cadence == .perEpoch)
        // CyclicLR defaults: step_size_up 2000, momentum 0.9 → 0.8.
        let cyclic = try Self.parse(#"{"name": "cyclic", "baseLR": 0.001, "maxLR": 0.1}"#).makeScheduler(baseRates: [
            0.5
        ])
        #expect(cyclic.learningRates == [0.001])
        #expect(cyclic.momenta == [0.9])
        #expect(cyclic.cadence == .perUpdate)
    }

    @Test("fixed keeps every group at its base rate, through steps, signals and a state round trip")
    func fixedRate() throws {
        // Expected values: the base rates themselves (training without a scheduler), bit for bit.
        let bases = [0.1, 3e-4, 0.0]
        var fixed = try Self.parse(#"{"name": "fixed"}"#).makeScheduler(baseRates: bases)
        #expect(fixed.learningRates == bases)
        for step in 0..<1_000 {
            try fixed.step(step.isMultiple(of: 2) ? Observation() : Observation(metric: Double(step)))
            #expect(fixed.learningRates == bases)
        }
        var restored = try Self.parse(#"{"name": "fixed"}"#).makeScheduler(baseRates: bases)
        try restored.restore(fixed.state)
        try restored.step()
        #expect(restored.learningRates == bases)
        // It takes no parameters: a factor is refused, naming the field.
        #expect(Self.error(#"{"name": "fixed", "factor": 0.5}"#).map { "\($0)" }?.contains("scheduler.factor") == true)
    }

    @Test("the cadence field overrides the default")
    func cadenceOverride() throws {
        let scheduler = try Self.parse(#"{"name": "cosine", "tMax": 10, "cadence": "perUpdate"}"#).makeScheduler(
            baseRates: [0.1])
        #expect(scheduler.cadence == .perUpdate)
    }

    @Test("errors name the field path and the value")
    func errorsNameFieldAndValue() throws {
        let cases: [(json: String, name: String, value: String)] = [
            (#"{"name": "cosineAnealing"}"#, "scheduler.name", "\"cosineAnealing\""),
            (#"{"gamma": 0.1}"#, "scheduler.name", "nil"),
            (#"{"name": "step", "stepSize": 2, "gama": 0.1}"#, "scheduler.gama", "0.1"),
            (#"{"name": "step", "stepSize": "two"}"#, "scheduler.stepSize", "\"two\""),
            (#"{"name": "step", "stepSize": 2.5}"#, "scheduler.stepSize", "2.5"),
            (#"{"name": "step"}"#, "scheduler.stepSize", "nil"),
            (#"{"name": "step", "stepSize": 0}"#, "scheduler.stepSize", "0"),
            (#"{"name": "exponential", "gamma": "NaN"}"#, "scheduler.gamma", "nan"),
            (#"{"name": "cyclic", "baseLR": 0.1, "maxLR": [1, 2, 3]}"#, "scheduler.maxLR", "[1,2,3]"),
            (#"{"name": "cyclic", "baseLR": 0.1, "maxLR": 1, "mode": "exp_range"}"#, "scheduler.mode", "\"exp_range\""),
            (#"{"name": "oneCycle", "maxLR": 0.1}"#, "scheduler.totalSteps", "nil"),
            (#"{"name": "reduceOnPlateau", "factor": 1.0}"#, "scheduler.factor", "1.0"),
            (#"{"name": "reduceOnPlateau", "minLR": [0.1]}"#, "scheduler.minLR", "[0.1]"),
            (#"{"name": "cosine", "tMax": 3, "cadence": "perBatch"}"#, "scheduler.cadence", "\"perBatch\""),
            (
                #"{"name": "sequential", "schedulers": [{"name": "exponential", "gamma": 0.9}, {"name": "step", "stepSize": -1}], "milestones": [3]}"#,
                "scheduler.schedulers[1].stepSize", "-1"
            ),
            (
                #"{"name": "sequential", "schedulers": [{"name": "exponential", "gamma": 0.9}, {"name": "nope"}], "milestones": [3]}"#,
                "scheduler.schedulers[1].name", "\"nope\""
            ),
            (
                #"{"name": "sequential", "schedulers": [{"name": "exponential", "gamma": 0.9}], "milestones": [3]}"#,
                "scheduler.milestones", "[3]"
            ),
            (
                #"{"name": "warmup", "scheduler": {"name": "cosine", "tMax": 0}, "steps": 3}"#,
                "scheduler.scheduler.tMax", "0"
            ),
            (#"{"name": "warmup", "scheduler": {"name": "cosine", "tMax": 4}, "steps": 0}"#, "scheduler.steps", "0"),
            (#"{"name": "chained", "schedulers": []}"#, "scheduler.schedulers", "[]"),
            (#"{"name": "dlrs", "deltaD": -1}"#, "scheduler.deltaD", "-1.0"),
            (#"{"name": "dlrs", "decade": "ln"}"#, "scheduler.decade", "\"ln\""),
            (#"{"name": "dlrs", "detlaI": 0.1}"#, "scheduler.detlaI", "0.1"),
            (#"{"name": "dlrsOnPlateau", "mode": "up"}"#, "scheduler.mode", "\"up\""),
            (#"{"name": "mlrsnet"}"#, "scheduler.weights", "nil"),
            (
                #"{"name": "sequential", "schedulers": [{"name": "exponential", "gamma": 0.9}, {"name": "dlrs", "deltaI": 0}], "milestones": [3]}"#,
                "scheduler.schedulers[1].deltaI", "0.0"
            ),
        ]
        for (json, name, value) in cases {
            guard let error = Self.error(json), case let .invalidArgument(actualName, actualValue, reason) = error
            else {
                Issue.record("\(json) did not fail with invalidArgument")
                continue
            }
            #expect(actualName == name, "\(json): \(error)")
            #expect(actualValue == value, "\(json): \(error)")
            #expect(!reason.isEmpty && !error.description.contains("\n"), "one line: \(error)")
        }
    }

    @Test("per-group lists and epochs × stepsPerEpoch")
    func perGroupAndEpochs() throws {
        let oneCycle = try Self.parse(#"{"name": "oneCycle", "maxLR": [0.1, 0.4], "epochs": 3, "stepsPerEpoch": 10}"#)
            .makeScheduler(baseRates: [1, 1])
        // η(0) is PyTorch's cos anneal at pct 0 from initial_lr = maxLR/25 to maxLR:
        // end + (start − end)/2·(cos 0 + 1), which is maxLR/25 only up to rounding.
        #expect(oneCycle.learningRates == [0.1, 0.4].map { $0 + ($0 / 25.0 - $0) / 2.0 * 2.0 })
        expectClose(oneCycle.learningRates, [0.1 / 25, 0.4 / 25], relativeTolerance: 1e-14)
        let plateau = try Self.parse(#"{"name": "reduceOnPlateau", "minLR": [0.01, 0.02]}"#).makeScheduler(baseRates: [
            1, 1,
        ])
        #expect(plateau.learningRates == [1, 1])
    }

    @Test("momentum input is validated per group")
    func momentumValidation() throws {
        let configuration = try Self.parse(#"{"name": "exponential", "gamma": 0.9}"#)
        #expect(throws: SchedulerError.self) { try configuration.makeScheduler(baseRates: [0.1, 0.2], momenta: [0.9]) }
        #expect(throws: SchedulerError.self) { try configuration.makeScheduler(baseRates: [0.1], momenta: [1.5]) }
        let scheduler = try configuration.makeScheduler(baseRates: [0.1], momenta: [0.9])
        #expect(scheduler.momenta == nil)  // exponential does not move momentum
    }

    // Replaces the test of `decodeParameters`, the second decoding mechanism DLRS and MLR-SNet used: they
    // are now decoded like every other scheduler (typed parameters, the strict decoder).
    @Test("DLRS and MLR-SNet parameters are decoded by the same strict mechanism; cadence stays with the configuration")
    func typedParameters() throws {
        let configuration = try Self.parse(#"{"name": "dlrs", "deltaD": 0.25, "decade": "log10"}"#)
        let dlrs = try #require(configuration.parameters as? DLRSScheduler.Configuration)
        #expect(dlrs.divergenceFactor == 0.25 && dlrs.decade == .log10)
        #expect(dlrs.stagnationFactor == DLRSScheduler.Configuration().stagnationFactor)  // the type's default
        // "cadence" is read for every name and kept by the configuration, never by the parameters.
        let withCadence = try Self.parse(#"{"name": "dlrs", "deltaD": 0.5, "decade": "exact", "cadence": "perEpoch"}"#)
        #expect(withCadence.cadence == .perEpoch)
        #expect(withCadence.parameters as? DLRSScheduler.Configuration == DLRSScheduler.Configuration(decade: .exact))
        #expect(throws: SchedulerError.self) { try Self.parse(#"{"name": "mlrsnet", "cadence": "sometimes"}"#) }
        // A scheduler defined at one cadence refuses another instead of ignoring it.
        for (json, name) in [
            (#"{"name": "dlrs", "cadence": "perUpdate"}"#, "dlrs"),
            (#"{"name": "dlrsOnPlateau", "cadence": "perUpdate"}"#, "dlrsOnPlateau"),
            (#"{"name": "mlrsnet", "cadence": "perEpoch"}"#, "mlrsnet"),
        ] {
            guard case let .invalidArgument(field, _, reason)? = Self.error(json) else {
                Issue.record("\(json) was accepted")
                continue
            }
            #expect(field == "scheduler.cadence" && reason.contains(name), "\(json): \(reason)")
        }
        let bad = #"{"name": "dlrs", "deltaD": "x", "decade": "exact"}"#
        guard case let .invalidArgument(name, value, _)? = Self.error(bad) else {
            Issue.record("decoding a string as Double succeeded")
            return
        }
        #expect(name == "scheduler.deltaD" && value == "\"x\"")
    }
}
