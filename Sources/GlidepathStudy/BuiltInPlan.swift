import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

/// The plans `glidepath study plan NAME` prints (`docs/study-guide.md`, "Built-in plans").
public enum BuiltInPlan: String, Sendable, CaseIterable {
    /// The seed's plan exactly (`docs/tasks.md`, "The study plan"): CIFAR-10 and MNIST CNN (batch 64,
    /// 50 epochs), IMDB and SST-2 BiLSTM (batch 32, 20 epochs), Adult MLP (batch 128, 30 epochs), Adam
    /// η = 10⁻³ with coupled weight decay 5·10⁻⁴, ten seeds; arms constant, step, cosine, the landscape
    /// scheduler with each of its rules, DLRS, reduce-on-plateau and MLR-SNet (the published nets), and the
    /// learning-rate-free Schedule-Free AdamW and Prodigy at their defaults. Both the seed's fixed protocol
    /// and tuning parity over {3·10⁻⁴, 10⁻³, 3·10⁻³} at seed 0 (the learning-rate-free arms untuned).
    case landscapeStudy = "landscape-study"
    /// pytorch-dlrs 0.3.0's validation protocol (`docs/dlrs.md`): SGD with momentum 0.9 and weight decay
    /// 5·10⁻⁴, 6 epochs, batch 128, base-rate grid {0.01, 0.03, 0.1} at seed 0, seeds 11–15; fixed rate vs
    /// cosine vs DLRS (max rate 0.5) on the MNIST and CIFAR-10 CNNs.
    case dlrsValidation = "dlrs-validation"

    /// The plan at `scale`.
    public func plan(scale: StudyScale) -> StudyPlan {
        var plan: StudyPlan
        switch self {
        case .landscapeStudy:
            let tasks: [TrainingTask] = [.cifar10CNN, .mnistCNN, .imdbBiLSTM, .sst2BiLSTM, .adultMLP]
            var arms = [
                StudyArm(name: "constant", scheduler: SchedulerConfiguration(FixedSchedule.Configuration())),
                StudyArm(name: "step", scheduler: SchedulerConfiguration(StepSchedule.Configuration())),
                StudyArm(name: "cosine", scheduler: SchedulerConfiguration(CosineAnnealingSchedule.Configuration())),
            ]
            for rule in LandscapeRule.allCases {
                var landscape = LandscapeScheduler.Configuration()
                landscape.rule = rule
                arms.append(StudyArm(name: "landscape-\(rule.rawValue)", scheduler: SchedulerConfiguration(landscape)))
            }
            arms += [
                StudyArm(name: "dlrs", scheduler: SchedulerConfiguration(DLRSScheduler.Configuration())),
                StudyArm(
                    name: "reduceOnPlateau", scheduler: SchedulerConfiguration(ReduceOnPlateauScheduler.Configuration())
                ),
                StudyArm(name: "mlrsnet", scheduler: SchedulerConfiguration(MLRSNetScheduler.Configuration())),
                // The learning-rate-free optimizers at their references' defaults, no schedule, never tuned
                // (`docs/optimizers.md`): their rate is a multiplier with a recommended default.
                StudyArm(
                    name: "scheduleFreeAdamW", scheduler: SchedulerConfiguration(FixedSchedule.Configuration()),
                    optimizer: OptimizerConfiguration(ScheduleFreeAdamWConfiguration()), tuneBaseRate: false),
                StudyArm(
                    name: "prodigy", scheduler: SchedulerConfiguration(FixedSchedule.Configuration()),
                    optimizer: OptimizerConfiguration(ProdigyConfiguration()), tuneBaseRate: false),
            ]
            plan = StudyPlan(
                name: rawValue,
                summary:
                    "The seed's scheduler comparison: constant, step, cosine, the landscape scheduler (each rule), "
                    + "DLRS, reduce-on-plateau and MLR-SNet on five tasks, Adam 1e-3, weight decay 5e-4, ten seeds; "
                    + "with Schedule-Free AdamW and Prodigy at their defaults; the fixed protocol and tuning parity "
                    + "(Schedule-Free and Prodigy keep their default rate in both).",
                // No weight-decay scope: each task's own (the text tasks exempt embedding and biases, docs/tasks.md).
                optimizer: OptimizerConfiguration(AdamConfiguration()), tasks: tasks.map { StudyTask(task: $0) },
                arms: arms, seeds: Array(0..<10),
                tuning: [.fixed, .tunedParity(grid: [3e-4, 1e-3, 3e-3], seed: 0)],
                referenceArm: "cosine", fixedRateArm: "constant", probing: Self.epochProbes)
            plan.baselines = ["constant", "step", "cosine"]
        case .dlrsValidation:
            var sgd = SGDConfiguration()
            sgd.group.learningRate = 0.01
            sgd.group.momentum = 0.9
            sgd.group.weightDecay = 5e-4
            var dlrs = DLRSScheduler.Configuration()
            dlrs.maximumLearningRate = 0.5
            plan = StudyPlan(
                name: rawValue,
                summary: "pytorch-dlrs 0.3.0's validation protocol on the lab's MNIST and CIFAR-10 CNNs: fixed rate, "
                    + "cosine and DLRS, SGD momentum 0.9, weight decay 5e-4, 6 epochs, batch 128, grid {0.01, 0.03, 0.1} "
                    + "at seed 0, seeds 11-15.",
                optimizer: OptimizerConfiguration(sgd, weightDecayScope: .all),
                tasks: [.mnistCNN, .cifar10CNN].map { StudyTask(task: $0, epochs: 6, batchSize: 128) },
                arms: [
                    StudyArm(name: "fixed", scheduler: SchedulerConfiguration(FixedSchedule.Configuration())),
                    StudyArm(
                        name: "cosine", scheduler: SchedulerConfiguration(CosineAnnealingSchedule.Configuration())),
                    StudyArm(name: "dlrs", scheduler: SchedulerConfiguration(dlrs)),
                ],
                seeds: Array(11...15), tuning: [.tunedParity(grid: [0.01, 0.03, 0.1], seed: 0)],
                referenceArm: "cosine", fixedRateArm: "fixed", probing: Self.epochProbes)
            plan.baselines = ["fixed", "cosine"]
        }
        return plan.scaled(scale)
    }

