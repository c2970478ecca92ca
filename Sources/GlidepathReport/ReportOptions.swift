/// The statistical choices of a report; the defaults are the study's protocol (`docs/report.md`).
public struct ReportOptions: Codable, Sendable, Equatable {
    /// The endpoints compared arm against baseline; together with arms × baselines they form the Holm
    /// family.
    public var comparedEndpoints: [Endpoint] = [
        .passesToHardTarget, .testAccuracy, .testF1, .testAUC, .bestValidationLoss,
    ]
    /// The to-target endpoint of the performance profiles and the time figures.
    public var timeEndpoint: Endpoint = .passesToHardTarget
    /// The accuracy-like endpoint of the scatter of accuracy against time.
    public var accuracyEndpoint: Endpoint = .testAccuracy
    /// Bootstrap resamples B for every bootstrap interval.
    public var bootstrapResamples: Int = 2000
    /// The seed of the bootstrap's generator (SplitMix64), so a report is reproducible byte for byte.
    public var bootstrapSeed: UInt64 = 20_261_203
    /// Sign-flip resamples when the exact enumeration (2^pairs) would be larger.
    public var permutationResamples: Int = 10000
    /// The significance level α of the tests (two-sided).
    public var significanceLevel: Double = 0.05
    /// Which comparisons share one Holm correction.
    public var holmFamily: HolmFamily = .perTask

    /// The family of a Holm correction.
    public enum HolmFamily: String, Codable, Sendable {
        /// Per task: every arm × baseline × compared endpoint of the task (the issue's "arms × baselines ×
        /// endpoints").
        case perTask
        /// Every comparison of the report, all tasks together (stricter).
        case wholeReport
    }

    public init() {}

    func validate() throws(ReportError) {
        guard bootstrapResamples >= 1 else {
            throw .invalidArgument(name: "bootstrapResamples", reason: "must be ≥ 1, got \(bootstrapResamples)")
        }
        guard permutationResamples >= 1 else {
            throw .invalidArgument(name: "permutationResamples", reason: "must be ≥ 1, got \(permutationResamples)")
        }
        guard significanceLevel > 0 && significanceLevel < 1 else {
            throw .invalidArgument(name: "significanceLevel", reason: "must be in (0, 1), got \(significanceLevel)")
        }
        guard timeEndpoint.isTimeToTarget else {
            throw .invalidArgument(name: "timeEndpoint", reason: "\(timeEndpoint.rawValue) is not a to-target endpoint")
        }
    }
}
