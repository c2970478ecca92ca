/// The report as a sequence of blocks, rendered once to Markdown (`report.md`) and once to HTML
/// (`index.html`), so both carry the same tables in the same order.
enum ReportBlock: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case list([String])
    case table(header: [String], rows: [[String]])
    case figure(ReportFigure)
}

/// Builds the report's blocks from the input and its statistics.
enum ReportDocument {
    static func blocks(
        _ input: ReportInput, analysis: StudyAnalysis, options: ReportOptions,
        figures: [ReportFigure]
    ) -> [ReportBlock] {
        var blocks = [ReportBlock]()
        blocks.append(.heading(level: 1, text: input.title))
        let budget = input.budget
        var facts = [
            "Plan: \(input.planDescription)",
            "Scale: \(input.scale)",
            "Machine: \(input.machine)",
            "Code version: \(input.codeVersion)",
            "Budget spent: \(budget.cellsFinished) of \(budget.cellsPlanned) cells finished, \(budget.cellsFailed) failed; \(Format.value(budget.trainingSeconds)) training seconds"
                + (budget.wallSeconds.map { ", \(Format.value($0)) wall seconds" } ?? "")
                + (budget.passes.map { ", \(Format.value($0)) forward+backward-pass equivalents" } ?? "") + ".",
        ]
        facts += budget.failures.map { "Failed cell: \($0)" }
        facts += input.notes
        blocks.append(.list(facts))

        blocks.append(.heading(level: 2, text: "Tasks and arms"))
        blocks.append(
            .table(
                header: ["task", "summary", "hard target", "easy target"],
                rows: input.tasks.map { task in
                    [task.name, task.summary, target(task.hardTarget), target(task.easyTarget)]
                }))
        blocks.append(
            .table(
                header: ["arm", "configuration", "role"],
                rows: input.arms.map { arm in
                    [arm.name, arm.summary, Self.role(arm, baselines: input.baselines)]
                }))

        blocks.append(.heading(level: 2, text: "Conclusions"))
        blocks.append(.paragraph(resolution(input, analysis: analysis, options: options)))
        var conclusions = [String]()
        for baseline in input.baselines {
            for arm in input.arms where StudyAnalysis.compares(arm.name, with: baseline, baselines: input.baselines) {
                let mine = analysis.comparisons.filter { $0.arm == arm.name && $0.baseline == baseline }
                guard !mine.isEmpty else { continue }
                let count = { (verdict: Comparison.Verdict) in mine.filter { $0.verdict == verdict }.count }
                let better = count(.better), worse = count(.worse)
                let counts =
                    "\(better) better, \(worse) worse, \(count(.different)) different, \(count(.notSignificant)) without a significant difference, \(count(.notTestable)) not testable by design, of \(mine.count) comparisons"
                if better == 0 {
                    conclusions.append(
                        "\(arm.name) is not better than \(baseline) on any task and endpoint compared (\(counts)).")
                } else {
                    let cases = mine.filter { $0.verdict == .better }.map { "\($0.task) \($0.endpoint.label)" }
                    conclusions.append(
                        "\(arm.name) is better than \(baseline) on \(cases.joined(separator: ", ")) (\(counts)).")
                }
            }
        }
        blocks.append(.list(conclusions))

        for task in input.tasks {
            blocks.append(.heading(level: 2, text: "Task \(task.name)"))
            var rows = [[String]]()
            for arm in input.arms {
                guard let summary = analysis.summaries.first(where: { $0.task == task.name && $0.arm == arm.name })
                else { continue }
                for endpoint in summary.endpoints.keys.sorted() {
                    guard let entry = summary.endpoints[endpoint] else { continue }
                    let reached = endpoint.isTimeToTarget ? "\(entry.summary.finiteCount)/\(entry.summary.count)" : "–"
                    rows.append([
                        arm.name, endpoint.label, "\(entry.summary.count)", reached, Format.value(entry.summary.mean),
                        Format.value(entry.summary.standardDeviation), Format.value(entry.summary.median),
                        Format.interval(entry.ci95) + " (\(entry.intervalStatistic.rawValue))",
                    ])
                }
            }
            blocks.append(.paragraph("Per arm, over seeds (a missed target counts as ∞; reached = seeds that met it):"))
            blocks.append(
                .table(header: ["arm", "endpoint", "n", "reached", "mean", "sd", "median", "95% CI"], rows: rows))
            // Tuned arms first; self-tuning arms (run at their defaults) in a table of their own, as the lab
            // protocol asks. Both share the task's Holm family.
            let selfTuning = Set(input.arms.filter(\.selfTuning).map(\.name))
            let all = analysis.comparisons.filter { $0.task == task.name }
            let groups = [
                (
                    all.filter { !selfTuning.contains($0.arm) },
                    "Each arm against each baseline, paired by seed (effect = arm − baseline; ∗ = tied |differences|, midranks):"
                ),
                (
                    all.filter { selfTuning.contains($0.arm) },
                    "Self-tuning arms (run at their defaults, no base-rate tuning) against each baseline, paired by seed, in the same Holm family:"
                ),
            ]
            for (comparisons, heading) in groups where !comparisons.isEmpty {
                blocks.append(.paragraph(heading))
                blocks.append(
                    .table(
                        header: [
                            "arm", "baseline", "endpoint", "pairs", "effect", "95% CI", "p (Wilcoxon)", "p (Holm)",
                            "smallest p", "verdict",
                        ],
                        rows: comparisons.map { c in
                            [
                                c.arm, c.baseline, c.endpoint.label, "\(c.pairs)",
                                Format.value(c.effect) + " (\(c.effectStatistic.rawValue))", Format.interval(c.ci95),
                                Format.p(c.wilcoxon?.pValue) + ((c.wilcoxon?.hasTies ?? false) ? "∗" : ""),
                                Format.p(c.pHolm),
                                Format.p(c.smallestAttainableP), verdictText(c.verdict),
                            ]
                        }))
                blocks.append(.list(comparisons.map(\.sentence)))
            }
            for figure in figures where figure.task == task.name { blocks.append(.figure(figure)) }
        }

        blocks.append(.heading(level: 2, text: "Across tasks"))
        if let profile = analysis.profile {
            blocks.append(
                .paragraph(
                    "Performance profile on \(options.timeEndpoint.label) (AlgoPerf): ratio of each arm's median time to the best arm's per task (∞ = missed), and the score B = (1/3)∫₁⁴ρ(τ)dτ."
                ))
            blocks.append(
                .table(
                    header: ["arm", "score"] + profile.tasks,
                    rows: profile.arms.enumerated().map { index, arm in
                        [arm, Format.value(profile.scores[index])] + profile.ratios[index].map { Format.value($0) }
                    }))
        }
        if !analysis.speedups.isEmpty {
            blocks.append(
                .paragraph(
                    "Geometric-mean speedup over each baseline (AlgoPerf): exp of the mean over tasks both reached of ln(baseline time / arm time) on the same median times; > 1 = the arm is faster. Tasks only one of them reached are counted beside it."
                ))
            blocks.append(
                .table(
                    header: [
                        "arm", "baseline", "speedup", "tasks both reached", "only the arm reached",
                        "only the baseline reached",
                    ],
                    rows: analysis.speedups.map { s in
                        [s.arm, s.baseline, Format.value(s.speedup), "\(s.tasks)", "\(s.armOnly)", "\(s.baselineOnly)"]
                    }))
        }
        for figure in figures where figure.task == nil { blocks.append(.figure(figure)) }
        if !analysis.aggregates.isEmpty {
            blocks.append(
                .paragraph(
                    "Mean rank over tasks (1 = best; by the median over seeds) and interquartile mean over all tasks and seeds with its stratified-bootstrap 95% interval (to-target endpoints as speed best/t, a miss 0):"
                ))
            blocks.append(
                .table(
                    header: ["arm", "endpoint", "mean rank", "tasks", "IQM", "IQM 95% CI"],
                    rows: analysis.aggregates.map { a in
                        [
                            a.arm, a.endpoint.label, Format.value(a.meanRank), "\(a.rankedTasks)", Format.value(a.iqm),
                            Format.interval(a.iqmCI95),
                        ]
                    }))
        }
        if !analysis.crossTask.isEmpty {
            blocks.append(
                .paragraph(
                    "Each arm against each baseline across tasks: stratified sign-flip test on normalised paired deltas (a − b)/(|a| + |b|) over all (task, seed) pairs, and the probability of improvement with its stratified-bootstrap 95% interval:"
                ))
            blocks.append(
                .table(
                    header: [
                        "arm", "baseline", "endpoint", "pairs", "mean δ", "p (sign-flip)", "P(improvement)", "95% CI",
                    ],
                    rows: analysis.crossTask.map { x in
                        [
                            x.arm, x.baseline, x.endpoint.label, "\(x.signFlip?.pairs ?? 0)",
                            Format.value(x.signFlip?.statistic),
                            Format.p(x.signFlip?.pValue) + ((x.signFlip?.isExact ?? false) ? " (exact)" : ""),
                            Format.value(x.probabilityOfImprovement), Format.interval(x.probabilityCI95),
                        ]
                    }))
        }
        blocks.append(.heading(level: 2, text: "Method"))
        blocks.append(
            .paragraph(
                "Seeds are paired across arms. Intervals are percentile bootstraps with B = \(options.bootstrapResamples) resamples (seed \(options.bootstrapSeed)); p-values are exact two-sided Wilcoxon signed-rank tests (zero differences dropped), Holm-corrected \(options.holmFamily == .perTask ? "per task over arms × baselines × endpoints" : "over every comparison of the report"); a comparison is called better or worse only when its Holm-adjusted p is below α = \(Format.p(options.significanceLevel)). Formulas and sources: docs/report.md in the Glidepath repository."
            ))
        return blocks
    }

