/// A point-with-interval chart over categories (arms): each category a dot at its value with a vertical
/// whisker for its 95% interval; a miss (+∞) is drawn as an open triangle at the top edge labelled
/// "missed"; the category's note (e.g. "4/5", the seeds that reached the target) is printed just above the
/// axis, the name under it (tilted when there are more than four categories); optionally each seed's value
/// as a small open circle beside the whisker.
struct IntervalChart {
    struct Item {
        var category: String
        var note: String
        var colorIndex: Int
        var value: Double?
        var interval: ConfidenceInterval?
        /// The individual seeds' values, drawn as small open circles left of the whisker (a strip plot).
        var seeds: [Double] = []
    }

    var id: String
    var title: String
    var yLabel: String
    var items: [Item]
    var logY = false

    func render() -> String {
        let values = items.flatMap { item in
            [item.value, item.interval?.lower, item.interval?.upper].compactMap { $0 } + item.seeds.filter(\.isFinite)
        }
        let yScale = logY ? (AxisScale.log(covering: values) ?? .linear(covering: values)) : .linear(covering: values)
        // x: one slot per category, at 1…n on a 0…n+1 axis (ticks hidden: the names are the labels).
        let count = Double(max(items.count, 1))
        let frame = PlotFrame(
            id: id, title: title, xLabel: "", yLabel: yLabel,
            x: .linear(low: 0, high: count + 1, step: count + 1), y: yScale, showXTicks: false)
        var svg = frame.open()
        let c = Format.coordinate
        let bottomY = PlotFrame.top + PlotFrame.plotHeight
        if items.isEmpty { svg.append(frame.note("no cells")) }
        for (index, item) in items.enumerated() {
            let x = frame.px(Double(index + 1))
            let color = PlotFrame.color(item.colorIndex)
            // Names under the axis, tilted when there are more than four; the note just above the axis.
            let label = Format.escape(item.category)
            if items.count > 4 {
                let y = c(bottomY + 14)
                svg.append(
                    ##"<text x="\##(c(x))" y="\##(y)" text-anchor="end" font-size="11" transform="rotate(-30 \##(c(x)) \##(y))">\##(label)</text>"##
                )
            } else {
                svg.append(##"<text x="\##(c(x))" y="\##(c(bottomY + 18))" text-anchor="middle">\##(label)</text>"##)
            }
            svg.append(
                ##"<text x="\##(c(x))" y="\##(c(bottomY - 6))" text-anchor="middle" font-size="10" fill="#555">\##(Format.escape(item.note))</text>"##
            )
            if let interval = item.interval {
                let top = interval.upper.isFinite ? frame.py(interval.upper) : PlotFrame.top
                let low = interval.lower.isFinite ? frame.py(interval.lower) : PlotFrame.top
                svg.append(
                    ##"<line x1="\##(c(x))" y1="\##(c(low))" x2="\##(c(x))" y2="\##(c(top))" stroke="\##(color)" stroke-width="2"/>"##
                )
                for end in [low, top] {
                    svg.append(
                        ##"<line x1="\##(c(x - 6))" y1="\##(c(end))" x2="\##(c(x + 6))" y2="\##(c(end))" stroke="\##(color)" stroke-width="2"/>"##
                    )
                }
            }
            for seed in item.seeds where seed.isFinite {
                svg.append(
                    ##"<circle cx="\##(c(x - 14))" cy="\##(c(frame.py(seed)))" r="2.5" fill="none" stroke="\##(color)"/>"##
                )
            }
            if let value = item.value {
                if value.isFinite {
                    svg.append(##"<circle cx="\##(c(x))" cy="\##(c(frame.py(value)))" r="5" fill="\##(color)"/>"##)
                } else {
                    let y = PlotFrame.top + 2
                    svg.append(
                        ##"<polygon points="\##(c(x - 6)),\##(c(y + 10)) \##(c(x + 6)),\##(c(y + 10)) \##(c(x)),\##(c(y))" fill="white" stroke="\##(color)" stroke-width="2"/>"##
                    )
                    svg.append(
                        ##"<text x="\##(c(x + 9))" y="\##(c(y + 10))" font-size="11" fill="\##(color)">missed</text>"##)
                }
            }
        }
        svg += frame.legend(items.map { ($0.category, PlotFrame.color($0.colorIndex), .dot) })
        return PlotFrame.close(svg)
    }
}
