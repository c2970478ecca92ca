import Foundation
import GlidepathLab
import GlidepathNN

/// The SVG of a range test: loss against learning rate (log axis for an exponential sweep), the raw
/// batch losses in grey, the smoothed loss in blue (the vertical axis spans the smoothed loss of the
/// updates the suggestions consider, as torch-lr-finder's plot leaves out `skip_start` and `skip_end`;
/// what lies beyond is clipped), for each suggestion a dot at the point its rule picked and a dashed
/// line at the suggested rate.
/// Numbers are printed with fixed formats, so the same report always gives the same bytes.
struct RangeTestPlot {
    var report: RangeTestReport

    static let width = 760.0, height = 440.0
    static let left = 80.0, right = 190.0, top = 40.0, bottom = 50.0
    static let markers: [(name: String, color: String)] = [
        ("steepest", "#d62728"), ("minimum/10", "#2ca02c"),
        ("valley", "#ff7f0e"),
    ]

    private static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    func render() -> String {
        let logScale = report.test.spacing == .exponential
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func position(_ rate: Double) -> Double { logScale ? log10(rate) : rate }
        let low = position(report.test.startRate), high = position(report.test.endRate)
        let considered = report.smoothedLosses.dropFirst(report.test.skipStart).dropLast(report.test.skipEnd)
        let finite = (considered.isEmpty ? report.smoothedLosses[...] : considered).filter(\.isFinite)
        let step = SchedulePlot.tickStep(span: max((finite.max() ?? 1) - (finite.min() ?? 0), 1e-12), count: 5)
        let yLow = ((finite.min() ?? 0) / step).rounded(.down) * step
        let yHigh = max(((finite.max() ?? 1) / step).rounded(.up) * step, yLow + step)
        func x(_ rate: Double) -> Double { Self.left + (position(rate) - low) / (high - low) * plotWidth }
        func y(_ loss: Double) -> Double {
            Self.top + (1 - (min(max(loss, yLow), yHigh) - yLow) / (yHigh - yLow)) * plotHeight
        }
        var svg = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(Self.width))" height="\##(Int(Self.height))" viewBox="0 0 \##(Int(Self.width)) \##(Int(Self.height))" font-family="sans-serif" font-size="12">"##,
            ##"<rect x="0" y="0" width="\##(Int(Self.width))" height="\##(Int(Self.height))" fill="white"/>"##,
            ##"<text x="\##(Self.number(Self.left + plotWidth / 2))" y="22" text-anchor="middle" font-size="14">LR range test: \##(report.task.rawValue), \##(report.rates.count) updates (\##(report.ending.rawValue))</text>"##,
        ]
        // Grid and tick labels.
        var xTicks: [Double] = []
        if logScale {
            var decade = low.rounded(.up)
            while decade <= high + 1e-9 { xTicks.append(pow(10, decade)); decade += 1 }
        } else {
            let xStep = SchedulePlot.tickStep(span: high - low, count: 6)
            var tick = (low / xStep).rounded(.up) * xStep
            while tick <= high + xStep * 1e-9 { xTicks.append(tick); tick += xStep }
        }
        for tick in xTicks {
            let px = Self.number(x(tick))
            svg.append(
                ##"<line x1="\##(px)" y1="\##(Self.number(Self.top))" x2="\##(px)" y2="\##(Self.number(Self.top + plotHeight))" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<text x="\##(px)" y="\##(Self.number(Self.top + plotHeight + 18))" text-anchor="middle">\##(String(format: "%g", tick))</text>"##
            )
        }
        var tick = yLow
        while tick <= yHigh + step * 1e-9 {
            let py = Self.number(y(tick))
            svg.append(
                ##"<line x1="\##(Self.number(Self.left))" y1="\##(py)" x2="\##(Self.number(Self.left + plotWidth))" y2="\##(py)" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<text x="\##(Self.number(Self.left - 8))" y="\##(py)" text-anchor="end" dominant-baseline="middle">\##(String(format: "%g", tick))</text>"##
            )
            tick += step
        }
        svg.append(
            ##"<rect x="\##(Self.number(Self.left))" y="\##(Self.number(Self.top))" width="\##(Self.number(plotWidth))" height="\##(Self.number(plotHeight))" fill="none" stroke="black"/>"##
        )
        svg.append(
            ##"<text x="\##(Self.number(Self.left + plotWidth / 2))" y="\##(Self.number(Self.height - 10))" text-anchor="middle">learning rate\##(logScale ? " (log scale)" : "")</text>"##
        )
        svg.append(
            ##"<text x="16" y="\##(Self.number(Self.top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 16 \##(Self.number(Self.top + plotHeight / 2)))">training loss</text>"##
        )
        // The curves, drawn up to the first non-finite loss.
        func polyline(_ losses: [Double], _ color: String, _ widthValue: String) -> String {
            let points = zip(report.rates, losses).prefix { $0.1.isFinite }.map {
                "\(Self.number(x($0.0))),\(Self.number(y($0.1)))"
            }
            return
                ##"<polyline fill="none" stroke="\##(color)" stroke-width="\##(widthValue)" points="\##(points.joined(separator: " "))"/>"##
        }
        svg.append(polyline(report.losses, "#bbbbbb", "1"))
        svg.append(polyline(report.smoothedLosses, "#1f77b4", "2"))
        // Legend and suggestions.
        let legendX = Self.left + plotWidth + 15
        var legendY = Self.top + 10
        func legend(_ color: String, _ text: String, dot: Bool) {
            if dot {
                svg.append(
                    ##"<circle cx="\##(Self.number(legendX + 10))" cy="\##(Self.number(legendY))" r="5" fill="\##(color)"/>"##
                )
            } else {
                svg.append(
                    ##"<line x1="\##(Self.number(legendX))" y1="\##(Self.number(legendY))" x2="\##(Self.number(legendX + 20))" y2="\##(Self.number(legendY))" stroke="\##(color)" stroke-width="2"/>"##
                )
            }
            svg.append(
                ##"<text x="\##(Self.number(legendX + 26))" y="\##(Self.number(legendY))" dominant-baseline="middle">\##(text)</text>"##
            )
            legendY += 18
        }
        legend("#bbbbbb", "batch loss", dot: false)
        legend("#1f77b4", "smoothed loss", dot: false)
        let suggestions = report.suggestions
        for ((name, color), suggestion) in zip(
            Self.markers, [suggestions.steepest, suggestions.minimum, suggestions.valley])
        {
            guard let suggestion else {
                legend(color, "\(name): none", dot: true)
                continue
            }
            let rate = report.rates[suggestion.index], px = Self.number(x(suggestion.rate))
            svg.append(
                ##"<line x1="\##(px)" y1="\##(Self.number(Self.top))" x2="\##(px)" y2="\##(Self.number(Self.top + plotHeight))" stroke="\##(color)" stroke-dasharray="4 3"/>"##
            )
            svg.append(
                ##"<circle cx="\##(Self.number(x(rate)))" cy="\##(Self.number(y(suggestion.loss)))" r="5" fill="\##(color)"/>"##
            )
            legend(color, "\(name) \(String(format: "%.3g", suggestion.rate))", dot: true)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}
