import Foundation
import Glidepath
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// Schedule-Free, Prodigy, DoG/L-DoG and D-Adaptation against their reference packages
/// (`scripts/fixtures/lr_free_optimizers.py`: schedulefree 1.4.1, prodigyopt 1.1.2, dog-optimizer
/// 1.0.3, dadaptation 3.2, torch 2.15) over 300 updates of the fixture MLP with two parameter groups.
///
/// The reference's own gradients are replayed into Glidepath's optimizer, so exactly the update rules
/// are compared. Tolerance, justified: the element-wise arithmetic is PyTorch's operation by operation
/// (fused multiply-adds where its kernels fuse, `ReferenceArithmetic`), which makes Schedule-Free SGD
/// bit-identical over the 300 updates. What remains are the reference's Float32 reductions (dot products,
/// norms and sums with their own summation order; Glidepath sums in Double and rounds once) and its
/// square root (MKL's vsSqrt, within 1 ulp but not correctly rounded). They change the size of a step
/// by a relative δ of a few 2⁻²⁴ ≈ 6e-8 — up to ~20 ulps where a reduction of 20 Float32 terms feeds d
/// or η — so after t steps a parameter deviates by at most about δ·(|θ_t| + Σ|Δθ_i|) (``PathScale``).
/// Measured worst over all cases: 1.5e-6 of that scale (L-DoG), scalars 1.3e-6. The tolerance 1e-5
/// leaves a factor ~7; a wrong rule is off by far more (``tightEnoughToCatchSmallChanges()`` changes
/// one hyperparameter by 0.1% and fails).
@Suite("Learning-rate-free optimizers match their reference packages")
struct LearningRateFreeParityTests {
    static let tolerance = 1e-5

    typealias Scalars = [(key: String, group: Int?, value: (any Optimizer) -> Double)]

