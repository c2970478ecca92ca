/// A line chart: one polyline per series (solid or dashed), an optional band per series (the spread over
/// seeds, drawn as a translucent polygon), horizontal reference lines with labels (targets, thresholds),
/// linear or log y. The x-axis counts updates or epochs, so its ticks are whole numbers.
struct LineChart {
    struct Series {
        var label: String
        var colorIndex: Int
        var dashed = false
        /// (x, y) points; non-finite (or, on a log axis, non-positive) y values break the line.
        var points: [(x: Double, y: Double)]
        /// (x, low, high): the band; empty for none.
        var band: [(x: Double, low: Double, high: Double)] = []
    }

    struct ReferenceLine {
        var value: Double
        var label: String
    }

    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var references: [ReferenceLine] = []
    /// Diamonds at (x, y) in a series' colour (where an arm first reached a target).
    var markers: [(x: Double, y: Double, colorIndex: Int)] = []
    /// nil: automatic (log when positive values span more than 20×).
    var logY: Bool?
    /// Extra legend entries explaining the line styles (e.g. solid = validation, dashed = training), drawn
    /// in grey after the series' entries; when set, series are listed by colour only.
    var styleKey: [(label: String, dashed: Bool)] = []
    /// Shown instead of lines when no series has a point.
    var emptyNote = "not recorded"

    func render() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }
        var ys = series.flatMap { $0.points.map(\.y) } + series.flatMap { $0.band.flatMap { [$0.low, $0.high] } }
        ys += references.map(\.value)
        let yScale: AxisScale
        switch logY {
        case .some(true): yScale = AxisScale.log(covering: ys) ?? .linear(covering: ys)
        case .some(false): yScale = .linear(covering: ys)
        case .none: yScale = .automatic(covering: ys)
        }
        let frame = PlotFrame(
            id: id, title: title, xLabel: xLabel, yLabel: yLabel,
            x: .linear(covering: xs.isEmpty ? [0, 1] : xs, integerStep: true), y: yScale)
        var svg = frame.open()
        let c = Format.coordinate
        let usable: (Double) -> Bool = { $0.isFinite && (!yScale.isLog || $0 > 0) }
        if series.allSatisfy({ $0.points.isEmpty }) { svg.append(frame.note(emptyNote)) }
        for line in series where !line.band.isEmpty {
            let kept = line.band.filter { usable($0.low) && usable($0.high) }
            guard kept.count >= 2 else { continue }
            let upper = kept.map { "\(c(frame.px($0.x))),\(c(frame.py($0.high)))" }
            let lower = kept.reversed().map { "\(c(frame.px($0.x))),\(c(frame.py($0.low)))" }
            svg.append(
                ##"<polygon points="\##((upper + lower).joined(separator: " "))" fill="\##(PlotFrame.color(line.colorIndex))" fill-opacity="0.15" stroke="none"/>"##
            )
        }
        for line in series {
            let dash = line.dashed ? ##" stroke-dasharray="5 3""## : ""
            var run = [String]()
            func flush() {
                if run.count >= 2 {
                    svg.append(
                        ##"<polyline fill="none" stroke="\##(PlotFrame.color(line.colorIndex))" stroke-width="1.5"\##(dash) points="\##(run.joined(separator: " "))"/>"##
                    )
                } else if run.count == 1, let only = run.first {
                    let parts = only.split(separator: ",")
                    svg.append(
                        ##"<circle cx="\##(parts[0])" cy="\##(parts[1])" r="2.5" fill="\##(PlotFrame.color(line.colorIndex))"/>"##
                    )
                }
                run.removeAll()
            }
            for point in line.points {
                if usable(point.y) { run.append("\(c(frame.px(point.x))),\(c(frame.py(point.y)))") } else { flush() }
            }
            flush()
        }
        for marker in markers where usable(marker.y) && marker.x.isFinite {
            let x = frame.px(marker.x), y = frame.py(marker.y)
            let points = "\(c(x)),\(c(y - 6)) \(c(x + 5)),\(c(y)) \(c(x)),\(c(y + 6)) \(c(x - 5)),\(c(y))"
            svg.append(
                ##"<polygon points="\##(points)" fill="\##(PlotFrame.color(marker.colorIndex))" stroke="white" stroke-width="1"/>"##
            )
        }
        for reference in references where usable(reference.value) {
            let y = c(frame.py(reference.value))
            svg.append(
                ##"<line x1="\##(c(PlotFrame.left))" y1="\##(y)" x2="\##(c(PlotFrame.left + PlotFrame.plotWidth))" y2="\##(y)" stroke="#444" stroke-dasharray="2 2"/>"##
            )
            svg.append(
                ##"<text x="\##(c(PlotFrame.left + PlotFrame.plotWidth - 4))" y="\##(c(frame.py(reference.value) - 4))" text-anchor="end" fill="#444" font-size="11">\##(Format.escape(reference.label))</text>"##
            )
        }
        // One entry per distinct label (a solid and a dashed series of one arm share it), then the line styles.
        var seen = Set<String>()
        var entries = [(label: String, color: String, style: LegendStyle)]()
        for line in series where seen.insert(line.label).inserted {
            entries.append(
                (line.label, PlotFrame.color(line.colorIndex), line.dashed && styleKey.isEmpty ? .dashed : .line))
        }
        entries += styleKey.map { ($0.label, "#555", $0.dashed ? .dashed : .line) }
        svg += frame.legend(entries)
        return PlotFrame.close(svg)
    }
}
