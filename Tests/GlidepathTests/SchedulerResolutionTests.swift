import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// `resolved(for: RunShape)`: what a configuration fills in from the run, and that it changes nothing
/// that was given. Every expected value is the definition in the configuration types' documentation:
/// a scheduler drives the whole run at its cadence (epochs, or epochs × updates per epoch), a warm-up of W
/// steps leaves W fewer, a sequence gives child i the steps from milestone i to milestone i + 1.
@Suite("Scheduler configuration resolution")
struct SchedulerResolutionTests {
    static func configuration(_ json: String) throws -> SchedulerConfiguration {
        try StateCoding.decoder().decode(SchedulerConfiguration.self, from: Data(json.utf8))
    }

    /// The resolved configuration as its JSON object.
    static func resolved(_ json: String, _ shape: RunShape) throws -> [String: StateValue] {
        guard case .object(let fields) = try StateValue(encoding: configuration(json).resolved(for: shape)) else {
            throw CancellationError()
        }
        return fields
    }

    static let shape = RunShape(epochs: 5, updatesPerEpoch: 8, classCount: 10, initialLoss: 2.3)

    @Test("cosine's tMax and one-cycle's totalSteps: the run's steps at the scheduler's cadence")
    func runLength() throws {
        #expect(try Self.resolved(#"{"name": "cosine"}"#, Self.shape)["tMax"] == .int(5))
        #expect(try Self.resolved(#"{"name": "cosine", "cadence": "perUpdate"}"#, Self.shape)["tMax"] == .int(40))
        #expect(try Self.resolved(#"{"name": "oneCycle", "maxLR": 0.1}"#, Self.shape)["totalSteps"] == .int(40))
        #expect(
            try Self.resolved(#"{"name": "oneCycle", "maxLR": 0.1, "cadence": "perEpoch"}"#, Self.shape)["totalSteps"]
                == .int(5))
        // Given values are kept; PyTorch's epochs × stepsPerEpoch alternative is not overridden.
        #expect(try Self.resolved(#"{"name": "cosine", "tMax": 3}"#, Self.shape)["tMax"] == .int(3))
        let alternative = try Self.resolved(
            #"{"name": "oneCycle", "maxLR": 0.1, "epochs": 2, "stepsPerEpoch": 4}"#, Self.shape)
        #expect(alternative["totalSteps"] == nil && alternative["epochs"] == .int(2))
    }

    @Test(
        "one-cycle resolved for 1, 2 and 3 epochs builds (the up-front check once resolved with one update per epoch)",
        arguments: [1, 2, 3])
    func oneCycleShortRuns(epochs: Int) throws {
        // 8 updates per epoch (adult-mlp on 1,024 examples): T = 8·epochs ≥ 8, so pctStart·T = 0.3·T > 1.
        let shape = RunShape(epochs: epochs, updatesPerEpoch: 8)
        let resolved = try Self.configuration(#"{"name": "oneCycle", "maxLR": 0.01}"#).resolved(for: shape)
        var scheduler = try resolved.makeScheduler(baseRates: [1e-3])
        for _ in 0..<(8 * epochs) { try scheduler.step() }
        // After T steps one-cycle holds its final rate, maxLR/(divFactor·finalDivFactor) (up to rounding).
        expectClose(scheduler.learningRates[0], 0.01 / 25 / 1e4, relativeTolerance: 1e-12)
    }

    @Test("a warm-up leaves its inner scheduler the steps after it; a sequence gives each child its phase")
    func composites() throws {
        let warmup = try Self.resolved(
            #"""
            {"name": "warmup", "steps": 10, "scheduler": {"name": "cosine"}, "cadence": "perUpdate"}
            """#, Self.shape)
        guard case .object(let inner)? = warmup["scheduler"] else { Issue.record("\(warmup)"); return }
        #expect(inner["tMax"] == .int(40 - 10))

        let sequential = try Self.resolved(
            #"""
            {"name": "sequential", "milestones": [3, 12], "cadence": "perUpdate",
             "schedulers": [{"name": "cosine"}, {"name": "cosine", "tMax": 7}, {"name": "oneCycle", "maxLR": 0.1}]}
            """#, Self.shape)
        guard case .array(let children)? = sequential["schedulers"], children.count == 3,
            case .object(let first) = children[0], case .object(let second) = children[1],
            case .object(let third) = children[2]
        else { Issue.record("\(sequential)"); return }
        #expect(first["tMax"] == .int(3))  // steps 0..<3
        #expect(second["tMax"] == .int(7))  // given: kept
        #expect(third["totalSteps"] == .int(40 - 12))  // from 12 to the end of the run

        // Chained children run for the composite's whole span; per epoch here (the children's cadence).
        let chained = try Self.resolved(
            #"{"name": "chained", "schedulers": [{"name": "cosine"}, {"name": "exponential", "gamma": 0.9}]}"#,
            Self.shape)
        guard case .array(let factors)? = chained["schedulers"], case .object(let cosine)? = factors.first else {
            Issue.record("\(chained)"); return
        }
        #expect(cosine["tMax"] == .int(5))

        // A child the run never reaches still resolves to a valid value (one step), so it builds.
        let late = try Self.configuration(#"{"name": "warmup", "steps": 100, "scheduler": {"name": "cosine"}}"#)
        #expect(throws: Never.self) { try late.resolved(for: Self.shape).makeScheduler(baseRates: [0.1]) }
    }

    @Test("MLR-SNet: totalSteps, numClasses, initialLoss and the reference's epoch switches come from the run")
    func mlrsnet() throws {
        let json = #"{"name": "mlrsnet", "weights": ["a", "b", "c"]}"#
        let alone = try Self.resolved(json, RunShape(epochs: 6, updatesPerEpoch: 8, classCount: 10, initialLoss: 2.3))
        #expect(
            alone["totalSteps"] == .int(48) && alone["numClasses"] == .int(10) && alone["initialLoss"] == .double(2.3))
        #expect(alone["switchAt"] == .array([.int(16), .int(32)]))  // (6/3)·8 and (2·6/3)·8
        // Fewer than three epochs: no epoch boundaries to switch at; the default T/3, 2T/3 applies later.
        #expect(
            try Self.resolved(json, RunShape(epochs: 2, updatesPerEpoch: 8, classCount: 10, initialLoss: 2.3))[
                "switchAt"] == nil)
        // Behind a warm-up it drives the remaining updates and switches within them (default thirds).
        let nested = try Self.resolved(
            #"{"name": "warmup", "steps": 6, "scheduler": \#(json)}"#,
            RunShape(epochs: 6, updatesPerEpoch: 8, classCount: 10, initialLoss: 2.3))
        guard case .object(let inner)? = nested["scheduler"] else { Issue.record("\(nested)"); return }
        #expect(inner["totalSteps"] == .int(42) && inner["switchAt"] == nil)
    }

    @Test("readsInitialLoss: only where an MLR-SNet without initialLoss sits, nested ones included")
    func initialLossDemand() throws {
        #expect(try Self.configuration(#"{"name": "mlrsnet"}"#).readsInitialLoss)
        #expect(try !Self.configuration(#"{"name": "mlrsnet", "initialLoss": 2.3}"#).readsInitialLoss)
        #expect(
            try Self.configuration(#"{"name": "warmup", "steps": 2, "scheduler": {"name": "mlrsnet"}}"#)
                .readsInitialLoss)
        #expect(
            try !Self.configuration(#"{"name": "sequential", "schedulers": [{"name": "dlrs"}], "milestones": []}"#)
                .readsInitialLoss)
    }

    @Test("resolving is idempotent and never touches a given field", arguments: Array(UInt64(0)..<100))
    func idempotent(seed: UInt64) throws {
        var random = RandomSchedulerConfigurations(rng: SplitMix64(seed: seed))
        let baseRates = random.baseRates()
        let value = random.any(groups: baseRates.count)
        let configuration = try SchedulerConfiguration(value)
        let shape = RunShape(epochs: 1 + Int(seed % 7), updatesPerEpoch: 1 + Int(seed % 13))
        let once = try configuration.resolved(for: shape)
        #expect(try once.resolved(for: shape) == once)
        // The random configurations give every required field, so nothing was left to fill.
        #expect(once == configuration, "seed \(seed)")
    }

    @Test("a run whose steps overflow is refused, naming epochs")
    func overflow() throws {
        let shape = RunShape(epochs: Int.max / 2, updatesPerEpoch: 4)
        #expect(
            throws: SchedulerError.invalidArgument(
                name: "epochs", value: "\(Int.max / 2)",
                reason: "epochs × updatesPerEpoch (4) overflows")
        ) {
            try Self.configuration(#"{"name": "oneCycle", "maxLR": 0.1}"#).resolved(for: shape)
        }
    }
}
