import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// The cost-aware probe defaults, the `auto` cadence's cost factor and the `step` rule's measurement along
/// the update actually taken (`docs/landscape.md`, "What a probe computes", "Probes in training").
@Suite("Probe cadence and the update-step signal")
struct ProbeCadenceTests {
    @Test("the cost factor is CPU seconds per probe evaluation over an update's, rounded up to a quarter")
    func costFactorRounding() {
        // 12 evaluations in 0.030 s against 2 ms per update: 1.25 updates per evaluation.
        #expect(ProbeRunner.costFactor(probeCPUSeconds: 0.030, evaluations: 12, updateCPUSeconds: 0.002) == 1.25)
        // 1.26 rounds up to 1.5; tiny ratios stop at 1/4; unknown times give 1.
        #expect(ProbeRunner.costFactor(probeCPUSeconds: 0.0252, evaluations: 10, updateCPUSeconds: 0.002) == 1.5)
        #expect(ProbeRunner.costFactor(probeCPUSeconds: 1e-6, evaluations: 10, updateCPUSeconds: 1) == 0.25)
        #expect(ProbeRunner.costFactor(probeCPUSeconds: nil, evaluations: 10, updateCPUSeconds: 1) == 1)
        #expect(ProbeRunner.costFactor(probeCPUSeconds: 1, evaluations: 10, updateCPUSeconds: 0) == 1)
        // K = ⌈c·evaluations/budget⌉ at most one epoch: 1.5·10/0.1 = 150.
        #expect(ProbeRunner.automaticInterval(evaluations: 1.5 * 10, budget: 0.1, updatesPerEpoch: 229) == 150)
        #expect(ProbeRunner.automaticInterval(evaluations: 3 * 10, budget: 0.1, updatesPerEpoch: 229) == 229)
    }

