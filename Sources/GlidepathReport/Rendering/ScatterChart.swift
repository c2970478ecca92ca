/// A scatter of one point per cell, coloured by arm; cells whose x is +∞ (a missed target) are drawn as
/// open circles on the right edge of the plot.
struct ScatterChart {
    struct Group {
        var label: String
        var colorIndex: Int
        var points: [(x: Double, y: Double)]
    }

    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var groups: [Group]

    func render() -> String {
        let xs = groups.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let ys = groups.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let frame = PlotFrame(
            id: id, title: title, xLabel: xLabel, yLabel: yLabel,
            x: .automatic(covering: xs.isEmpty ? [0, 1] : xs),
            y: .linear(covering: ys.isEmpty ? [0, 1] : ys))
        var svg = frame.open()
        let c = Format.coordinate
        if groups.allSatisfy({ $0.points.isEmpty }) { svg.append(frame.note("no cells")) }
        var missed = false
        for group in groups {
            let color = PlotFrame.color(group.colorIndex)
            for point in group.points where point.y.isFinite {
                if point.x.isFinite {
                    svg.append(
                        ##"<circle cx="\##(c(frame.px(point.x)))" cy="\##(c(frame.py(point.y)))" r="4" fill="\##(color)" fill-opacity="0.8"/>"##
                    )
                } else {
                    missed = true
                    svg.append(
                        ##"<circle cx="\##(c(PlotFrame.left + PlotFrame.plotWidth))" cy="\##(c(frame.py(point.y)))" r="4" fill="white" stroke="\##(color)" stroke-width="1.5"/>"##
                    )
                }
            }
        }
        if missed {
            svg.append(
                ##"<text x="\##(c(PlotFrame.left + PlotFrame.plotWidth - 4))" y="\##(c(PlotFrame.top + 12))" text-anchor="end" font-size="11" fill="#555">open circles: target missed</text>"##
            )
        }
        svg += frame.legend(groups.map { ($0.label, PlotFrame.color($0.colorIndex), .dot) })
        return PlotFrame.close(svg)
    }
}
