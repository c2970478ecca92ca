import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// The `glidepath schedule` contract of the landscape scheduler (issue 11, item 6), from the built binary.
@Suite("glidepath schedule: landscape signals")
struct ScheduleLandscapeTests {
    static func rates(_ json: String) throws -> (status: Int32, rates: [Double], error: String) {
        let result = try BuiltBinary.schedule(json)
        let lines = try result.lines.map {
            try JSONDecoder().decode(ScheduleCommandTests.Line.self, from: Data($0.utf8))
        }
        return (result.status, lines.map { $0.lrs[0] }, result.standardError)
    }

    static func signals(_ entries: [String]) -> String { "[" + entries.joined(separator: ", ") + "]" }

    static let sgd =
        #""name": "landscape", "rule": "stability", "optimizer": "sgd", "momentum": 0, "safety": 0.5, "trustWarmup": 0"#

    @Test(arguments: [(0.1, 4.0), (0.1, 40.0), (0.01, 0.2), (0.05, 10.0)])
    func stabilityRuleConvergesMonotonicallyWithBoundedChanges(_ base: Double, _ lambda: Double) throws {
        let json =
            #"{"lrs": [\#(base)], "scheduler": {\#(Self.sgd)}, "signals": "#
            + Self.signals(Array(repeating: #"{"landscape": {"lambdaMax": \#(lambda)}}"#, count: 60)) + "}"
        let (status, rates, error) = try Self.rates(json)
        #expect(status == 0, "\(error)")
        // Target: min(η₀·maxFactor, 0.5·2/λ) with maxFactor = 10 (the type's default).
        let target = min(base * 10, 0.5 * 2 / lambda)
        let steps = zip(rates, rates.dropFirst())
        let rising = target > base
        for (before, after) in steps {
            #expect(rising ? after >= before : after <= before, "monotone toward \(target)")
            #expect(max(after / before, before / after) <= 2 * (1 + 1e-12), "maxChange 2 per step")
        }
        #expect(abs(rates[50] - target) <= 0.05 * target, "within 5% after 50 signals: \(rates[50]) vs \(target)")
    }

    @Test func missingOrNegativeCurvatureLeavesTheRate() throws {
        let json =
            #"{"lrs": [0.1], "scheduler": {\#(Self.sgd)}, "signals": "#
            + Self.signals([
                #"{"landscape": {"lambdaMax": 4}}"#, #"{"losses": [1.0]}"#, #"{"landscape": {"lambdaMax": -3}}"#,
                #"{"landscape": {"trace": 7}}"#, #"{"landscape": {"lambdaMax": 4}}"#,
            ]) + "}"
        let (status, rates, error) = try Self.rates(json)
        #expect(status == 0, "\(error)")
        #expect(rates[2] == rates[1] && rates[3] == rates[1] && rates[4] == rates[1], "\(rates)")
        #expect(rates[5] != rates[4])
    }

    @Test func trustWarmupFollowsTheBase() throws {
        let json =
            #"{"lrs": [0.1], "scheduler": {"name": "landscape", "rule": "stability", "optimizer": "sgd", "trustWarmup": 3}, "signals": "#
            + Self.signals(Array(repeating: #"{"landscape": {"lambdaMax": 100}}"#, count: 5)) + "}"
        let (status, rates, error) = try Self.rates(json)
        #expect(status == 0, "\(error)")
        #expect(Array(rates[0...3]) == [0.1, 0.1, 0.1, 0.1])
        #expect(rates[4] < 0.1)
    }

    @Test func adamUsesThePreconditionedThreshold() throws {
        // Threshold (2 + 2β₁)/((1 − β₁)·λ_pre) = 3.8/(0.1·38000) = 1e-3; safety 0.5 → 5e-4. The plain
        // λ_max (tiny here) must be ignored.
        let json =
            #"{"lrs": [0.001], "scheduler": {"name": "landscape", "rule": "stability", "optimizer": "adam", "beta1": 0.9, "safety": 0.5, "trustWarmup": 0}, "signals": "#
            + Self.signals(
                Array(repeating: #"{"landscape": {"lambdaMax": 0.001, "preconditionedLambdaMax": 38000}}"#, count: 60))
            + "}"
        let (status, rates, error) = try Self.rates(json)
        #expect(status == 0, "\(error)")
        expectClose(rates[60], 5e-4, relativeTolerance: 1e-6)
    }

    @Test(arguments: [
        (#""safety": 0"#, "scheduler.safety"), (#""maxChange": 1"#, "scheduler.maxChange"),
        (#""rule": "sharpness""#, "scheduler.rule"), (#""trustWarmup": -1"#, "scheduler.trustWarmup"),
        (#""beta1": 1"#, "scheduler.beta1"), (#""bogus": 1"#, "scheduler.bogus"),
    ])
    func invalidParametersNameTheField(_ field: String, _ name: String) throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.1], "scheduler": {"name": "landscape", \#(field)}, "steps": 1}"#)
        #expect(result.status != 0)
        #expect(result.standardError.contains(name), "\(result.standardError)")
    }

    @Test func invalidSignalFieldsAreNamed() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.1], "scheduler": {"name": "landscape"}, "signals": [{"landscape": {"lambda": 1}}]}"#)
        #expect(result.status != 0)
        #expect(result.standardError.contains("signals[0].landscape.lambda"), "\(result.standardError)")
    }
}
