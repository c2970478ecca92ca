/// A figure of the report: its SVG, the file it is written to under `figures/`, and its caption.
public struct ReportFigure: Sendable, Equatable {
    /// The `id` of the `<svg>` element (unique in `index.html`).
    public var id: String
    /// The file name under `figures/`.
    public var fileName: String
    public var caption: String
    public var svg: String
    /// The task it belongs to, or nil for a cross-task figure.
    public var task: String?
}

/// Builds every figure of a report (issue 12, item 5): per task, the learning rate over updates, training
/// and validation loss per epoch, λ_max with the stability threshold, the gradient norm, time to target
/// per arm, the final test accuracy / macro-F1 / ROC-AUC per arm (where measured) and accuracy against
/// time; across tasks, the performance profile.
///
/// Curves are the median over seeds, with a band from the smallest to the largest seed's value (with
/// 2–10 seeds an interquartile band would rest on one or two values). Learning-rate curves longer than
/// ``maximumPoints`` are thinned to every k-th update (the last one kept), deterministically.
enum ReportFigures {
    static let maximumPoints = 400

    static func make(_ input: ReportInput, analysis: StudyAnalysis, options: ReportOptions) -> [ReportFigure] {
        let table = CellTable(input)
        var figures = [ReportFigure]()
        for task in input.tasks {
            let slug = Self.slug(task.name)
            let perArm = input.arms.enumerated().map { index, arm in
                (
                    index: index, arm: arm.name,
                    cells: table.seeds(task: task.name, arm: arm.name).compactMap {
                        table.cell(task: task.name, arm: arm.name, seed: $0)
                    }
                )
            }
            // Learning rate per update.
            let rates = perArm.map { entry in
                band(
                    entry.cells.map { $0.series.learningRates.map(Optional.some) }, label: entry.arm,
                    color: entry.index,
                    thin: true)
            }
            figures.append(
                figure(
                    id: "lr-\(slug)", task: task.name,
                    caption: "\(task.name): learning rate over updates per arm (median over seeds, band min–max).",
                    svg: LineChart(
                        id: "fig-lr-\(slug)", title: "\(task.name): learning rate", xLabel: "update",
                        yLabel: "learning rate", series: rates, logY: true
                    ).render()))
            // Loss per epoch.
            var losses = [LineChart.Series]()
            for entry in perArm {
                losses.append(
                    band(
                        entry.cells.map { $0.series.validationLoss.map(Optional.some) },
                        label: entry.arm, color: entry.index, firstX: 1))
                var train = band(
                    entry.cells.map { $0.series.trainLoss.map(Optional.some) },
                    label: entry.arm, color: entry.index, firstX: 1)
                train.dashed = true
                train.band = []
                losses.append(train)
            }
            var references = [LineChart.ReferenceLine]()
            if let hard = task.hardTarget { references.append(.init(value: hard.validationLoss, label: "hard target")) }
            if let easy = task.easyTarget { references.append(.init(value: easy.validationLoss, label: "easy target")) }
            // Where each arm first reached the hard target: its median epoch over seeds (none if the median missed).
            var markers = [(x: Double, y: Double, colorIndex: Int)]()
            if let hard = task.hardTarget {
                for entry in perArm {
                    let summary = analysis.summaries.first { $0.task == task.name && $0.arm == entry.arm }
                    if let epoch = summary?.endpoints[.epochsToHardTarget]?.summary.median, epoch.isFinite {
                        markers.append((epoch, hard.validationLoss, entry.index))
                    }
                }
            }
            figures.append(
                figure(
                    id: "loss-\(slug)", task: task.name,
                    caption:
                        "\(task.name): validation loss (solid, band min–max over seeds) and training loss (dashed) per epoch, with the validation-loss targets; a diamond marks each arm's median epoch to the hard target.",
                    svg: LineChart(
                        id: "fig-loss-\(slug)", title: "\(task.name): loss", xLabel: "epoch", yLabel: "loss",
                        series: losses, references: references, markers: markers,
                        styleKey: [("validation", false), ("training", true)]
                    ).render()))
            // λ_max and the stability threshold.
            var curvature = [LineChart.Series]()
            for entry in perArm {
                curvature.append(
                    band(entry.cells.map(\.series.lambdaMax), label: entry.arm, color: entry.index, firstX: 1)
                )
                var threshold = band(
                    entry.cells.map(\.series.stabilityThreshold), label: entry.arm,
                    color: entry.index, firstX: 1)
                threshold.dashed = true
                threshold.band = []
                curvature.append(threshold)
            }
            figures.append(
                figure(
                    id: "lambda-\(slug)", task: task.name,
                    caption:
                        "\(task.name): largest Hessian eigenvalue λmax per epoch (solid) and the optimizer's stability threshold (dashed; 2/η for SGD, 38/η for Adam).",
                    svg: LineChart(
                        id: "fig-lambda-\(slug)", title: "\(task.name): sharpness λmax", xLabel: "epoch",
                        yLabel: "λmax", series: curvature.filter { !$0.points.isEmpty }, logY: true,
                        styleKey: [("λmax", false), ("stability threshold", true)],
                        emptyNote: "no landscape probes recorded"
                    ).render()))
            // Gradient norm.
            let gradients = perArm.map { entry in
                band(entry.cells.map(\.series.gradientNorm), label: entry.arm, color: entry.index, firstX: 1)
            }
            figures.append(
                figure(
                    id: "gradnorm-\(slug)", task: task.name,
                    caption: "\(task.name): gradient norm per epoch (median over seeds, band min–max).",
                    svg: LineChart(
                        id: "fig-gradnorm-\(slug)", title: "\(task.name): gradient norm", xLabel: "epoch",
                        yLabel: "‖g‖₂", series: gradients.filter { !$0.points.isEmpty }, logY: true,
                        emptyNote: "no gradient norms recorded"
                    ).render()))
            // Time to target per arm.
            let timeEndpoint = options.timeEndpoint
            let items = perArm.map { entry -> IntervalChart.Item in
                let summary = analysis.summaries.first { $0.task == task.name && $0.arm == entry.arm }?.endpoints[
                    timeEndpoint]
                let note = summary.map { "\($0.summary.finiteCount)/\($0.summary.count)" } ?? "no cells"
                return IntervalChart.Item(
                    category: entry.arm, note: note, colorIndex: entry.index,
                    value: summary?.summary.median, interval: summary?.ci95)
            }
            figures.append(
                figure(
                    id: "time-\(slug)", task: task.name,
                    caption:
                        "\(task.name): \(timeEndpoint.label) per arm — median over seeds with its bootstrap 95% interval; a triangle marks a median miss; k/n above the axis = seeds that reached the target.",
                    svg: IntervalChart(
                        id: "fig-time-\(slug)", title: "\(task.name): \(timeEndpoint.label)",
                        yLabel: timeEndpoint.label, items: items
                    ).render()))
            // Final test metrics per arm: mean with its bootstrap interval, and every seed.
            for (endpoint, name) in [(Endpoint.testAccuracy, "accuracy"), (.testF1, "f1"), (.testAUC, "auc")]
            where table.endpoints(task: task.name).contains(endpoint) {
                let items = perArm.map { entry -> IntervalChart.Item in
                    let summary = analysis.summaries.first { $0.task == task.name && $0.arm == entry.arm }?.endpoints[
                        endpoint]
                    let values = entry.cells.compactMap { $0.value(endpoint) }
                    return IntervalChart.Item(
                        category: entry.arm, note: "n = \(values.count)", colorIndex: entry.index,
                        value: summary?.summary.mean, interval: summary?.ci95, seeds: values)
                }
                figures.append(
                    figure(
                        id: "\(name)-\(slug)", task: task.name,
                        caption:
                            "\(task.name): \(endpoint.label) per arm — mean over seeds (dot) with its bootstrap 95% interval, each seed an open circle.",
                        svg: IntervalChart(
                            id: "fig-\(name)-\(slug)", title: "\(task.name): \(endpoint.label)", yLabel: endpoint.label,
                            items: items
                        ).render()))
            }
            // Accuracy against time.
            let accuracy = options.accuracyEndpoint
            let groups = perArm.map { entry in
                ScatterChart.Group(
                    label: entry.arm, colorIndex: entry.index,
                    points: entry.cells.compactMap { cell in
                        guard let x = cell.value(timeEndpoint), let y = cell.value(accuracy) else { return nil }
                        return (x, y)
                    })
            }
            figures.append(
                figure(
                    id: "scatter-\(slug)", task: task.name,
                    caption: "\(task.name): \(accuracy.label) against \(timeEndpoint.label), one point per cell.",
                    svg: ScatterChart(
                        id: "fig-scatter-\(slug)", title: "\(task.name): \(accuracy.label) vs time",
                        xLabel: timeEndpoint.label, yLabel: accuracy.label, groups: groups
                    ).render()))
        }
        if let profile = analysis.profile {
            figures.append(
                figure(
                    id: "profile", task: nil,
                    caption:
                        "Performance profile on \(options.timeEndpoint.label): the fraction of tasks on which each arm is within a factor τ of the fastest arm (median over seeds; a miss never is). Score = area under the curve over τ ∈ [1, 4], normalised to [0, 1].",
                    svg: ProfileChart(
                        id: "fig-profile", title: "Performance profile (\(options.timeEndpoint.label))",
                        profile: profile
                    ).render()))
        }
        return figures
    }

    private static func figure(id: String, task: String?, caption: String, svg: String) -> ReportFigure {
        ReportFigure(id: "fig-\(id)", fileName: "\(id).svg", caption: caption, svg: svg, task: task)
    }

    /// The median over seeds at each index, with the min–max band.
    static func band(_ seeds: [[Double?]], label: String, color: Int, firstX: Double = 0, thin: Bool = false)
        -> LineChart.Series
    {
        let length = seeds.map(\.count).max() ?? 0
        let every = thin && length > maximumPoints ? (length + maximumPoints - 1) / maximumPoints : 1
        var points = [(x: Double, y: Double)](), band = [(x: Double, low: Double, high: Double)]()
        var index = 0
        while index < length {
            let values = seeds.compactMap { $0.count > index ? $0[index] : nil }.filter(\.isFinite)
            if let median = Statistics.median(values), let low = values.min(), let high = values.max() {
                let x = Double(index) + firstX
                points.append((x, median))
                band.append((x, low, high))
            }
            index = index == length - 1 ? length : min(index + every, length - 1)
        }
        return LineChart.Series(label: label, colorIndex: color, points: points, band: seeds.count > 1 ? band : [])
    }

    /// Lower-case letters, digits and hyphens only (file names and element ids).
    static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }
}
