/// Every statistic of a report, computed once from a validated ``ReportInput`` (`docs/report.md` has the
/// formulas and sources). Deterministic: the bootstrap and permutation seeds are derived from
/// ``ReportOptions/bootstrapSeed`` in a fixed order, so the same input gives the same numbers.
public struct StudyAnalysis: Sendable, Equatable {
    /// Per task and arm, every endpoint's summary over seeds.
    public var summaries: [ArmSummary]
    /// Every arm against every baseline, per task and compared endpoint, with Holm-adjusted p-values.
    public var comparisons: [Comparison]
    /// The same pairs across tasks: sign-flip test and probability of improvement.
    public var crossTask: [CrossTaskComparison]
    /// Per arm and endpoint: mean rank and IQM across tasks.
    public var aggregates: [CrossTaskAggregate]
    /// The performance profile on ``ReportOptions/timeEndpoint`` (tasks where it was measured).
    public var profile: PerformanceProfile?
    /// Each arm's geometric-mean speedup over each baseline on the profile's per-task times.
    public var speedups: [GeometricMeanSpeedup] = []

    /// Computes the statistics. `input` must be valid (``ReportInput/validate()``).
    public init(_ input: ReportInput, options: ReportOptions) throws(ReportError) {
        var seeds = SeedSequence(base: options.bootstrapSeed)
        let table = CellTable(input)
        let level = 0.95  // every interval of the report is a 95% interval (`ci95`)

        // Summaries.
        var summaries = [ArmSummary]()
        for task in input.tasks {
            let endpoints = table.endpoints(task: task.name)
            for arm in input.arms {
                var entries = [Endpoint: EndpointSummary]()
                for endpoint in endpoints {
                    let values = table.values(task: task.name, arm: arm.name, endpoint: endpoint)
                    let ordered = values.keys.sorted().compactMap { values[$0] }
                    let statistic = PairedDifferences.effectStatistic(for: endpoint)
                    let ci =
                        ordered.isEmpty
                        ? nil
                        : try PercentileBootstrap.interval(
                            ordered, statistic: statistic, resamples: options.bootstrapResamples, seed: seeds.next(),
                            level: level)
                    entries[endpoint] = EndpointSummary(
                        summary: Summary(ordered), intervalStatistic: statistic, ci95: ci,
                        undefined: table.seeds(task: task.name, arm: arm.name).count - ordered.count)
                }
                summaries.append(
                    ArmSummary(
                        task: task.name, arm: arm.name,
                        seeds: table.seeds(task: task.name, arm: arm.name).count, endpoints: entries))
            }
        }
        self.summaries = summaries

        // Comparisons, then Holm over each family.
        var comparisons = [Comparison]()
        for task in input.tasks {
            let present = table.endpoints(task: task.name)
            for baseline in input.baselines {
                for arm in input.arms where Self.compares(arm.name, with: baseline, baselines: input.baselines) {
                    for endpoint in options.comparedEndpoints where present.contains(endpoint) {
                        let paired = PairedDifferences(
                            arm: table.values(task: task.name, arm: arm.name, endpoint: endpoint),
                            baseline: table.values(task: task.name, arm: baseline, endpoint: endpoint))
                        let statistic = PairedDifferences.effectStatistic(for: endpoint)
                        let differences = paired.differences
                        let wilcoxon = differences.isEmpty ? nil : try WilcoxonSignedRank(differences: differences)
                        let ci =
                            differences.isEmpty
                            ? nil
                            : try PercentileBootstrap.interval(
                                differences, statistic: statistic, resamples: options.bootstrapResamples,
                                seed: seeds.next(), level: level)
                        let smallest = WilcoxonSignedRank.smallestAttainablePValue(count: wilcoxon?.count ?? 0)
                        comparisons.append(
                            Comparison(
                                task: task.name, arm: arm.name, baseline: baseline, endpoint: endpoint,
                                pairs: differences.count,
                                effect: differences.isEmpty ? nil : statistic.evaluate(differences),
                                effectStatistic: statistic, ci95: ci, wilcoxon: wilcoxon, pHolm: nil,
                                smallestAttainableP: smallest, smallestAttainableHolmP: smallest, verdict: .notTestable)
                        )
                    }
                }
            }
        }
        var families = [String: [Int]]()
        for (index, comparison) in comparisons.enumerated() where comparison.wilcoxon != nil {
            families[options.holmFamily == .perTask ? comparison.task : "", default: []].append(index)
        }
        for members in families.values {
            let adjusted = try HolmCorrection.adjust(members.map { comparisons[$0].wilcoxon?.pValue ?? 1 })
            for (member, pHolm) in zip(members, adjusted) {
                comparisons[member].pHolm = pHolm
                comparisons[member].smallestAttainableHolmP = min(
                    1, Double(members.count) * comparisons[member].smallestAttainableP)
            }
        }
        for index in comparisons.indices {
            comparisons[index].verdict = Self.verdict(comparisons[index], alpha: options.significanceLevel)
        }
        self.comparisons = comparisons

        // Across tasks.
        var crossTask = [CrossTaskComparison]()
        for baseline in input.baselines {
            for arm in input.arms where Self.compares(arm.name, with: baseline, baselines: input.baselines) {
                for endpoint in options.comparedEndpoints {
                    var strata = [[Double]](), x = [[Double]](), y = [[Double]]()
                    for task in input.tasks where table.endpoints(task: task.name).contains(endpoint) {
                        let a = table.values(task: task.name, arm: arm.name, endpoint: endpoint)
                        let b = table.values(task: task.name, arm: baseline, endpoint: endpoint)
                        strata.append(
                            a.keys.filter { b[$0] != nil }.sorted().map {
                                SignFlipTest.normalisedDelta(arm: a[$0] ?? 0, baseline: b[$0] ?? 0)
                            })
                        x.append(a.keys.sorted().compactMap { a[$0] }.map { endpoint.direction.oriented($0) })
                        y.append(b.keys.sorted().compactMap { b[$0] }.map { endpoint.direction.oriented($0) })
                    }
                    guard strata.contains(where: { !$0.isEmpty }) else { continue }
                    let signFlip = try SignFlipTest(
                        strata: strata, resamples: options.permutationResamples, seed: seeds.next())
                    var probability: Double?, probabilityCI: ConfidenceInterval?
                    if endpoint.direction != .descriptive {
                        probability = ProbabilityOfImprovement.of(x: x, y: y)
                        probabilityCI = try StratifiedBootstrap.interval(
                            x: x, y: y, resamples: options.bootstrapResamples, seed: seeds.next(), level: level,
                            statistic: { ProbabilityOfImprovement.of(x: $0, y: $1) })
                    }
                    crossTask.append(
                        CrossTaskComparison(
                            arm: arm.name, baseline: baseline, endpoint: endpoint, signFlip: signFlip,
                            probabilityOfImprovement: probability, probabilityCI95: probabilityCI))
                }
            }
        }
        self.crossTask = crossTask

        var aggregateEndpoints = options.comparedEndpoints
        if !aggregateEndpoints.contains(options.timeEndpoint) { aggregateEndpoints.insert(options.timeEndpoint, at: 0) }
        var aggregates = [CrossTaskAggregate]()
        for endpoint in aggregateEndpoints where endpoint.direction != .descriptive {
            let tasks = input.tasks.filter { table.endpoints(task: $0.name).contains(endpoint) }
            guard !tasks.isEmpty else { continue }
            let medians: [[Double?]] = input.arms.map { arm in
                tasks.map { task in
                    let values = table.values(task: task.name, arm: arm.name, endpoint: endpoint)
                    return Statistics.median(Array(values.values))
                }
            }
            let (ranks, ranked) = MeanRanks.compute(values: medians, direction: endpoint.direction)
            for (armIndex, arm) in input.arms.enumerated() {
                var iqm: Double?, iqmCI: ConfidenceInterval?
                if let strata = Self.scores(table: table, tasks: tasks, arm: arm.name, endpoint: endpoint),
                    strata.contains(where: { !$0.isEmpty })
                {
                    iqm = InterquartileMean.of(Array(strata.joined()))
                    iqmCI = try StratifiedBootstrap.interval(
                        strata, resamples: options.bootstrapResamples, seed: seeds.next(), level: level
                    ) { InterquartileMean.of(Array($0.joined())) }
                }
                aggregates.append(
                    CrossTaskAggregate(
                        arm: arm.name, endpoint: endpoint, meanRank: ranks.count > armIndex ? ranks[armIndex] : nil,
                        rankedTasks: ranked, iqm: iqm, iqmCI95: iqmCI))
            }
        }
        self.aggregates = aggregates

        let profileTasks = input.tasks.filter { table.endpoints(task: $0.name).contains(options.timeEndpoint) }
        if profileTasks.isEmpty || input.arms.isEmpty {
            profile = nil
        } else {
            let times = input.arms.map { arm in
                profileTasks.map { task -> Double in
                    let values = table.values(task: task.name, arm: arm.name, endpoint: options.timeEndpoint)
                    return Statistics.median(Array(values.values)) ?? .infinity
                }
            }
            profile = try PerformanceProfile(
                arms: input.arms.map(\.name), tasks: profileTasks.map(\.name), times: times)
            for baseline in input.baselines {
                guard let baselineIndex = input.arms.firstIndex(where: { $0.name == baseline }) else { continue }
                for (armIndex, arm) in input.arms.enumerated()
                where Self.compares(arm.name, with: baseline, baselines: input.baselines) {
                    speedups.append(
                        GeometricMeanSpeedup(
                            arm: arm.name, baseline: baseline, armTimes: times[armIndex],
                            baselineTimes: times[baselineIndex]))
                }
            }
        }
    }

