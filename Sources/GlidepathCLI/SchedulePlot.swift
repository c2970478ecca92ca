import Foundation

/// A deterministic SVG line plot of learning rate against step: axes, ticks, tick labels, axis labels,
/// one polyline per parameter group and a legend. Coordinates are printed with two decimals and tick
/// labels with `%g`, so the same schedule always gives the same bytes.
struct SchedulePlot {
    var title: String
    /// `series[g][k]`: the rate of group g after k steps.
    var series: [[Double]]
    var logScale: Bool

    static let width = 720.0, height = 420.0
    static let left = 80.0, right = 130.0, top = 40.0, bottom = 50.0
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    enum PlotError: Error { case noPositiveValues }

    private static func coordinate(_ value: Double) -> String { String(format: "%.2f", value) }
    private static func label(_ value: Double) -> String { String(format: "%g", value) }

    /// "Nice" tick spacing (1, 2 or 5 × 10^k) giving about `count` intervals over `span`.
    static func tickStep(span: Double, count: Double) -> Double {
        let raw = span / count
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    func render() throws -> String {
        let steps = max(1, (series.map(\.count).max() ?? 1) - 1)
        let values = series.flatMap { $0 }.filter(\.isFinite)
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom

        // Vertical axis: a linear range from min(0, lowest) or whole decades on a log axis.
        var yTicks = [Double]()
        let transform: (Double) -> Double
        let yLow: Double, yHigh: Double
        if logScale {
            let positive = values.filter { $0 > 0 }
            guard let smallest = positive.min(), let largest = positive.max() else { throw PlotError.noPositiveValues }
            let lowDecade = log10(smallest).rounded(.down)
            var highDecade = log10(largest).rounded(.up)
            if highDecade == lowDecade { highDecade += 1 }
            yLow = lowDecade
            yHigh = highDecade
            // Rates ≤ 0 have no logarithm: they are drawn on the bottom axis.
            transform = { $0 > 0 ? log10($0) : lowDecade }
            let every = max(1, ((highDecade - lowDecade) / 8).rounded(.up))
            var decade = lowDecade
            while decade <= highDecade {
                yTicks.append(decade)
                decade += every
            }
        } else {
            let lowest = min(0, values.min() ?? 0)
            var highest = values.max() ?? 1
            if highest <= lowest { highest = lowest + 1 }
            let step = Self.tickStep(span: highest - lowest, count: 5)
            yLow = (lowest / step).rounded(.down) * step
            yHigh = (highest / step).rounded(.up) * step
            transform = { $0 }
            var index = (yLow / step).rounded()
            while index * step <= yHigh + step * 1e-9 {
                yTicks.append(index * step)
                index += 1
            }
        }
        func x(_ step: Double) -> Double { Self.left + step / Double(steps) * plotWidth }
        func y(_ value: Double) -> Double {
            let clamped = min(max(transform(value), yLow), yHigh)
            return Self.top + (1 - (clamped - yLow) / (yHigh - yLow)) * plotHeight
        }

        var svg = [String]()
        svg.append(
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(Self.width))" height="\##(Int(Self.height))" viewBox="0 0 \##(Int(Self.width)) \##(Int(Self.height))" font-family="sans-serif" font-size="12">"##
        )
        svg.append(##"<rect x="0" y="0" width="\##(Int(Self.width))" height="\##(Int(Self.height))" fill="white"/>"##)
        svg.append(
            ##"<text x="\##(Self.coordinate(Self.left + plotWidth / 2))" y="22" text-anchor="middle" font-size="14">\##(title)</text>"##
        )
        // Grid and ticks.
        let xStep = Self.tickStep(span: Double(steps), count: 8).rounded(.up)
        var xTick = 0.0
        while xTick <= Double(steps) {
            let position = Self.coordinate(x(xTick))
            svg.append(
                ##"<line x1="\##(position)" y1="\##(Self.coordinate(Self.top))" x2="\##(position)" y2="\##(Self.coordinate(Self.top + plotHeight))" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<line x1="\##(position)" y1="\##(Self.coordinate(Self.top + plotHeight))" x2="\##(position)" y2="\##(Self.coordinate(Self.top + plotHeight + 5))" stroke="black"/>"##
            )
            svg.append(
                ##"<text x="\##(position)" y="\##(Self.coordinate(Self.top + plotHeight + 18))" text-anchor="middle">\##(Int(xTick))</text>"##
            )
            xTick += max(1, xStep)
        }
        for tick in yTicks {
            let position = Self.coordinate(Self.top + (1 - (tick - yLow) / (yHigh - yLow)) * plotHeight)
            let text = logScale ? Self.label(pow(10, tick)) : Self.label(tick)
            svg.append(
                ##"<line x1="\##(Self.coordinate(Self.left))" y1="\##(position)" x2="\##(Self.coordinate(Self.left + plotWidth))" y2="\##(position)" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<line x1="\##(Self.coordinate(Self.left - 5))" y1="\##(position)" x2="\##(Self.coordinate(Self.left))" y2="\##(position)" stroke="black"/>"##
            )
            svg.append(
                ##"<text x="\##(Self.coordinate(Self.left - 8))" y="\##(position)" text-anchor="end" dominant-baseline="middle">\##(text)</text>"##
            )
        }
        // Axes and their labels.
        svg.append(
            ##"<line x1="\##(Self.coordinate(Self.left))" y1="\##(Self.coordinate(Self.top + plotHeight))" x2="\##(Self.coordinate(Self.left + plotWidth))" y2="\##(Self.coordinate(Self.top + plotHeight))" stroke="black"/>"##
        )
        svg.append(
            ##"<line x1="\##(Self.coordinate(Self.left))" y1="\##(Self.coordinate(Self.top))" x2="\##(Self.coordinate(Self.left))" y2="\##(Self.coordinate(Self.top + plotHeight))" stroke="black"/>"##
        )
        svg.append(
            ##"<text x="\##(Self.coordinate(Self.left + plotWidth / 2))" y="\##(Self.coordinate(Self.height - 10))" text-anchor="middle">step</text>"##
        )
        let yLabel = logScale ? "learning rate (log scale)" : "learning rate"
        svg.append(
            ##"<text x="16" y="\##(Self.coordinate(Self.top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 16 \##(Self.coordinate(Self.top + plotHeight / 2)))">\##(yLabel)</text>"##
        )
        // One polyline per group, and the legend.
        for (group, rates) in series.enumerated() {
            let color = Self.palette[group % Self.palette.count]
            let points = rates.enumerated().map {
                "\(Self.coordinate(x(Double($0.offset)))),\(Self.coordinate(y($0.element)))"
            }
            svg.append(
                ##"<polyline fill="none" stroke="\##(color)" stroke-width="1.5" points="\##(points.joined(separator: " "))"/>"##
            )
            let legendY = Self.top + 10 + Double(group) * 18
            let legendX = Self.left + plotWidth + 15
            svg.append(
                ##"<line x1="\##(Self.coordinate(legendX))" y1="\##(Self.coordinate(legendY))" x2="\##(Self.coordinate(legendX + 20))" y2="\##(Self.coordinate(legendY))" stroke="\##(color)" stroke-width="2"/>"##
            )
            svg.append(
                ##"<text x="\##(Self.coordinate(legendX + 26))" y="\##(Self.coordinate(legendY))" dominant-baseline="middle">group \##(group)</text>"##
            )
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}
