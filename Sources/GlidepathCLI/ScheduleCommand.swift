import ArgumentParser
import Foundation
import Glidepath

/// `glidepath schedule --config FILE [--format jsonl|csv|svg] [--log-scale]`: previews a schedule.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Preview a learning-rate schedule: the rates after k = 0…N steps.",
        discussion: """
            FILE is JSON: {"lrs": [initial rate per group], "momentum": [per group] (optional), \
            "scheduler": {"name": NAME, …parameters}, "steps": N (optional), \
            "signals": [{"losses": [...]} or {"metric": x}, …] (optional). With steps, the scheduler is \
            stepped N times with an empty observation; with signals, once per entry. Output: one line per \
            k = 0…N, {"step": k, "lrs": [...]} plus "momentum" when the scheduler moves it. \
            Scheduler names and parameters: docs/schedulers.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv, svg
    }

    @Option(name: .long, help: ArgumentHelp("The JSON configuration file (- for standard input).", valueName: "file"))
    var config: String

    @Option(name: .long, help: "Output format: jsonl (default), csv, or an svg plot.")
    var format: Format = .jsonl

    @Flag(name: .customLong("log-scale"), help: "Plot the rate on a logarithmic axis (svg only).")
    var logScale = false

    func validate() throws {
        if logScale && format != .svg {
            throw ValidationError("--log-scale applies to --format svg only (got --format \(format.rawValue))")
        }
    }

    func run() throws {
        let input: ScheduleInput
        var scheduler: AnyScheduler
        do {
            input = try ScheduleInput(path: config)
            if format == .svg && input.stepCount > ScheduleInput.maximumPlottedSteps {
                throw SchedulerError.invalidArgument(
                    name: "steps", value: "\(input.stepCount)",
                    reason:
                        "an svg plot takes at most \(ScheduleInput.maximumPlottedSteps) steps (jsonl and csv stream "
                        + "up to \(ScheduleInput.maximumSteps))")
            }
            scheduler = try input.scheduler.makeScheduler(baseRates: input.learningRates, momenta: input.momenta)
        } catch {
            throw reportFailure("error: \(error)")
        }
        let movesMomentum = scheduler.momenta != nil
        var rows = [ScheduleRow(step: 0, learningRates: scheduler.learningRates, momenta: scheduler.momenta)]
        let streaming = format != .svg
        if format == .csv { print(ScheduleRow.csvHeader(groups: input.learningRates.count, momentum: movesMomentum)) }
        func emit(_ row: ScheduleRow) {
            switch format {
            case .jsonl: print(row.jsonLine)
            case .csv: print(row.csvLine)
            case .svg: break
            }
        }
        /// Finite parameters can still overflow (gamma 1e308, lrs 1e308 with cosine): a non-finite rate or
        /// momentum ends the preview with an error instead of being printed.
        func checkFinite(_ row: ScheduleRow) throws {
            for (name, values) in [("learning rate", row.learningRates), ("momentum", row.momenta ?? [])] {
                if let group = values.firstIndex(where: { !$0.isFinite }) {
                    throw reportFailure(
                        "error: step \(row.step): the \(name) of group \(group) is \(values[group]): "
                            + "the scheduler's parameters overflow double precision")
                }
            }
        }
        try checkFinite(rows[0])
        if streaming { emit(rows[0]) }
        for index in 0..<input.stepCount {
            let observation = input.observation(index)
            do {
                try scheduler.step(observation)
            } catch {
                // Lines before the failing step are already on stdout.
                if case let .invalidObservation(_, field, value, reason) = error {
                    throw reportFailure("error: step \(index + 1) (signals[\(index)]): \(field)=\(value): \(reason)")
                }
                throw reportFailure("error: step \(index + 1): \(error)")
            }
            let row = ScheduleRow(step: index + 1, learningRates: scheduler.learningRates, momenta: scheduler.momenta)
            try checkFinite(row)
            if streaming { emit(row) } else { rows.append(row) }
        }
        if format == .svg {
            let groups = input.learningRates.count
            let series = (0..<groups).map { group in rows.map { $0.learningRates[group] } }
            do {
                print(
                    try SchedulePlot(title: input.scheduler.name.rawValue, series: series, logScale: logScale).render(),
                    terminator: "")
            } catch {
                throw reportFailure("error: --log-scale: no positive learning rate to plot")
            }
        }
    }
}