    /// "baseline", "self-tuning" (run at its defaults, not tuned), "self-tuning baseline", or "arm".
    static func role(_ arm: ReportArm, baselines: [String]) -> String {
        switch (baselines.contains(arm.name), arm.selfTuning) {
        case (true, true): "self-tuning baseline"
        case (true, false): "baseline"
        case (false, true): "self-tuning (defaults, not tuned)"
        case (false, false): "arm"
        }
    }

    static func target(_ target: ReportTarget?) -> String {
        guard let target else { return "–" }
        return "\(Format.value(target.validationLoss)) (\(target.source))"
    }

    static func verdictText(_ verdict: Comparison.Verdict) -> String {
        switch verdict {
        case .better: "better"
        case .worse: "worse"
        case .different: "different"
        case .notSignificant: "not significant"
        case .notTestable: "not testable by design"
        }
    }

    /// The test-resolution statement: for each number of paired seeds, the smallest attainable exact p
    /// and, with the largest Holm family, the smallest attainable Holm-adjusted p.
    static func resolution(_ input: ReportInput, analysis: StudyAnalysis, options: ReportOptions) -> String {
        let counts = Set(analysis.comparisons.map(\.pairs)).sorted()
        guard !counts.isEmpty else { return "No comparisons: the report has no baseline or no paired cells." }
        var families = [String: Int]()
        for comparison in analysis.comparisons where comparison.wilcoxon != nil {
            families[options.holmFamily == .perTask ? comparison.task : "", default: 0] += 1
        }
        let family = families.values.max() ?? 1
        let parts = counts.map { n -> String in
            let smallest = WilcoxonSignedRank.smallestAttainablePValue(count: n)
            return
                "with \(n) paired seeds the smallest attainable two-sided p is \(Format.p(smallest)), and \(Format.p(min(1, Double(family) * smallest))) after Holm over a family of \(family)"
        }
        let untestable = analysis.comparisons.filter { $0.verdict == .notTestable }.count
        return "Test resolution: " + parts.joined(separator: "; ") + ". "
            + (untestable > 0
                ? "\(untestable) of \(analysis.comparisons.count) comparisons cannot reach p < \(Format.p(options.significanceLevel)) after Holm by design and are never called significant."
                : "Every comparison can reach p < \(Format.p(options.significanceLevel)) after Holm.")
    }
}