    /// One landscape probe per epoch in every baseline cell (`docs/landscape.md`, "What a probe computes"), with
    /// every estimate, as the plans were recorded (their cells' content hashes and the studies already in stores
    /// stay valid); `LandscapeProbeSettings.training` here would cut a warm probe's gradient evaluations 1.4–3×.
    static let epochProbes = ProbeConfiguration(cadence: .epoch, settings: LandscapeProbeSettings())
}

extension StudyPlan {
    /// The nominal size of each task's training part (the official training split less the 10% validation
    /// holdout, `docs/tasks.md`): what ``StudyScale/trainingFraction`` is a fraction of.
    public static func trainingPartSize(of task: TrainingTask) -> Int {
        switch task {
        case .mnistCNN, .fashionMNISTCNN: return 54_000
        case .cifar10CNN: return 45_000
        case .imdbBiLSTM: return 22_500
        case .sst2BiLSTM: return 60_614
        case .adultMLP: return 29_305
        }
    }

    /// The plan with every task's epochs × `scale.epochFactor` (rounded up) and training examples ×
    /// `scale.trainingFraction` of its training part (rounded, ≥ 2; an existing limit is kept when smaller),
    /// a stratified sample (``SubsetSampling/stratified``).
    public func scaled(_ scale: StudyScale) -> StudyPlan {
        var plan = self
        plan.scale = scale
        guard scale != .full else { return plan }
        plan.tasks = tasks.map { task in
            var scaled = task
            scaled.epochs = max(1, Int((Double(task.epochs) * scale.epochFactor).rounded(.up)))
            if scale.trainingFraction < 1 {
                let limit = max(
                    2, Int((Double(Self.trainingPartSize(of: task.task)) * scale.trainingFraction).rounded()))
                scaled.trainingLimit = min(limit, task.trainingLimit ?? limit)
                // Stratified, so a label-sorted training part (IMDB) keeps both classes.
                scaled.subsetSampling = .stratified
            }
            return scaled
        }
        return plan
    }
}