    /// The cross-task scores of ``InterquartileMean``: accuracy-like endpoints as they are; a to-target
    /// endpoint as the speed score best_k / t (a miss 0). `nil` for other endpoints.
    static func scores(table: CellTable, tasks: [ReportTask], arm: String, endpoint: Endpoint) -> [[Double]]? {
        switch endpoint.direction {
        case .higherIsBetter:
            return tasks.map { task in
                let values = table.values(task: task.name, arm: arm, endpoint: endpoint)
                return values.keys.sorted().compactMap { values[$0] }
            }
        case .lowerIsBetter where endpoint.isTimeToTarget:
            return tasks.map { task in
                let best = table.allValues(task: task.name, endpoint: endpoint).filter(\.isFinite).min()
                let values = table.values(task: task.name, arm: arm, endpoint: endpoint)
                return values.keys.sorted().compactMap { values[$0] }.map { time in
                    guard let best, time.isFinite else { return 0 }
                    return time == best ? 1 : best / time
                }
            }
        default:
            return nil
        }
    }

    /// Whether `arm` is compared with `baseline`: every other arm is, except a baseline listed before
    /// `baseline` — that pair was already compared the other way round (and would count twice in Holm).
    static func compares(_ arm: String, with baseline: String, baselines: [String]) -> Bool {
        guard arm != baseline else { return false }
        guard let armIndex = baselines.firstIndex(of: arm), let baselineIndex = baselines.firstIndex(of: baseline)
        else {
            return true
        }
        return armIndex > baselineIndex
    }

