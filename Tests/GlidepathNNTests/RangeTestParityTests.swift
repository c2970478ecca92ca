import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The LR range test against torch-lr-finder 0.2.2 (`scripts/fixtures/lr_range_test.py`, fixture
/// `Fixtures/lr-find.json`) on the fixture MLP: Adam with an exponential sweep, SGD with momentum and a
/// linear sweep, and Nesterov SGD on unlearnable labels, which diverges and stops at update 68.
@Suite("LR range test matches torch-lr-finder")
struct RangeTestParityTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let startRate, endRate: Double
            let updates: Int
            let mode: String
            let smoothing, divergenceThreshold: Double
            let skipStart, skipEnd: Int
            let rates, smoothedLosses, rawLosses: [Double]
            let stoppedEarly: Bool
            let steepest, minimum, valley: Double?
            let restored: Bool
            let inputs: [Double]
            let labels: [Int]
            let initialParameters: [String: [Double]]
        }
        let cases: [Case]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/lr-find.json")
        return try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    func fixtureCase(_ name: String) throws -> Fixture.Case {
        let fixture = try #require(Self.fixture, "Fixtures/lr-find.json is missing or unreadable")
        return try #require(fixture.cases.first { $0.name == name })
    }

    func configuration(_ c: Fixture.Case) throws -> LearningRateRangeTest.Configuration {
        .init(
            startRate: c.startRate, endRate: c.endRate, updates: c.updates,
            spacing: try #require(LearningRateRangeTest.Spacing(rawValue: c.mode)), smoothing: c.smoothing,
            divergenceThreshold: c.divergenceThreshold, skipStart: c.skipStart, skipEnd: c.skipEnd)
    }

    /// The reference's raw batch losses fed to the test give its rates, smoothed losses, stopping point
    /// and suggestions. Rates and smoothing are the same Double operations as torch-lr-finder's, so
    /// they must agree exactly; the suggestions are then the same entries.
    @Test(arguments: ["adam_exp", "sgd_linear", "sgd_exp_diverges"])
    func recordAndSuggestionsFromTheReferenceLosses(name: String) throws {
        let c = try fixtureCase(name)
        var test = try LearningRateRangeTest(configuration(c))
        for loss in c.rawLosses where test.nextRate != nil { test.record(loss: loss) }
        #expect(test.rates == c.rates)
        #expect(test.smoothedLosses == c.smoothedLosses)
        #expect(test.ending == (c.stoppedEarly ? .diverged : .completed))
        let suggestions = test.suggestions
        #expect(suggestions.steepest?.rate == c.steepest)
        #expect(suggestions.minimum?.rate == c.minimum)
        #expect(suggestions.valley?.rate == c.valley)
    }

    /// The whole test run by Glidepath's engine and optimizers on the same model, data and batches.
    /// The losses agree to Float32 rounding of the forward pass, amplified by the growing rate, so they
    /// are compared to 1e-4 relative while the rate is small (≤ 1e-2: a few hundred updates' worth of
    /// rounding) and the stopping point and suggestions must be the same entries.
    @Test(.exclusiveEngineThreadCount, arguments: ["adam_exp", "sgd_linear", "sgd_exp_diverges"])
    func engineRunMatchesAndRestores(name: String) throws {
        let c = try fixtureCase(name)
        var generator = SeededGenerator(seed: 1)
        let model = Sequential([
            try Linear(inputFeatures: 4, outputFeatures: 5, using: &generator), Activation(.relu),
            try Linear(inputFeatures: 5, outputFeatures: 3, using: &generator),
        ])
        let names = ["0.weight": "fc1.weight", "0.bias": "fc1.bias", "2.weight": "fc2.weight", "2.bias": "fc2.bias"]
        try model.loadState(
            TensorArchive(
                kind: "model",
                entries: model.namedParameters.map { named in
                    .init(
                        name: named.name, shape: named.tensor.shape,
                        values: (c.initialParameters[names[named.name] ?? ""] ?? []).map(Float.init))
                }))
        let initial = model.stateArchive()
        let optimizer: any Optimizer
        switch name {
        case "adam_exp": optimizer = try Adam(parameters: model.parameters, .init(learningRate: 1e-7))
        case "sgd_linear": optimizer = try SGD(parameters: model.parameters, .init(learningRate: 1e-3, momentum: 0.9))
        default:
            optimizer = try SGD(parameters: model.parameters, .init(learningRate: 1e-4, momentum: 0.9, nesterov: true))
        }
        let optimizerBefore = optimizer.stateArchive()
        let inputs = try Tensor(shape: [64, 4], scalars: c.inputs.map(Float.init))
        let loss = try CrossEntropyLoss()
        var test = try LearningRateRangeTest(configuration(c))
        try test.run(module: model, optimizer: optimizer) { iteration in
            let batch = iteration % 4
            let x = inputs.sliced(alongAxis: 0, 16 * batch..<16 * batch + 16).contiguous()
            let labels = c.labels[16 * batch..<16 * batch + 16].map { Int32($0) }
            let value = try loss(model(x), labels)
            value.backward()
            return Double(value.scalar)
        }
        #expect(
            test.rates.count == c.rates.count,
            "stopped after \(test.rates.count) updates, the reference after \(c.rates.count)")
        for (index, rate) in c.rates.enumerated() where rate <= 1e-2 && index < test.losses.count {
            expectClose(test.losses[index], c.rawLosses[index], relativeTolerance: 1e-4, "loss of update \(index)")
        }
        let suggestions = test.suggestions
        #expect(suggestions.steepest?.rate == c.steepest)
        #expect(suggestions.minimum?.rate == c.minimum)
        #expect(suggestions.valley?.rate == c.valley)
        #expect(model.stateArchive() == initial, "the model is restored")
        #expect(optimizer.stateArchive() == optimizerBefore, "the optimizer is restored")
        #expect(c.restored)
    }

    @Test func suggestionRulesOnHandComputedCurves() throws {
        // Losses 5, 4, 2, 1, 1.5, 3: gradient [-1, -1.5, -1.5, -0.25, 1, 1.5] → first minimum at index 1.
        let rates = [1.0, 2, 3, 4, 5, 6]
        let curve = RangeTestSuggestions(rates: rates, smoothedLosses: [5, 4, 2, 1, 1.5, 3], skipStart: 0, skipEnd: 0)
        #expect(curve.steepest?.index == 1)
        #expect(curve.minimum?.rate == 0.4)
        // Longest decreasing run 5 > 4 > 2 > 1 ends at b = 3 with length 4: a = −1, (b − a)/3 = 4/3,
        // index −1 + 1 + 0 = 0.
        #expect(curve.valley?.index == 0)
        // A record too short after trimming suggests nothing; a NaN truncates it.
        #expect(
            RangeTestSuggestions(rates: rates, smoothedLosses: [5, 4, 2, 1, 1.5, 3], skipStart: 3, skipEnd: 3).minimum
                == nil)
        let truncated = RangeTestSuggestions(
            rates: rates, smoothedLosses: [5, 4, .nan, 1, 0.5, 3], skipStart: 0, skipEnd: 0)
        #expect(truncated.minimum?.index == 1)
        #expect(truncated.steepest?.index == 0)
    }

    @Test func invalidConfigurationsNameTheField() {
        func message(_ configuration: LearningRateRangeTest.Configuration) -> String {
            do { _ = try LearningRateRangeTest(configuration) } catch { return error.description }
            return "accepted"
        }
        #expect(message(.init(startRate: 0)).contains("startRate=0.0"))
        #expect(message(.init(startRate: 1, endRate: 0.5)).contains("endRate=0.5"))
        #expect(message(.init(updates: 1)).contains("updates=1"))
        #expect(message(.init(smoothing: 1)).contains("smoothing=1.0"))
        #expect(message(.init(divergenceThreshold: 1)).contains("divergenceThreshold=1.0"))
        #expect(message(.init(skipEnd: -1)).contains("skipEnd=-1"))
        #expect(message(.init()) == "accepted")
    }

    @Test func nonFiniteLossStops() throws {
        var test = try LearningRateRangeTest(.init(updates: 10))
        test.record(loss: 2)
        let continues = test.record(loss: .nan)
        #expect(!continues)
        #expect(test.ending == .nonFinite)
        #expect(test.nextRate == nil)
        #expect(test.rates.count == 2)
    }
}
