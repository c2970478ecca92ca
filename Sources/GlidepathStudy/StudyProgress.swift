import Foundation
import GlidepathLab

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The study's progress over all its cells: on a terminal one redrawn line (cells done, failed, the cell
/// training now, ETA); otherwise one line per cell. ETA = mean seconds of the cells trained by this
/// process × cells left (a rough figure: cells of different tasks cost very different amounts).
public final class StudyProgress {
    private let isTerminal: Bool
    private let output: (String) -> Void
    private var started: [Double] = []
    private var durations: [Double] = []
    private var lineShown = false

    public init(isTerminal: Bool, output: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.output = output
    }

    /// Progress to standard error, a redrawn line when it is a terminal.
    public static func standardError() -> StudyProgress {
        StudyProgress(isTerminal: isatty(STDERR_FILENO) == 1) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// The reporter a cell's run writes to: silent on a terminal (the study line is the progress), one
    /// line per epoch otherwise.
    func runReporter(clock: any LabClock) -> ProgressReporter {
        if isTerminal { return ProgressReporter(style: .lines(stepInterval: Int.max), clock: clock) { _ in } }
        return ProgressReporter(style: .lines(stepInterval: Int.max), clock: clock, output: output)
    }

    func cellStarted(_ cell: StudyCell, position: Int, total: Int, done: Int, failed: Int, now: Double) {
        started = [now]
        let text =
            "study: \(done)/\(total) cells done, \(failed) failed; cell \(position)/\(total) "
            + "\(cell.task.rawValue) \(cell.arm) seed \(cell.seed) lr \(ProgressFormat.rate(cell.learningRate))"
            + eta(remaining: total - done)
        if isTerminal {
            output("\r\u{1B}[2K" + text)
            lineShown = true
        } else {
            output(text + "\n")
        }
    }

    func cellFinished(_ cell: StudyCell, outcome: String, now: Double) {
        if let start = started.first { durations.append(now - start) }
        let text = "study: cell \(cell.id) \(cell.task.rawValue) \(cell.arm) seed \(cell.seed): \(outcome)"
        if isTerminal {
            output("\r\u{1B}[2K" + text + "\n")
            lineShown = false
        } else {
            output(text + "\n")
        }
    }

    func message(_ text: String) {
        if isTerminal && lineShown { output("\r\u{1B}[2K") }
        lineShown = false
        output(text + "\n")
    }

    private func eta(remaining: Int) -> String {
        guard !durations.isEmpty else { return "" }
        let mean = durations.reduce(0, +) / Double(durations.count)
        let seconds = Int((mean * Double(remaining)).rounded())
        return String(format: "; ETA %dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }
}
