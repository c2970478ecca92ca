import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

/// A study: tasks with their budgets, arms (a scheduler configuration each, optionally an optimizer),
/// seeds, tuning protocols and validation-loss targets — the JSON file `glidepath study run` takes
/// (`docs/study-guide.md`).
///
/// Every cell of the study (task × arm × seed × tuning trial) is one ordinary lab run; see ``StudyCell``.
/// Decoding is strict: an unknown field, task or scheduler, a field of the wrong type, is a
/// ``StudyError/invalidPlan(field:value:reason:)`` naming the field path; ``validate()`` checks the
/// ranges and cross-field rules (distinct arm names, non-empty grids, known reference arms).
public struct StudyPlan: Sendable, Equatable, Codable {
    /// Format version of the plan; bump when a field changes meaning.
    public var version: Int
    /// The study's name: the key under which a store records it.
    public var name: String
    /// What the plan is for, in a sentence.
    public var summary: String?
    /// How the plan was scaled from its full-size form (recorded in every report made from it).
    public var scale: StudyScale
    /// How a built-in plan was cut down (`study plan NAME --tasks …`), for the record; nil for a plan as written.
    public var derivation: String?
    /// The optimizer of every arm that has none of its own; nil = each task's default (docs/tasks.md).
    public var optimizer: OptimizerConfiguration?
    public var tasks: [StudyTask]
    public var arms: [StudyArm]
    /// The seeds every (task, arm) runs with; the same seed gives the same initialisation and data order in
    /// every arm (paired seeds).
    public var seeds: [UInt64]
    /// The tuning protocols, each reported on its own.
    public var tuning: [TuningProtocol]
    /// The arm whose median best validation loss sets an `auto` hard target (AlgoPerf's target setting).
    public var referenceArm: String?
    /// The fixed-rate arm whose median final validation loss sets an `auto` easy target.
    public var fixedRateArm: String?
    /// The arms every other arm is compared against, paired by seed; nil = the fixed-rate and reference arms.
    public var baselines: [String]?
    /// Landscape probing in every cell whose scheduler does not read the landscape (a landscape arm
    /// probes at its scheduler's own cadence); nil = no probes in baseline cells.
    public var probing: ProbeConfiguration?

    public static let currentVersion = 1

    public init(
        name: String, summary: String? = nil, scale: StudyScale = .full, optimizer: OptimizerConfiguration? = nil,
        tasks: [StudyTask], arms: [StudyArm], seeds: [UInt64], tuning: [TuningProtocol] = [.fixed],
        referenceArm: String? = nil, fixedRateArm: String? = nil, probing: ProbeConfiguration? = nil
    ) {
        self.version = Self.currentVersion
        self.name = name
        self.summary = summary
        self.scale = scale
        self.optimizer = optimizer
        self.tasks = tasks
        self.arms = arms
        self.seeds = seeds
        self.tuning = tuning
        self.referenceArm = referenceArm
        self.fixedRateArm = fixedRateArm
        self.probing = probing
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, name, summary, scale, derivation, optimizer, tasks, arms, seeds, tuning, referenceArm,
            fixedRateArm, baselines, probing
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "a study plan")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        name = try container.decode(String.self, forKey: .name)
        summary = try container.decodeIfPresent(String.self, forKey: .summary)
        scale = try container.decodeIfPresent(StudyScale.self, forKey: .scale) ?? .full
        derivation = try container.decodeIfPresent(String.self, forKey: .derivation)
        optimizer = try container.decodeIfPresent(OptimizerConfiguration.self, forKey: .optimizer)
        tasks = try container.decode([StudyTask].self, forKey: .tasks)
        arms = try container.decode([StudyArm].self, forKey: .arms)
        seeds = try container.decode([UInt64].self, forKey: .seeds)
        tuning = try container.decodeIfPresent([TuningProtocol].self, forKey: .tuning) ?? [.fixed]
        referenceArm = try container.decodeIfPresent(String.self, forKey: .referenceArm)
        fixedRateArm = try container.decodeIfPresent(String.self, forKey: .fixedRateArm)
        baselines = try container.decodeIfPresent([String].self, forKey: .baselines)
        probing = try container.decodeIfPresent(ProbeConfiguration.self, forKey: .probing)
    }

    /// Decodes and validates a plan document.
    /// - Throws: ``StudyError/invalidPlan(field:value:reason:)``.
    public static func decode(_ data: Data) throws(StudyError) -> StudyPlan {
        let plan: StudyPlan
        do {
            plan = try StateCoding.decoder().decode(StudyPlan.self, from: data)
        } catch {
            throw PlanErrors.describe(error)
        }
        try plan.validate()
        return plan
    }

    /// Reads a plan file (`-` for standard input), or, when no such file exists, the built-in plan of that
    /// name at full scale.
    public static func load(_ path: String) throws(StudyError) -> StudyPlan {
        if path != "-" && !FileManager.default.fileExists(atPath: path), let builtIn = BuiltInPlan(rawValue: path) {
            return builtIn.plan(scale: .full)
        }
        let data: Data
        do {
            data =
                path == "-"
                ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadablePlan(path: path, reason: error.localizedDescription)
        }
        return try decode(data)
    }

    /// The plan as pretty JSON with sorted keys (what `study plan` prints and the store records).
    public func json(pretty: Bool = true) throws(StudyError) -> String {
        let encoder = StateCoding.encoder()
        if pretty { encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] }
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw .invalidPlan(field: "plan", value: name, reason: "cannot encode: \(error)")
        }
    }

    /// The baselines: ``baselines``, else the fixed-rate and reference arms.
    public var baselineArms: [String] {
        if let baselines { return baselines }
        var names: [String] = []
        for name in [fixedRateArm, referenceArm].compactMap({ $0 }) where !names.contains(name) { names.append(name) }
        return names
    }

    /// The arm named `name`.
    public func arm(named name: String) -> StudyArm? { arms.first { $0.name == name } }
}

