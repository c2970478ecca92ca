import Foundation
import Glidepath
import GlidepathLab

/// The `glidepath schedule` configuration file:
/// `{"lrs": [Double], "momentum": [Double]?, "scheduler": {"name": …}, "steps": Int?, "signals": [{"losses": [Double]?, "metric": Double?, "landscape": {…}?}]?}` (the landscape object: see
/// `ScheduleInput+Landscape.swift`).
///
/// Every problem is reported as one ``SchedulerError/invalidArgument(name:value:reason:)`` naming the
/// field path and value. Numbers may also be written `"NaN"`, `"Infinity"` or `"-Infinity"` (so a
/// preview can show how a scheduler rejects them).
struct ScheduleInput {
    var learningRates: [Double]
    var momenta: [Double]?
    var scheduler: SchedulerConfiguration
    /// The observations of `signals`, one per step (empty with `steps`).
    var signals: [Observation]
    /// How many steps to take: `steps`, or one per entry of `signals`.
    var stepCount: Int

    /// The observation of step `index` (0-based): an empty one with `steps`, else `signals[index]`.
    func observation(_ index: Int) -> Observation { index < signals.count ? signals[index] : .empty }

    static let fields = ["lrs", "momentum", "scheduler", "signals", "steps"]

    /// The most steps a jsonl or csv preview takes (`docs/limits.md`); its rows stream, one at a time.
    static let maximumSteps = 10_000_000
    /// The most steps an svg preview takes: its rows are held for the plot.
    static let maximumPlottedSteps = 100_000
    /// The most parameter groups (`lrs` entries); an optimizer has a handful.
    static let maximumGroups = 10_000

    /// Reads the `--config` input: a path, a pipe or process substitution, or `-` for standard input.
    init(path: String) throws(SchedulerError) {
        let data: Data
        do {
            data = try InputFile.read(path)
        } catch {
            throw .invalidArgument(name: "--config", value: path, reason: "cannot read the file (\(error.reason))")
        }
        // Bounded before decoding: millions of groups are refused from one pass over the bytes.
        try Self.checkGroupCounts(data)
        let document: StateValue
        do {
            document = try StateCoding.decoder().decode(StateValue.self, from: data)
        } catch {
            throw .invalidArgument(name: "--config", value: path, reason: "not valid JSON")
        }
        try self.init(document)
    }

    init(_ document: StateValue) throws(SchedulerError) {
        guard case .object(let fields) = document else {
            throw .invalidArgument(name: "config", value: document.jsonText, reason: "expected a JSON object")
        }
        for key in fields.keys.sorted() where !Self.fields.contains(key) {
            throw .invalidArgument(
                name: key, value: (fields[key] ?? .null).jsonText,
                reason: "unknown field; known fields: \(Self.fields.joined(separator: ", "))")
        }
        guard let lrs = fields["lrs"] else {
            throw .invalidArgument(name: "lrs", value: "nil", reason: "required: the initial rate of every group")
        }
        if case .array(let items) = lrs, items.count > Self.maximumGroups {
            throw .invalidArgument(
                name: "lrs", value: "[\(items.count) rates]",
                reason: "at most \(Self.maximumGroups) parameter groups")
        }
        learningRates = try Self.numbers(lrs, name: "lrs")
        momenta = try fields["momentum"].map { value throws(SchedulerError) in try Self.numbers(value, name: "momentum")
        }
        guard let scheduler = fields["scheduler"] else {
            throw .invalidArgument(name: "scheduler", value: "nil", reason: "required: {\"name\": …, parameters}")
        }
        self.scheduler = try SchedulerConfiguration(scheduler, path: "scheduler")
        switch (fields["steps"], fields["signals"]) {
        case (.some(let steps), .some):
            throw .invalidArgument(
                name: "steps", value: steps.jsonText, reason: "give either steps or signals, not both")
        case (.some(let steps), nil):
            guard case .int(let count) = steps, count >= 0 else {
                throw .invalidArgument(name: "steps", value: steps.jsonText, reason: "expected an integer >= 0")
            }
            guard count <= Self.maximumSteps else {
                throw .invalidArgument(
                    name: "steps", value: "\(count)",
                    reason: "at most \(Self.maximumSteps) steps are previewed")
            }
            signals = []
            stepCount = count
        case (nil, .some(let given)):
            guard case .array(let entries) = given else {
                throw .invalidArgument(name: "signals", value: given.jsonText, reason: "expected a list of objects")
            }
            var observations = [Observation]()
            for (index, entry) in entries.enumerated() {
                observations.append(try Self.observation(entry, name: "signals[\(index)]"))
            }
            signals = observations
            stepCount = observations.count
        case (nil, nil):
            signals = []
            stepCount = 0
        }
    }

    private static func observation(_ value: StateValue, name: String) throws(SchedulerError) -> Observation {
        guard case .object(let fields) = value, !fields.isEmpty else {
            throw .invalidArgument(
                name: name, value: value.jsonText,
                reason: "expected {\"losses\": [numbers]} or {\"metric\": number}")
        }
        var observation = Observation()
        for key in fields.keys.sorted() {
            let field = fields[key] ?? .null
            switch key {
            case "losses": observation.losses = try numbers(field, name: "\(name).losses")
            case "metric": observation.metric = try number(field, name: "\(name).metric")
            case "landscape": observation.landscape = try landscapeSignal(field, name: "\(name).landscape")
            default:
                throw .invalidArgument(
                    name: "\(name).\(key)", value: field.jsonText,
                    reason: "unknown field; expected losses, metric or landscape")
            }
        }
        return observation
    }

    static func number(_ value: StateValue, name: String) throws(SchedulerError) -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw .invalidArgument(name: name, value: value.jsonText, reason: "expected a number")
        }
    }

    private static func numbers(_ value: StateValue, name: String) throws(SchedulerError) -> [Double] {
        guard case .array(let items) = value else {
            throw .invalidArgument(name: name, value: value.jsonText, reason: "expected a list of numbers")
        }
        var result = [Double]()
        for (index, item) in items.enumerated() { result.append(try number(item, name: "\(name)[\(index)]")) }
        return result
    }

}