    @Test("the update-step measurement is b = gᵀΔ and L(θ + Δ) − L(θ), computed from the parameters' change")
    func updateStepMeasurement() throws {
        // L(θ) = ½‖θ‖², θ = (1, −2): g = θ; a step Δ = −0.25·g gives b = −0.25·‖g‖² = −1.25 and
        // L(θ + Δ) − L(θ) = ½·0.75²·5 − ½·5 = −1.09375 (a = 0.15625 = ½·0.25²·5, so ρ = −b/(2a) = 4).
        let theta = try Tensor(shape: [2], scalars: [1, -2]).requiringGradient()
        let loss = (theta * theta).sum() * 0.5
        loss.backward()
        let probe = UpdateStepProbe(parameters: [theta], loss: Double(loss.scalar))
        theta.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] *= 0.75 }
        }
        let measured = try #require(
            try probe.finish(step: 7) { () throws(TrainingError) -> Double in
                Double(((theta * theta).sum() * 0.5).scalar)
            })
        #expect(measured.step == 7)
        #expect(measured.slope == -1.25)
        #expect(measured.lossChange == -1.09375)
    }

    @Test(
        "a landscape run probes with the training settings plus its rule's needs; a baseline with the lean ones",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func defaultSettingsFollowTheRule() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func start(_ scheduler: String, file: StateValue?, probing: ProbeConfiguration?) throws -> ProbeConfiguration? {
            let request = try TrainingRequest(
                task: .adultMLP, scheduler: scheduler, schedulerFile: file, epochs: 1, seed: 1,
                dataDirectory: data.path, trainingLimit: 256, evaluationLimit: 64, probing: probing)
            return try TrainingSession.start(request, storePath: directory.path("\(scheduler).sqlite"))
                .configuration.probing
        }
        let auto = try #require(try start("landscape", file: nil, probing: nil))
        var expected = LandscapeProbeSettings.training
        expected.quadraticStep = true
        #expect(auto.cadence == .auto && auto.budget == 0.05 && auto.settings == expected)
        let noise = try #require(
            try start(
                "landscape", file: .object(["name": .string("landscape"), "rule": .string("noise")]),
                probing: nil))
        #expect(noise.settings == .training, "the noise rule reads the gradients only")
        let baseline = try #require(try start("fixed", file: nil, probing: ProbeConfiguration(cadence: .epoch)))
        #expect(baseline.settings == .training && baseline.costFactor == nil)
    }

    @Test(
        "auto with a given cost factor probes every ⌈c·evaluations/budget⌉ updates; the step rule is fed",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func autoCadenceAndUpdateStep() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var probing = ProbeConfiguration(cadence: .auto, budget: 0.5, costFactor: 0.75)
        probing.settings.powerIterationLimit = 4
        let request = try TrainingRequest(
            task: .adultMLP, scheduler: "landscape",
            schedulerFile: .object(["name": .string("landscape"), "rule": .string("step")]), epochs: 2, seed: 5,
            dataDirectory: data.path, trainingLimit: 2048, evaluationLimit: 128, probing: probing)
        let session = try TrainingSession.start(request, storePath: directory.path("auto.sqlite"))
        let silent = ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
        guard case .finished = try session.train(progress: silent, monitor: nil) else {
            Issue.record("the run was interrupted")
            return
        }
        let probes = try session.store.probes(of: session.run)
        #expect(probes.count >= 2)
        for (probe, next) in zip(probes, probes.dropFirst()) {
            let m = probe.measurement
            let k = min(16, Int((0.75 * Double(m.cost.gradientEvaluations) / 0.5).rounded(.up)))
            #expect(m.cost.costFactor == 0.75 && m.cost.nextInterval == k)
            #expect(next.step - probe.step == k, "16 updates per epoch, K = \(k)")
        }
        for probe in probes {
            let m = probe.measurement
            #expect(m.cost.cpuSeconds != nil && m.cost.updateCPUSeconds != nil)
            // The step rule reads the quadratic model along the update just taken, and proposes a rate exactly
            // when that model has a minimum ahead (a > 0, b < 0).
            let step = try #require(m.updateStep, "probe after update \(probe.step)")
            #expect(step.step == probe.step && step.slope.isFinite && step.lossChange.isFinite)
            let decision = try #require(probe.decision)
            let a = step.lossChange - step.slope
            if decision.action != .halvedOnSpike {
                #expect((decision.step != nil) == (a > 0 && step.slope < 0), "a \(a), b \(step.slope)")
            }
        }
    }

    @Test(
        "auto without a cost factor uses the task's constant c, not this machine's timings",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"), .exclusiveEngineThreadCount)
    func autoCadenceUsesTheTaskConstant() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var probing = ProbeConfiguration(cadence: .auto, budget: 0.5)
        probing.settings.powerIterationLimit = 4
        let request = try TrainingRequest(
            task: .adultMLP, scheduler: "fixed", epochs: 1, seed: 3, dataDirectory: data.path,
            trainingLimit: 2048, evaluationLimit: 128, probing: probing)
        let session = try TrainingSession.start(request, storePath: directory.path("constant.sqlite"))
        let silent = ProgressReporter(style: .lines(stepInterval: 1_000), clock: SystemClock()) { _ in }
        guard case .finished = try session.train(progress: silent, monitor: nil) else {
            Issue.record("the run was interrupted")
            return
        }
        let probes = try session.store.probes(of: session.run)
        #expect(!probes.isEmpty)
        // c = TrainingTask.adultMLP.probeCostFactor = 1.75 (docs/landscape.md), K = min(16, ⌈c·evaluations/0.5⌉)
        // with 2048/128 = 16 updates per epoch.
        for probe in probes {
            let m = probe.measurement
            #expect(m.cost.costFactor == 1.75)
            #expect(m.cost.nextInterval == min(16, Int((1.75 * Double(m.cost.gradientEvaluations) / 0.5).rounded(.up))))
            #expect(m.cost.measuredCostFactor != nil, "the measured ratio is recorded for information")
        }
    }
}