/// One task of a study and its budget.
public struct StudyTask: Sendable, Equatable, Codable {
    public var task: TrainingTask
    /// Epochs per cell, ≥ 1.
    public var epochs: Int
    /// Examples per update (the seed's plan: 64 for the CNNs, 32 for the BiLSTMs, 128 for the MLP).
    public var batchSize: Int
    /// Train on only N examples of the training part (which: ``subsetSampling``); nil = all.
    public var trainingLimit: Int?
    /// Evaluate on only N validation and N test examples (which: ``subsetSampling``); nil = all.
    public var evaluationLimit: Int?
    /// Which N examples the limits keep (``SubsetSampling``): `"stratified"`, the seeded stratified sample
    /// of the task's split seed (the same for every arm and seed), which the built-in plans and `study plan`'s
    /// limits write; absent = `"first"`, the first N in file order, what a plan written before sampling
    /// existed meant (so its cells keep their identities). Only with a limit.
    public var subsetSampling: SubsetSampling?
    /// The hard and the easy validation-loss targets.
    public var targets: TargetPair

    public init(
        task: TrainingTask, epochs: Int? = nil, batchSize: Int? = nil, trainingLimit: Int? = nil,
        evaluationLimit: Int? = nil, subsetSampling: SubsetSampling? = nil, targets: TargetPair = .auto
    ) {
        self.task = task
        self.epochs = epochs ?? task.specification.epochBudget
        self.batchSize = batchSize ?? task.specification.batchSize
        self.trainingLimit = trainingLimit
        self.evaluationLimit = evaluationLimit
        self.subsetSampling = subsetSampling
        self.targets = targets
    }

    /// The sampling the task's cells record: nil without a limit or for the first N (a cell records file
    /// order as the field's absence, as before sampling existed).
    var cellSubsetSampling: SubsetSampling? {
        guard trainingLimit != nil || evaluationLimit != nil, let subsetSampling, subsetSampling != .first else {
            return nil
        }
        return subsetSampling
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, epochs, batchSize, trainingLimit, evaluationLimit, subsetSampling, targets
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "a study task")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .task)
        guard let task = TrainingTask(rawValue: name) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.task],
                    debugDescription: "unknown task \"\(name)\"; known tasks: "
                        + TrainingTask.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        self.task = task
        epochs = try container.decodeIfPresent(Int.self, forKey: .epochs) ?? task.specification.epochBudget
        batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize) ?? task.specification.batchSize
        trainingLimit = try container.decodeIfPresent(Int.self, forKey: .trainingLimit)
        evaluationLimit = try container.decodeIfPresent(Int.self, forKey: .evaluationLimit)
        subsetSampling = try container.decodeIfPresent(SubsetSampling.self, forKey: .subsetSampling)
        targets = try container.decodeIfPresent(TargetPair.self, forKey: .targets) ?? .auto
    }
}

