// swift-format-ignore-file
// (The examples below mirror the doc comments of the scheduler API verbatim, line for line — see
// `examplesAreInSync`; the formatter would re-wrap one side only.)
import Foundation
import GlidepathTestSupport
import Testing
import Glidepath

/// The runnable examples in the `///` comments of the public scheduler API (optax's doctest habit).
///
/// Each test below holds one example **verbatim** (between `// example:` and `// end` markers) followed
/// by an `#expect` for each of its result lines (`// X == Y`). ``examplesAreInSync()`` reads every
/// ```` ```swift ```` block in the doc comments of `Sources/Glidepath` and fails unless it appears here
/// line for line with its expectations, so an example cannot change without its test. (Compiling the
/// blocks out of the comments at test time would need a compiler run per block, tens of seconds each on
/// two cores; mirroring keeps the test fast and the check exact.)
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("LearningRateScheduler: η(k) after k steps")
    func learningRateScheduler() throws {
        // example: LearningRateScheduler
        var scheduler = try ClosedFormScheduler(StepSchedule(stepSize: 2, gamma: 0.5), baseRates: [0.1])
        var rates = [scheduler.learningRates[0]]   // η(0)
        for _ in 0..<4 {
            try scheduler.step()
            rates.append(scheduler.learningRates[0])
        }
        // rates == [0.1, 0.1, 0.05, 0.05, 0.025]
        // end
        #expect(rates == [0.1, 0.1, 0.05, 0.05, 0.025])
    }

    @Test("LearningRateReceiver: any optimizer takes the rates")
    func learningRateReceiver() throws {
        // example: LearningRateReceiver
        struct RecordingOptimizer: LearningRateReceiver {
            var rates: [Double] = []
            mutating func receive(learningRates: [Double], momenta: [Double]?) { rates = learningRates }
        }
        var optimizer = RecordingOptimizer()
        var scheduler = try ClosedFormScheduler(ExponentialSchedule(gamma: 0.5), baseRates: [0.1, 0.01])
        try scheduler.step()
        scheduler.apply(to: &optimizer)
        // optimizer.rates == [0.05, 0.005]
        // end
        #expect(optimizer.rates == [0.05, 0.005])
    }

    @Test("ClosedFormScheduler: cosine annealing over two groups")
    func closedFormScheduler() throws {
        // example: ClosedFormScheduler
        var scheduler = try ClosedFormScheduler(CosineAnnealingSchedule(tMax: 4, etaMin: 0), baseRates: [0.1, 0.01])
        var rates = [scheduler.learningRates]
        for _ in 0..<4 {
            try scheduler.step()
            rates.append(scheduler.learningRates)
        }
        // rates[2] == [0.05, 0.005]
        // rates[4] == [0.0, 0.0]
        // scheduler.cadence == .perEpoch
        // end
        #expect(rates[2] == [0.05, 0.005])
        #expect(rates[4] == [0.0, 0.0])
        #expect(scheduler.cadence == .perEpoch)
    }

    @Test("WarmupScheduler: a linear warm-up in front of any scheduler")
    func warmupScheduler() throws {
        // example: WarmupScheduler
        let constant = try ClosedFormScheduler(FixedSchedule(), baseRates: [0.1])
        var scheduler = try WarmupScheduler(constant, steps: 4, startFactor: 0.5)
        var rates = [scheduler.learningRates[0]]
        for _ in 0..<5 {
            try scheduler.step()
            rates.append(scheduler.learningRates[0])
        }
        // rates == [0.05, 0.0625, 0.07500000000000001, 0.08750000000000001, 0.1, 0.1]
        // end
        #expect(rates == [0.05, 0.0625, 0.07500000000000001, 0.08750000000000001, 0.1, 0.1])
    }

    @Test("ReduceOnPlateauScheduler: the rate halves after the metric stops improving")
    func reduceOnPlateauScheduler() throws {
        // example: ReduceOnPlateauScheduler
        var scheduler = try ReduceOnPlateauScheduler(baseRates: [0.1], factor: 0.5, patience: 1)
        for validationLoss in [1.0, 0.9, 0.95, 0.97] {
            try scheduler.step(Observation(metric: validationLoss))
        }
        // scheduler.learningRates == [0.05]
        // scheduler.best == 0.9
        // end
        #expect(scheduler.learningRates == [0.05])
        #expect(scheduler.best == 0.9)
    }

    @Test("DLRSScheduler: one epoch of falling losses raises the rate")
    func dlrsScheduler() throws {
        // example: DLRSScheduler
        var scheduler = try DLRSScheduler(baseRates: [0.1])
        try scheduler.step(Observation(losses: [1.0, 0.5]))   // one epoch's batch losses, in order
        // scheduler.learningRates == [0.10666666666666667]
        // end
        #expect(scheduler.learningRates == [0.10666666666666667])
    }

    @Test("AnyScheduler: save the state as JSON, resume bit for bit")
    func anyScheduler() throws {
        // example: AnyScheduler
        func makeScheduler() throws -> AnyScheduler {
            AnyScheduler(try ClosedFormScheduler(StepSchedule(stepSize: 2, gamma: 0.5), baseRates: [0.1]))
        }
        var scheduler = try makeScheduler()
        try scheduler.step()
        try scheduler.step()
        let saved = try StateCoding.encoder().encode(scheduler.state)   // JSON bytes, e.g. for a checkpoint
        var resumed = try makeScheduler()
        try resumed.restore(try StateCoding.decoder().decode(StateValue.self, from: saved))
        try scheduler.step()
        try resumed.step()
        // resumed.learningRates == scheduler.learningRates
        // resumed.stepCount == 3
        // end
        #expect(resumed.learningRates == scheduler.learningRates)
        #expect(resumed.stepCount == 3)
    }

    @Test("SchedulerConfiguration: decode once, resolve once, build once")
    func schedulerConfiguration() throws {
        // example: SchedulerConfiguration
        let json = Data(#"{"name": "cosine", "etaMin": 0.001}"#.utf8)
        let configuration = try SchedulerConfiguration(StateCoding.decoder().decode(StateValue.self, from: json))
        let shape = RunShape(epochs: 10, updatesPerEpoch: 100, classCount: 10)
        let resolved = try configuration.resolved(for: shape)   // cosine steps per epoch: tMax = 10
        let scheduler = try resolved.makeScheduler(baseRates: [0.1])
        let tMax = (resolved.parameters as? CosineAnnealingSchedule.Configuration)?.tMax
        // tMax == 10
        // scheduler.learningRates == [0.1]
        // end
        #expect(tMax == 10)
        #expect(scheduler.learningRates == [0.1])
    }

    @Test("SchedulerConfiguration: an unknown field is named with its path")
    func schedulerConfigurationError() throws {
        // example: SchedulerConfiguration errors
        var message = ""
        do {
            _ = try SchedulerConfiguration(.object(["name": .string("cosine"), "tmax": .int(5)]))
        } catch {
            message = "\(error)"
        }
        // message.contains("scheduler.tmax") == true
        // end
        #expect(message.contains("scheduler.tmax") == true)
    }

    @Test("RunShape: one-cycle's totalSteps from epochs × updates per epoch")
    func runShape() throws {
        // example: RunShape
        let shape = RunShape(epochs: 3, updatesPerEpoch: 8, classCount: 2)
        let configuration = try SchedulerConfiguration(.object(["name": .string("oneCycle"), "maxLR": .double(0.1)]))
        let resolved = try configuration.resolved(for: shape)   // one-cycle steps per update
        let totalSteps = (resolved.parameters as? OneCycleSchedule.Configuration)?.totalSteps
        // totalSteps == 24
        // end
        #expect(totalSteps == 24)
    }

    /// The examples of the doc comments under `Sources/Glidepath`: every ```` ```swift ```` block, as
    /// lines without the `/// ` prefix.
    static func documentedExamples() throws -> [(file: String, lines: [String])] {
        let root = TestEnvironment.repositoryRoot.appendingPathComponent("Sources/Glidepath")
        let files = try #require(FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String])
        var examples: [(file: String, lines: [String])] = []
        for file in files.sorted() where file.hasSuffix(".swift") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            var block: [String]?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("///") else { continue }
                let content = trimmed.dropFirst(3).hasPrefix(" ") ? String(trimmed.dropFirst(4)) : String(trimmed.dropFirst(3))
                if block == nil, content == "```swift" {
                    block = []
                } else if block != nil, content == "```" {
                    examples.append((file, block ?? []))
                    block = nil
                } else if block != nil {
                    block?.append(content)
                }
            }
        }
        return examples
    }

    @Test("every example in the scheduler API's doc comments is one of these tests, expectations included")
    func examplesAreInSync() throws {
        let examples = try Self.documentedExamples()
        // The examples above, one per documented declaration; a block added to the docs needs a test here.
        #expect(examples.count == 10, "\(examples.map(\.file))")
        let testLines = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let testText = testLines.joined(separator: "\n")
        for (file, lines) in examples {
            let block = lines.map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(!block.isEmpty, "an empty example in \(file)")
            let found = (0...(testLines.count - block.count)).contains { Array(testLines[$0..<($0 + block.count)]) == block }
            #expect(found, "the example in \(file) starting \"\(block.first ?? "")\" is not mirrored verbatim here")
            // Each result line `// X == Y` must be checked by `#expect(X == Y)`.
            for line in block where line.hasPrefix("// ") && line.contains(" == ") {
                let claim = String(line.dropFirst(3))
                #expect(testText.contains("#expect(\(claim))"), "\(file): no #expect(\(claim))")
            }
        }
    }
}