    /// Replays `name` into `optimizer` (over `parameters`, built from the fixture) and checks every step.
    func replay(
        _ name: String, parameters: [String: Tensor], optimizer: any Optimizer,
        scheduler: AnyScheduler? = nil, scalars: Scalars = []
    ) throws {
        let (deviation, scalarDeviation) = try deviations(
            name, parameters: parameters, optimizer: optimizer,
            scheduler: scheduler, scalars: scalars)
        #expect(
            deviation.worst <= Self.tolerance,
            "\(name): parameters deviate by \(deviation.worst) at \(deviation.where_)")
        #expect(
            scalarDeviation.worst <= Self.tolerance,
            "\(name): scalars deviate by \(scalarDeviation.worst) at \(scalarDeviation.where_)")
    }

    /// The worst deviations of the parameters (and x) and of `scalars` over the replay.
    func deviations(
        _ name: String, parameters: [String: Tensor], optimizer: any Optimizer, scheduler: AnyScheduler? = nil,
        scalars: Scalars = []
    ) throws -> (parameters: Deviation, scalars: Deviation) {
        let trajectory = try OptimizerTrajectory(name)
        var scheduler = scheduler
        var deviation = Deviation(), scalarDeviation = Deviation()
        var scales = PathScale()
        for step in 0..<trajectory.steps {
            try trajectory.loadGradients(parameters, step: step)
            if let current = scheduler {
                var receiver = optimizer
                receiver.receive(learningRates: current.learningRates, momenta: nil)
            }
            optimizer.step()
            try scheduler?.step(Observation(losses: [1]))
            for parameterName in OptimizerTrajectory.names {
                let actual = try #require(parameters[parameterName]).scalars
                let expected = try trajectory.row("parameters", parameterName, step)
                deviation.record(
                    actual, expected, scale: scales.advance(parameterName, to: expected),
                    "\(parameterName) after step \(step + 1)")
            }
            for scalar in scalars {
                let expected = try trajectory.scalar(scalar.key, step: step, group: scalar.group)
                scalarDeviation.record(
                    [Float(scalar.value(optimizer))], [Float(expected)], scale: [abs(expected)],
                    "\(scalar.key) after step \(step + 1)")
            }
            if let index = trajectory.evaluations.firstIndex(of: step + 1) {
                optimizer.setMode(.evaluation)
                for parameterName in OptimizerTrajectory.names {
                    let actual = try #require(parameters[parameterName]).scalars
                    let expected = try trajectory.row("evaluation", parameterName, index)
                    deviation.record(
                        actual, expected, scale: scales.scale(parameterName, expected),
                        "x of \(parameterName) after step \(step + 1)")
                }
                optimizer.setMode(.training)
            }
        }
        return (deviation, scalarDeviation)
    }

    func groups<H>(_ parameters: [String: Tensor], _ hyperparameters: [H]) -> [ParameterGroup<H>] {
        zip(OptimizerTrajectory.groupNames, hyperparameters).map { names, h in
            ParameterGroup(parameters: names.compactMap { parameters[$0] }, hyperparameters: h)
        }
    }

    @Test func scheduleFreeAdamW() throws {
        let parameters = try OptimizerTrajectory("sf_adamw").initialParameters()
        let optimizer = try ScheduleFreeAdamW(
            groups: groups(
                parameters,
                [
                    .init(learningRate: 0.01, weightDecay: 0.01, warmupSteps: 50),
                    .init(learningRate: 0.01, warmupSteps: 50),
                ]))
        try replay(
            "sf_adamw", parameters: parameters, optimizer: optimizer,
            scalars: [
                ("weightSum", 0, { _ in optimizer.statistics.groups[0].weightSum }),
                ("scheduledLR", 1, { _ in optimizer.statistics.groups[1].scheduledRate }),
            ])
    }

    @Test func scheduleFreeAdamWOptions() throws {
        let parameters = try OptimizerTrajectory("sf_adamw_options").initialParameters()
        let optimizer = try ScheduleFreeAdamW(
            groups: groups(
                parameters,
                [
                    .init(
                        learningRate: 0.02, beta1: 0.5, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.001,
                        averagingPower: 0.5,
                        weightLearningRatePower: 1),
                    .init(
                        learningRate: 0.005, beta1: 0.5, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.001,
                        warmupSteps: 20,
                        averagingPower: 0.5, weightLearningRatePower: 1),
                ]))
        try replay(
            "sf_adamw_options", parameters: parameters, optimizer: optimizer,
            scalars: [
                ("weightSum", 1, { _ in optimizer.statistics.groups[1].weightSum })
            ])
    }

    @Test func scheduleFreeSGD() throws {
        let parameters = try OptimizerTrajectory("sf_sgd").initialParameters()
        let optimizer = try ScheduleFreeSGD(
            groups: groups(
                parameters,
                [
                    .init(learningRate: 0.5, weightDecay: 0.001, warmupSteps: 30),
                    .init(learningRate: 0.5, warmupSteps: 30),
                ]))
        try replay(
            "sf_sgd", parameters: parameters, optimizer: optimizer,
            scalars: [
                ("lrMax", 0, { _ in optimizer.statistics.groups[0].largestRate })
            ])
    }

    func prodigyScalars(_ optimizer: Prodigy) -> Scalars {
        [
            ("d", nil, { _ in optimizer.statistics.d }), ("dMax", nil, { _ in optimizer.statistics.dMax }),
            ("k", nil, { _ in Double(optimizer.statistics.step) }),
        ]
    }

    @Test func prodigy() throws {
        let parameters = try OptimizerTrajectory("prodigy").initialParameters()
        let optimizer = try Prodigy(groups: groups(parameters, [.init(weightDecay: 0.01), .init()]))
        try replay("prodigy", parameters: parameters, optimizer: optimizer, scalars: prodigyScalars(optimizer))
    }

    @Test func prodigyOptions() throws {
        let parameters = try OptimizerTrajectory("prodigy_options").initialParameters()
        let optimizer = try Prodigy(
            groups: groups(parameters, [.init(weightDecay: 0.001, epsilon: 1e-7), .init(epsilon: 1e-7)]),
            shared: .init(
                beta1: 0.95, beta2: 0.99, beta3: 0.99, d0: 1e-5, dCoef: 0.5, growthRate: 1.05,
                decoupledWeightDecay: false, biasCorrection: true, safeguardWarmup: true))
        try replay("prodigy_options", parameters: parameters, optimizer: optimizer, scalars: prodigyScalars(optimizer))
    }

    /// A Glidepath cosine schedule drives Prodigy's `lr` multiplier as PyTorch's CosineAnnealingLR does
    /// in the reference run (stepped after every update).
    @Test func prodigyUnderCosineWithSlicedEstimate() throws {
        let parameters = try OptimizerTrajectory("prodigy_cosine_sliced").initialParameters()
        let optimizer = try Prodigy(
            groups: groups(parameters, [.init(weightDecay: 0.01), .init()]),
            shared: .init(beta1: 0, sliceStride: 3))
        let scheduler = AnyScheduler(try ClosedFormScheduler(CosineAnnealingSchedule(tMax: 300), baseRates: [1, 1]))
        try replay(
            "prodigy_cosine_sliced", parameters: parameters, optimizer: optimizer, scheduler: scheduler,
            scalars: prodigyScalars(optimizer))
    }

    func dogScalars(_ optimizer: DoG) -> Scalars {
        [
            ("eta", 0, { _ in Double(optimizer.statistics.groups[0].stepSize[0]) }),
            ("eta", 1, { _ in Double(optimizer.statistics.groups[1].stepSize[0]) }),
            ("rbar", 0, { _ in Double(optimizer.statistics.groups[0].distance[0]) }),
            ("G", 1, { _ in Double(optimizer.statistics.groups[1].squaredGradientSum[0]) }),
        ]
    }

    @Test func dog() throws {
        let parameters = try OptimizerTrajectory("dog").initialParameters()
        let optimizer = try DoG(
            groups: groups(
                parameters,
                [
                    .init(relativeInitialDistance: 1e-4, weightDecay: 0.001), .init(relativeInitialDistance: 1e-4),
                ]))
        try replay("dog", parameters: parameters, optimizer: optimizer, scalars: dogScalars(optimizer))
    }

    @Test func dogWithInitialStepSize() throws {
        let parameters = try OptimizerTrajectory("dog_init_eta").initialParameters()
        let optimizer = try DoG(
            groups: groups(
                parameters,
                [
                    .init(learningRate: 0.8, epsilon: 1e-6, initialStepSize: 1e-3),
                    .init(learningRate: 0.8, epsilon: 1e-6, initialStepSize: 1e-3),
                ]))
        try replay("dog_init_eta", parameters: parameters, optimizer: optimizer, scalars: dogScalars(optimizer))
    }

    @Test func layerWiseDoG() throws {
        let parameters = try OptimizerTrajectory("ldog").initialParameters()
        let optimizer = try DoG(
            groups: groups(
                parameters,
                [
                    .init(relativeInitialDistance: 1e-3, weightDecay: 0.0005), .init(relativeInitialDistance: 1e-3),
                ]), shared: .init(variant: .layerWise))
        let trajectory = try OptimizerTrajectory("ldog")
        try replay("ldog", parameters: parameters, optimizer: optimizer, scalars: dogScalars(optimizer))
        // Every tensor has its own η.
        for group in 0..<2 {
            expectClose(
                optimizer.statistics.groups[group].stepSize.map(Double.init),
                try trajectory.array("eta", step: trajectory.steps - 1, group: group), relativeTolerance: Self.tolerance
            )
        }
        #expect(optimizer.stepSizeEstimates.count == 4)
    }

    func dAdaptationScalars(_ statistics: @escaping () -> DAdaptationStatistics)
        -> Scalars
    {
        [
            ("d", nil, { _ in statistics().d }), ("numeratorWeighted", nil, { _ in statistics().numeratorWeighted }),
            ("k", nil, { _ in Double(statistics().step) }),
        ]
    }

    @Test func dAdaptAdam() throws {
        let parameters = try OptimizerTrajectory("dadapt_adam").initialParameters()
        let optimizer = try DAdaptAdam(groups: groups(parameters, [.init(weightDecay: 0.01), .init()]))
        try replay(
            "dadapt_adam", parameters: parameters, optimizer: optimizer,
            scalars: dAdaptationScalars { optimizer.statistics })
    }

    @Test func dAdaptAdamOptions() throws {
        let parameters = try OptimizerTrajectory("dadapt_adam_options").initialParameters()
        let optimizer = try DAdaptAdam(
            groups: groups(
                parameters, [.init(weightDecay: 0.01, epsilon: 1e-6), .init(epsilon: 1e-6, layerScale: 0.5)]),
            shared: .init(
                beta1: 0.8, beta2: 0.99, d0: 1e-5, growthRate: 1.1, decoupledWeightDecay: true,
                biasCorrection: true))
        try replay(
            "dadapt_adam_options", parameters: parameters, optimizer: optimizer,
            scalars: dAdaptationScalars { optimizer.statistics })
    }

    @Test func dAdaptSGD() throws {
        let parameters = try OptimizerTrajectory("dadapt_sgd").initialParameters()
        let optimizer = try DAdaptSGD(
            groups: groups(
                parameters,
                [
                    .init(learningRate: 0.2, weightDecay: 0.001), .init(learningRate: 0.2, weightDecay: 0.001),
                ]))
        try replay(
            "dadapt_sgd", parameters: parameters, optimizer: optimizer,
            scalars: dAdaptationScalars { optimizer.statistics }
                + [("g0Norm", nil, { _ in optimizer.statistics.initialGradientNorm })])
    }

    @Test func dAdaptSGDMomentum() throws {
        let parameters = try OptimizerTrajectory("dadapt_sgd_momentum").initialParameters()
        let optimizer = try DAdaptSGD(
            groups: groups(parameters, [.init(), .init()]),
            shared: .init(momentum: 0.9, d0: 1e-5, growthRate: 1.02))
        try replay(
            "dadapt_sgd_momentum", parameters: parameters, optimizer: optimizer,
            scalars: dAdaptationScalars { optimizer.statistics })
    }

    /// The tolerance is tight enough to catch a small mistake: a 0.1% change of one hyperparameter (a
    /// wrong default or a rounded constant would be larger) fails it in every family.
    @Test func tightEnoughToCatchSmallChanges() throws {
        var worst: [String: Double] = [:]
        do {
            let parameters = try OptimizerTrajectory("sf_sgd").initialParameters()
            let optimizer = try ScheduleFreeSGD(
                groups: groups(
                    parameters,
                    [
                        .init(learningRate: 0.5005, weightDecay: 0.001, warmupSteps: 30),
                        .init(learningRate: 0.5, warmupSteps: 30),
                    ]))
            worst["sf_sgd"] = try deviations("sf_sgd", parameters: parameters, optimizer: optimizer).parameters.worst
        }
        do {
            let parameters = try OptimizerTrajectory("prodigy").initialParameters()
            let optimizer = try Prodigy(
                groups: groups(parameters, [.init(weightDecay: 0.01), .init()]),
                shared: .init(dCoef: 1.001))
            worst["prodigy"] = try deviations("prodigy", parameters: parameters, optimizer: optimizer).parameters.worst
        }
        do {
            let parameters = try OptimizerTrajectory("dog").initialParameters()
            let optimizer = try DoG(
                groups: groups(
                    parameters,
                    [
                        .init(relativeInitialDistance: 1.001e-4, weightDecay: 0.001),
                        .init(relativeInitialDistance: 1.001e-4),
                    ]))
            worst["dog"] = try deviations("dog", parameters: parameters, optimizer: optimizer).parameters.worst
        }
        do {
            let parameters = try OptimizerTrajectory("dadapt_adam").initialParameters()
            let optimizer = try DAdaptAdam(
                groups: groups(parameters, [.init(weightDecay: 0.01), .init()]),
                shared: .init(beta2: 0.999001))
            worst["dadapt_adam"] = try deviations("dadapt_adam", parameters: parameters, optimizer: optimizer)
                .parameters.worst
        }
        print("deviations with a 0.1% change:", worst.sorted(by: { $0.key < $1.key }))
        for (name, deviation) in worst.sorted(by: { $0.key < $1.key }) {
            #expect(deviation > Self.tolerance, "\(name) with a 0.1% change deviates only \(deviation)")
        }
    }
}