/// A validation-loss target: a number, or `"auto"` (set from the study's own cells, see ``TargetPair``).
public enum TargetValue: Sendable, Equatable, Codable {
    case auto
    case value(Double)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard text == "auto" else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "expected a number or \"auto\", got \"\(text)\""))
            }
            self = .auto
        } else {
            self = .value(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .auto: try container.encode("auto")
        case .value(let value): try container.encode(value)
        }
    }
}

/// A task's two validation-loss targets.
///
/// `auto` sets them as AlgoPerf sets its targets (`docs/study-guide.md`, "Targets"): the hard target is the
/// median over seeds of the reference arm's best validation loss (fixed protocol); the easy one is the
/// median over seeds of the fixed-rate arm's final validation loss.
public struct TargetPair: Sendable, Equatable, Codable {
    public var hard: TargetValue
    public var easy: TargetValue

    public init(hard: TargetValue, easy: TargetValue) {
        self.hard = hard
        self.easy = easy
    }

    public static let auto = TargetPair(hard: .auto, easy: .auto)

    enum CodingKeys: String, CodingKey, CaseIterable { case hard, easy }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "targets")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hard = try container.decodeIfPresent(TargetValue.self, forKey: .hard) ?? .auto
        easy = try container.decodeIfPresent(TargetValue.self, forKey: .easy) ?? .auto
    }
}

/// One arm: a named scheduler configuration, optionally with its own optimizer.
public struct StudyArm: Sendable, Equatable, Codable {
    public var name: String
    /// The scheduler, as `glidepath train --scheduler-config` takes it. A `step` without `stepSize` decays
    /// at every third of the task's epochs (``StudyCell``); other open fields are resolved per run as
    /// `glidepath train` resolves them.
    public var scheduler: SchedulerConfiguration
    /// The arm's optimizer; nil = the plan's.
    public var optimizer: OptimizerConfiguration?
    /// `false`: tuning parity does not tune this arm's base rate — it runs at its optimizer's rate in every
    /// protocol, with no grid trials (the learning-rate-free optimizers, whose rate is a multiplier with a
    /// recommended default: Schedule-Free, Prodigy, `docs/optimizers.md`). nil or `true`: tuned.
    public var tuneBaseRate: Bool?

    public init(
        name: String, scheduler: SchedulerConfiguration, optimizer: OptimizerConfiguration? = nil,
        tuneBaseRate: Bool? = nil
    ) {
        self.name = name
        self.scheduler = scheduler
        self.optimizer = optimizer
        self.tuneBaseRate = tuneBaseRate
    }

    /// Whether tuning parity tunes this arm's base rate.
    public var isTuned: Bool { tuneBaseRate != false }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, scheduler, optimizer, tuneBaseRate }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "an arm")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        scheduler = try container.decode(SchedulerConfiguration.self, forKey: .scheduler)
        optimizer = try container.decodeIfPresent(OptimizerConfiguration.self, forKey: .optimizer)
        tuneBaseRate = try container.decodeIfPresent(Bool.self, forKey: .tuneBaseRate)
    }
}

/// How the base learning rate of an arm is chosen.
public enum TuningProtocol: Sendable, Equatable, Codable {
    /// Every arm at its optimizer's learning rate (the seed's protocol).
    case fixed
    /// Tuning parity (pytorch-dlrs 0.3.0's protocol, `docs/dlrs.md`): every tuned arm runs the same base-rate
    /// `grid` at `seed`; the rate with the lowest final validation loss is then run on every plan seed.
    case tunedParity(grid: TuningGrid, seed: UInt64)

