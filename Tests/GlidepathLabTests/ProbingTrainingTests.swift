import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN
import GlidepathTestSupport
import Testing

/// Landscape probes inside real training runs (issue 11, items 4 and 8).
@Suite("Probing during training")
struct ProbingTrainingTests {
    /// Probes that keep these debug-build tests fast: few power iterations, one trace sample.
    static func light(_ cadence: ProbeConfiguration.Cadence, every: Int? = nil) -> ProbeConfiguration {
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = 4
        settings.traceSamples = 1
        return ProbeConfiguration(cadence: cadence, every: every, settings: settings)
    }

    static func train(
        _ task: TrainingTask, scheduler: String, probing: ProbeConfiguration?, epochs: Int,
        trainingLimit: Int, evaluationLimit: Int, in directory: TemporaryDirectory,
        name: String
    ) throws -> TrainingSession {
        let data = try TestEnvironment.requireDataDirectory()
        let request = try TrainingRequest(
            task: task, scheduler: scheduler, epochs: epochs, seed: 3, dataDirectory: data.path,
            trainingLimit: trainingLimit, evaluationLimit: evaluationLimit, probing: probing)
        let session = try TrainingSession.start(request, storePath: directory.path("\(name).sqlite"))
        let silent = ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
        guard case .finished = try session.train(progress: silent, monitor: nil) else {
            Issue.record("the run was interrupted")
            throw CancellationError()
        }
        return session
    }

    @Test(
        "probing leaves training bit-identical for a scheduler that does not read the probes",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func probingDoesNotChangeTraining() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plain = try Self.train(
            .adultMLP, scheduler: "fixed", probing: nil, epochs: 2, trainingLimit: 1024,
            evaluationLimit: 300, in: directory, name: "plain")
        let probed = try Self.train(
            .adultMLP, scheduler: "fixed", probing: Self.light(.fixed, every: 3),
            epochs: 2, trainingLimit: 1024, evaluationLimit: 300, in: directory, name: "probed")
        let a = try plain.store.steps(of: plain.run), b = try probed.store.steps(of: probed.run)
        #expect(a.map(\.loss.bitPattern) == b.map(\.loss.bitPattern))
        #expect(a.map { $0.gradientNorm?.bitPattern } == b.map { $0.gradientNorm?.bitPattern })
        let probes = try probed.store.probes(of: probed.run)
        // 16 updates, one probe every 3: after updates 3, 6, …, 15.
        #expect(probes.map(\.step) == [3, 6, 9, 12, 15])
        #expect(probes.allSatisfy { $0.decision == nil })
        #expect(try plain.store.probes(of: plain.run).isEmpty)
        // The epoch rows carry the epoch's last λ_max and trace.
        let epochs = try probed.store.epochs(of: probed.run)
        #expect(
            epochs.map(\.topEigenvalue) == [
                probes[1].measurement.lambdaMax?.value.value,
                probes[4].measurement.lambdaMax?.value.value,
            ])
        for probe in probes {
            let m = probe.measurement
            #expect(
                m.cost.gradientEvaluations == 2 + 2 * m.cost.hessianVectorProducts + 2,
                "HVPs on one batch, λ quotient on the other")
            #expect((m.lambdaMax?.value.value ?? -1) > 0 && m.preconditionedLambdaMax != nil)
        }
    }

    @Test(
        "--scheduler landscape records probes and decisions, and learns (adult-mlp)",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func landscapeSchedulerOnAdult() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let session = try Self.train(
            .adultMLP, scheduler: "landscape", probing: Self.light(.fixed, every: 4),
            epochs: 3, trainingLimit: 2048, evaluationLimit: 500, in: directory, name: "adult")
        try Self.expectLearnsWithDecisions(session)
    }

    @Test(
        "--scheduler landscape records probes and decisions, and learns (mnist-cnn)",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func landscapeSchedulerOnMNIST() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let session = try Self.train(
            .mnistCNN, scheduler: "landscape", probing: Self.light(.epoch),
            epochs: 2, trainingLimit: 384, evaluationLimit: 128, in: directory, name: "mnist")
        try Self.expectLearnsWithDecisions(session)
    }

    static func expectLearnsWithDecisions(_ session: TrainingSession) throws {
        let probes = try session.store.probes(of: session.run)
        #expect(!probes.isEmpty)
        #expect(probes.allSatisfy { $0.decision != nil }, "every probe fed the scheduler")
        // The default rule (auto) reads the quadratic model along the update taken before each probe.
        #expect(probes.allSatisfy { $0.measurement.updateStep?.step == $0.step }, "the step rule is fed")
        #expect(probes.allSatisfy { ($0.measurement.preconditionedLambdaMax?.value.value ?? -1) > 0 }, "Adam: λ(P⁻¹H)")
        let epochs = try session.store.epochs(of: session.run)
        let first = try #require(epochs.first), last = try #require(epochs.last)
        #expect(
            last.validationLoss < first.validationLoss || last.trainLoss < first.trainLoss,
            "train \(epochs.map(\.trainLoss)) validation \(epochs.map(\.validationLoss))")
        // The configuration records the probing and the optimizer the scheduler's threshold uses.
        let configuration = try session.store.run(session.run).configuration()
        #expect(configuration.probing != nil)
        guard case .object(let fields) = configuration.schedulerConfiguration else { throw CancellationError() }
        #expect(fields["optimizer"] == .string("adam"))
    }
}
