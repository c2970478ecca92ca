import Foundation

/// An axis scale: linear between two bounds, or logarithmic between two whole decades.
enum AxisScale: Equatable {
    case linear(low: Double, high: Double, step: Double)
    case log(lowDecade: Double, highDecade: Double)

    /// A linear scale with "nice" bounds and ticks (steps of 1, 2 or 5 × 10ᵏ, about five intervals) over
    /// `values` (finite ones only); `includeZero` stretches it to 0; `integerStep` keeps ticks on whole
    /// numbers (epochs, updates).
    static func linear(covering values: [Double], includeZero: Bool = false, integerStep: Bool = false) -> AxisScale {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if includeZero { low = min(low, 0); high = max(high, 0) }
        if high <= low {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        var step = tickStep(span: high - low, count: 5)
        if integerStep { step = max(1, step.rounded(.up)) }
        return .linear(low: (low / step).rounded(.down) * step, high: (high / step).rounded(.up) * step, step: step)
    }

    /// A log scale over whole decades covering the positive finite `values`; nil if there are none.
    static func log(covering values: [Double]) -> AxisScale? {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        guard let smallest = positive.min(), let largest = positive.max() else { return nil }
        let low = log10(smallest).rounded(.down)
        var high = log10(largest).rounded(.up)
        if high <= low { high = low + 1 }
        return .log(lowDecade: low, highDecade: high)
    }

    /// Log scale when the positive values span more than a factor `ratio`, linear otherwise.
    static func automatic(covering values: [Double], ratio: Double = 20) -> AxisScale {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        if positive.count == values.filter(\.isFinite).count, let low = positive.min(), let high = positive.max(),
            high / low > ratio, let scale = log(covering: values)
        {
            return scale
        }
        return linear(covering: values)
    }

    /// "Nice" tick spacing (1, 2 or 5 × 10ᵏ) giving about `count` intervals over `span`.
    static func tickStep(span: Double, count: Double) -> Double {
        let raw = span / count
        let magnitude = pow(10, log10(raw).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    var isLog: Bool { if case .log = self { true } else { false } }

    /// The fraction 0…1 of the axis where `value` lies (clamped; non-positive values on a log axis at 0).
    func fraction(_ value: Double) -> Double {
        switch self {
        case let .linear(low, high, _):
            return min(max((value - low) / (high - low), 0), 1)
        case let .log(low, high):
            guard value > 0 else { return 0 }
            return min(max((log10(value) - low) / (high - low), 0), 1)
        }
    }

    /// Tick values and labels.
    var ticks: [(value: Double, label: String)] {
        switch self {
        case let .linear(low, high, step):
            var out = [(Double, String)]()
            var index = (low / step).rounded()
            while index * step <= high + step * 1e-9 {
                let value = index * step
                out.append((value, Format.tick(abs(value) < step * 1e-9 ? 0 : value)))
                index += 1
            }
            return out
        case let .log(low, high):
            let every = max(1, ((high - low) / 6).rounded(.up))
            var out = [(Double, String)]()
            var decade = low
            while decade <= high {
                out.append((pow(10, decade), Format.tick(pow(10, decade))))
                decade += every
            }
            return out
        }
    }
}

/// The frame every chart of the report shares: a 720 × 420 SVG with a title, a plot area, grid lines,
/// ticks, tick labels, axis labels and a legend column on the right. Coordinates are printed with two
/// decimals (``Format/coordinate(_:)``), so the same data always gives the same bytes.
struct PlotFrame {
    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var x: AxisScale
    var y: AxisScale
    /// Category charts label their own x positions.
    var showXTicks = true

    static let width = 720.0, height = 420.0
    static let left = 80.0, right = 170.0, top = 40.0, bottom = 50.0
    static let plotWidth = width - left - right, plotHeight = height - top - bottom
    /// Tableau-10, the colour cycle of matplotlib's default style.
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    func px(_ value: Double) -> Double { Self.left + x.fraction(value) * Self.plotWidth }
    func py(_ value: Double) -> Double { Self.top + (1 - y.fraction(value)) * Self.plotHeight }

    /// The opening of the SVG, background, title, grid, ticks and axes.
    func open() -> [String] {
        let c = Format.coordinate
        var svg = [String]()
        svg.append(
            ##"<svg xmlns="http://www.w3.org/2000/svg" id="\##(id)" width="\##(Int(Self.width))" height="\##(Int(Self.height))" viewBox="0 0 \##(Int(Self.width)) \##(Int(Self.height))" font-family="sans-serif" font-size="12" role="img" aria-label="\##(Format.escape(title))">"##
        )
        svg.append(##"<rect x="0" y="0" width="\##(Int(Self.width))" height="\##(Int(Self.height))" fill="white"/>"##)
        svg.append(
            ##"<text x="\##(c(Self.left + Self.plotWidth / 2))" y="22" text-anchor="middle" font-size="14">\##(Format.escape(title))</text>"##
        )
        let bottomY = Self.top + Self.plotHeight
        for tick in showXTicks ? x.ticks : [] {
            let position = c(px(tick.value))
            svg.append(
                ##"<line x1="\##(position)" y1="\##(c(Self.top))" x2="\##(position)" y2="\##(c(bottomY))" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<line x1="\##(position)" y1="\##(c(bottomY))" x2="\##(position)" y2="\##(c(bottomY + 5))" stroke="black"/>"##
            )
            svg.append(
                ##"<text x="\##(position)" y="\##(c(bottomY + 18))" text-anchor="middle">\##(tick.label)</text>"##)
        }
        for tick in y.ticks {
            let position = c(py(tick.value))
            svg.append(
                ##"<line x1="\##(c(Self.left))" y1="\##(position)" x2="\##(c(Self.left + Self.plotWidth))" y2="\##(position)" stroke="#e5e5e5"/>"##
            )
            svg.append(
                ##"<line x1="\##(c(Self.left - 5))" y1="\##(position)" x2="\##(c(Self.left))" y2="\##(position)" stroke="black"/>"##
            )
            svg.append(
                ##"<text x="\##(c(Self.left - 8))" y="\##(position)" text-anchor="end" dominant-baseline="middle">\##(tick.label)</text>"##
            )
        }
        svg.append(
            ##"<line x1="\##(c(Self.left))" y1="\##(c(bottomY))" x2="\##(c(Self.left + Self.plotWidth))" y2="\##(c(bottomY))" stroke="black"/>"##
        )
        svg.append(
            ##"<line x1="\##(c(Self.left))" y1="\##(c(Self.top))" x2="\##(c(Self.left))" y2="\##(c(bottomY))" stroke="black"/>"##
        )
        let xText = xLabel + (x.isLog ? " (log scale)" : "")
        svg.append(
            ##"<text x="\##(c(Self.left + Self.plotWidth / 2))" y="\##(c(Self.height - 10))" text-anchor="middle">\##(Format.escape(xText))</text>"##
        )
        let yText = yLabel + (y.isLog ? " (log scale)" : "")
        let middle = c(Self.top + Self.plotHeight / 2)
        svg.append(
            ##"<text x="16" y="\##(middle)" text-anchor="middle" transform="rotate(-90 16 \##(middle))">\##(Format.escape(yText))</text>"##
        )
        return svg
    }

    /// Legend entries in the right column: a short line (dashed if asked) or a dot, and the label.
    func legend(_ entries: [(label: String, color: String, style: LegendStyle)]) -> [String] {
        let c = Format.coordinate
        var svg = [String]()
        for (index, entry) in entries.enumerated() {
            let legendY = Self.top + 10 + Double(index) * 18
            let legendX = Self.left + Self.plotWidth + 15
            switch entry.style {
            case .line, .dashed:
                let dash = entry.style == .dashed ? ##" stroke-dasharray="5 3""## : ""
                svg.append(
                    ##"<line x1="\##(c(legendX))" y1="\##(c(legendY))" x2="\##(c(legendX + 20))" y2="\##(c(legendY))" stroke="\##(entry.color)" stroke-width="2"\##(dash)/>"##
                )
            case .dot:
                svg.append(##"<circle cx="\##(c(legendX + 10))" cy="\##(c(legendY))" r="4" fill="\##(entry.color)"/>"##)
            }
            svg.append(
                ##"<text x="\##(c(legendX + 26))" y="\##(c(legendY))" dominant-baseline="middle">\##(Format.escape(Self.shortened(entry.label)))</text>"##
            )
        }
        return svg
    }

    /// Legend labels longer than 21 characters end in "…" (the legend column is 170 px wide).
    static func shortened(_ label: String) -> String { label.count > 21 ? String(label.prefix(20)) + "…" : label }

    /// A centred note in the plot area (e.g. "not recorded").
    func note(_ text: String) -> String {
        ##"<text x="\##(Format.coordinate(Self.left + Self.plotWidth / 2))" y="\##(Format.coordinate(Self.top + Self.plotHeight / 2))" text-anchor="middle" fill="#777">\##(Format.escape(text))</text>"##
    }

    static func close(_ svg: [String]) -> String { (svg + ["</svg>"]).joined(separator: "\n") + "\n" }
}

enum LegendStyle { case line, dashed, dot }