    /// Tuning parity over a list of rates.
    public static func tunedParity(grid rates: [Double], seed: UInt64) -> TuningProtocol {
        .tunedParity(grid: .rates(rates), seed: seed)
    }

    /// The protocol's name in reports and in the JSON `"protocol"` field.
    public var name: String {
        switch self {
        case .fixed: return "fixed"
        case .tunedParity: return "tunedParity"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case `protocol`, grid, seed }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "a tuning protocol")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .protocol)
        switch name {
        case "fixed":
            for key in [CodingKeys.grid, .seed] where container.contains(key) {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath + [key],
                        debugDescription: "only tunedParity takes \(key.stringValue)"))
            }
            self = .fixed
        case "tunedParity":
            self = .tunedParity(
                grid: try container.decode(TuningGrid.self, forKey: .grid),
                seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0)
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.protocol],
                    debugDescription: "unknown protocol \"\(name)\"; expected \"fixed\" or \"tunedParity\""))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .protocol)
        if case let .tunedParity(grid, seed) = self {
            try container.encode(grid, forKey: .grid)
            try container.encode(seed, forKey: .seed)
        }
    }
}

/// Tuning parity's base-rate grid: a list of rates, or `{"lrFind": {…}}` — an LR range test
/// (`glidepath lr-find`, `docs/optimizers.md`) of each task with the arm's optimizer at the tuning seed, whose
/// suggestions (steepest descent, valley, minimum ÷ 10: torch-lr-finder's and fastai's) are the grid.
public enum TuningGrid: Sendable, Equatable, Codable {
    case rates([Double])
    case lrFind(LearningRateRangeTest.Configuration)

    enum CodingKeys: String, CodingKey, CaseIterable { case lrFind }

    public init(from decoder: any Decoder) throws {
        if let rates = try? decoder.singleValueContainer().decode([Double].self) {
            self = .rates(rates)
            return
        }
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "a grid (a list of rates or {\"lrFind\": {…}})")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(StateValue.self, forKey: .lrFind)
        guard case .object(let fields) = value else {
            throw DecodingError.typeMismatch(
                LearningRateRangeTest.Configuration.self,
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.lrFind],
                    debugDescription: "expected the range test's object"))
        }
        self = .lrFind(
            try StrictDecoding.decode(
                LearningRateRangeTest.Configuration.self, from: fields,
                defaults: LearningRateRangeTest.Configuration(), kind: "lrFind",
                codingPath: decoder.codingPath + [CodingKeys.lrFind]))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .rates(let rates):
            var container = encoder.singleValueContainer()
            try container.encode(rates)
        case .lrFind(let configuration):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(configuration, forKey: .lrFind)
        }
    }
}

/// How a plan was scaled from its full-size form: epochs × `epochFactor` (rounded up, ≥ 1) and training
/// examples × `trainingFraction` of the task's training part (docs/tasks.md gives the sizes).
public struct StudyScale: Sendable, Equatable, Codable {
    public enum Name: String, Sendable, Codable, CaseIterable { case full, reduced }

    public var name: Name
    public var epochFactor: Double
    public var trainingFraction: Double

    public init(name: Name, epochFactor: Double, trainingFraction: Double) {
        self.name = name
        self.epochFactor = epochFactor
        self.trainingFraction = trainingFraction
    }

    public static let full = StudyScale(name: .full, epochFactor: 1, trainingFraction: 1)
    /// A fifth of the epochs on a tenth of the training examples: the whole `landscape-study` at 10 seeds
    /// then costs about a fiftieth of the full plan (`docs/study-guide.md`, "Cost").
    public static let reduced = StudyScale(name: .reduced, epochFactor: 0.2, trainingFraction: 0.1)

    public static func named(_ name: Name) -> StudyScale { name == .full ? .full : .reduced }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, epochFactor, trainingFraction }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, in: "scale")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(Name.self, forKey: .name)
        epochFactor = try container.decode(Double.self, forKey: .epochFactor)
        trainingFraction = try container.decode(Double.self, forKey: .trainingFraction)
    }
}
