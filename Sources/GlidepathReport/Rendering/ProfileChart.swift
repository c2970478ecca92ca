/// The performance profile as step functions: for each arm, ρ(τ) (fraction of tasks within a factor τ of
/// the best arm) for τ from 1 to r_max, rising at each ratio; the integrated score in the legend.
struct ProfileChart {
    var id: String
    var title: String
    var profile: PerformanceProfile

    func render() -> String {
        let rMax = profile.maximumRatio
        let frame = PlotFrame(
            id: id, title: title, xLabel: "ratio τ of time to the best arm's",
            yLabel: "fraction of tasks within τ", x: .linear(low: 1, high: rMax, step: 0.5),
            y: .linear(low: 0, high: 1, step: 0.2))
        var svg = frame.open()
        let c = Format.coordinate
        for (arm, ratios) in profile.ratios.enumerated() {
            // Breakpoints: each finite ratio within [1, rMax]; ρ jumps there.
            let steps = ratios.filter { $0 <= rMax }.sorted()
            var points = [(Double, Double)]()
            var current = 0.0
            var tau = 1.0
            let perTask = 1 / Double(profile.tasks.count)
            var index = 0
            while index < steps.count && steps[index] <= 1 { current += perTask; index += 1 }
            points.append((tau, current))
            while index < steps.count {
                tau = steps[index]
                points.append((tau, current))
                while index < steps.count && steps[index] == tau { current += perTask; index += 1 }
                points.append((tau, current))
            }
            points.append((rMax, current))
            // Offset overlapping arms by 1.5 pixels so every line stays visible.
            let offset = Double(arm) * 1.5
            let text = points.map { "\(c(frame.px($0.0))),\(c(frame.py($0.1) - offset))" }.joined(separator: " ")
            svg.append(
                ##"<polyline fill="none" stroke="\##(PlotFrame.color(arm))" stroke-width="2" points="\##(text)"/>"##)
        }
        svg += frame.legend(
            profile.arms.enumerated().map { index, arm in
                ("\(arm) (score \(Format.value(profile.scores[index])))", PlotFrame.color(index), .line)
            })
        return PlotFrame.close(svg)
    }
}
