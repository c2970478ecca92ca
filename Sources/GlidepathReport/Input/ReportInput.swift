/// Everything `StudyReportWriter` needs to write a study's report: what was planned, what it cost, and
/// every finished cell. The study runner builds it from the run store; the report target knows nothing
/// of the store, the lab or the schedulers (Foundation only), so a report can be re-made from a saved
/// `ReportInput` JSON file.
public struct ReportInput: Codable, Sendable, Equatable {
    /// The report's heading, e.g. "landscape-study (reduced)".
    public var title: String
    /// The plan: its name and what it runs, in a sentence or two (printed at the top of the report).
    public var planDescription: String
    /// The scale and its factors, e.g. "reduced: epochs × 0.1, training examples × 0.2"; "full" otherwise.
    public var scale: String
    /// The machine the cells ran on (CPU, cores, thread count, OS), as recorded.
    public var machine: String
    /// The code version (git commit, dirty flag) the cells ran with.
    public var codeVersion: String
    /// What the study actually spent.
    public var budget: ReportBudget
    /// The tasks, in report order.
    public var tasks: [ReportTask]
    /// The arms, in report order (baselines included).
    public var arms: [ReportArm]
    /// The names of the arms every other arm is compared against, paired by seed.
    public var baselines: [String]
    /// The finished cells.
    public var cells: [ReportCell]
    /// Free-form remarks printed under the plan (the model variant, which targets are `auto`, …).
    public var notes: [String]

    public init(
        title: String, planDescription: String, scale: String, machine: String, codeVersion: String,
        budget: ReportBudget, tasks: [ReportTask], arms: [ReportArm], baselines: [String], cells: [ReportCell],
        notes: [String] = []
    ) {
        self.title = title
        self.planDescription = planDescription
        self.scale = scale
        self.machine = machine
        self.codeVersion = codeVersion
        self.budget = budget
        self.tasks = tasks
        self.arms = arms
        self.baselines = baselines
        self.cells = cells
        self.notes = notes
    }
}

/// What a study spent, summed over its cells (tuning trials included).
public struct ReportBudget: Codable, Sendable, Equatable {
    /// Cells planned (task × arm × seed × trial).
    public var cellsPlanned: Int
    /// Cells finished.
    public var cellsFinished: Int
    /// Cells that failed (with their reasons in ``failures``).
    public var cellsFailed: Int
    /// Training seconds summed over cells (evaluation excluded).
    public var trainingSeconds: Double
    /// Wall-clock seconds of the whole study, if known.
    public var wallSeconds: Double?
    /// Forward+backward-pass equivalents summed over cells (probe compute included).
    public var passes: Double?
    /// One line per failed cell: which cell and why.
    public var failures: [String]

    public init(
        cellsPlanned: Int, cellsFinished: Int, cellsFailed: Int = 0, trainingSeconds: Double,
        wallSeconds: Double? = nil, passes: Double? = nil, failures: [String] = []
    ) {
        self.cellsPlanned = cellsPlanned
        self.cellsFinished = cellsFinished
        self.cellsFailed = cellsFailed
        self.trainingSeconds = trainingSeconds
        self.wallSeconds = wallSeconds
        self.passes = passes
        self.failures = failures
    }
}

/// A task of the study and its validation-loss targets.
public struct ReportTask: Codable, Sendable, Equatable {
    /// The task's catalogue name, e.g. `adult-mlp`.
    public var name: String
    /// A short description (model, data, batch size, epochs).
    public var summary: String
    /// The hard validation-loss target.
    public var hardTarget: ReportTarget?
    /// The easy validation-loss target.
    public var easyTarget: ReportTarget?

    public init(name: String, summary: String = "", hardTarget: ReportTarget? = nil, easyTarget: ReportTarget? = nil) {
        self.name = name
        self.summary = summary
        self.hardTarget = hardTarget
        self.easyTarget = easyTarget
    }
}

/// A validation-loss target and how it was set.
public struct ReportTarget: Codable, Sendable, Equatable {
    /// The validation loss to reach (≤).
    public var validationLoss: Double
    /// How it was set, e.g. "auto: median over seeds of cosine's best validation loss" or "fixed in the plan".
    public var source: String

    public init(validationLoss: Double, source: String) {
        self.validationLoss = validationLoss
        self.source = source
    }
}

/// An arm of the study: a scheduler configuration (and optimizer override) under one name.
public struct ReportArm: Codable, Sendable, Equatable {
    /// The arm's name as in the plan, e.g. `cosine` or `landscape-edge`.
    public var name: String
    /// Its configuration in words or JSON (scheduler, optimizer, tuned base rate).
    public var summary: String
    /// Whether the arm is a self-tuning method run at its defaults (Schedule-Free, Prodigy, …: no base-rate
    /// tuning in either protocol). The arms table marks such arms "self-tuning", and their comparisons form
    /// a separate table per task (`docs/report.md`). Absent in JSON means `false`.
    public var selfTuning: Bool

    public init(name: String, summary: String = "", selfTuning: Bool = false) {
        self.name = name
        self.summary = summary
        self.selfTuning = selfTuning
    }

    private enum CodingKeys: String, CodingKey { case name, summary, selfTuning }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        summary = try container.decodeIfPresent(String.self, forKey: .summary) ?? ""
        selfTuning = try container.decodeIfPresent(Bool.self, forKey: .selfTuning) ?? false
    }
}