    static func verdict(_ comparison: Comparison, alpha: Double) -> Comparison.Verdict {
        guard let test = comparison.wilcoxon, let pHolm = comparison.pHolm else { return .notTestable }
        if comparison.smallestAttainableHolmP >= alpha { return .notTestable }
        guard pHolm < alpha else { return .notSignificant }
        let total = Double(test.count * (test.count + 1)) / 2
        let armLarger = test.positiveRankSum > total / 2
        switch comparison.endpoint.direction {
        case .descriptive: return .different
        case .higherIsBetter: return armLarger ? .better : .worse
        case .lowerIsBetter: return armLarger ? .worse : .better
        }
    }
}

extension EndpointDirection {
    /// The value with "higher is better" orientation (lower-is-better values negated; +∞ becomes −∞).
    func oriented(_ value: Double) -> Double { self == .lowerIsBetter ? -value : value }
}

/// Distinct, reproducible seeds for the report's resamplings, drawn in a fixed order.
struct SeedSequence {
    private var generator: ReportGenerator
    init(base: UInt64) { generator = ReportGenerator(seed: base) }
    mutating func next() -> UInt64 { generator.next() }
}

/// The cells indexed by task, arm and seed.
struct CellTable {
    private var cells: [String: [String: [Int: ReportCell]]] = [:]

    init(_ input: ReportInput) {
        for cell in input.cells { cells[cell.task, default: [:]][cell.arm, default: [:]][cell.seed] = cell }
    }

    /// The endpoints some cell of `task` has, in declaration order.
    func endpoints(task: String) -> [Endpoint] {
        var present = Set<Endpoint>()
        for arm in (cells[task] ?? [:]).values { for cell in arm.values { present.formUnion(cell.endpoints.keys) } }
        return present.sorted()
    }

    func seeds(task: String, arm: String) -> [Int] { (cells[task]?[arm] ?? [:]).keys.sorted() }

    func cell(task: String, arm: String, seed: Int) -> ReportCell? { cells[task]?[arm]?[seed] }

    /// seed → value (+∞ for a miss; undefined values left out).
    func values(task: String, arm: String, endpoint: Endpoint) -> [Int: Double] {
        var out = [Int: Double]()
        for (seed, cell) in cells[task]?[arm] ?? [:] { if let value = cell.value(endpoint) { out[seed] = value } }
        return out
    }

    func allValues(task: String, endpoint: Endpoint) -> [Double] {
        (cells[task] ?? [:]).values.flatMap { $0.values.compactMap { $0.value(endpoint) } }
    }
}
