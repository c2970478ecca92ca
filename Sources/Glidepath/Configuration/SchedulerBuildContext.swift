/// What ``SchedulerParameters/makeScheduler(in:)`` builds with: the parameter groups' base rates, the
/// configuration's `"cadence"`, and the field path its errors are named by.
///
/// The helpers turn a scheduler initializer's errors (named by the initializer's parameter, `tMax`) into
/// errors named by the configuration's field path (`scheduler.schedulers[1].tMax`).
public struct SchedulerBuildContext: Sendable {
    /// η₀ of every parameter group (validated: at least one, each finite and ≥ 0).
    public let baseRates: [Double]
    /// The configuration's `"cadence"`, if given; `nil` keeps the scheduler's default.
    public let cadence: StepCadence?
    /// Where the configuration sits in its document (`scheduler`, `scheduler.schedulers[1]`, …).
    public let path: String

    public init(baseRates: [Double], cadence: StepCadence?, path: String) {
        self.baseRates = baseRates
        self.cadence = cadence
        self.path = path
    }

    /// The number of parameter groups.
    public var groups: Int { baseRates.count }

    /// The path of `key` inside this configuration (`scheduler.gamma`).
    public func field(_ key: String) -> String { "\(path).\(key)" }

    /// Runs `body` (typically a scheduler initializer), prefixing the names in its invalid-argument errors
    /// with this configuration's path.
    public func named<Result>(_ body: () throws(SchedulerError) -> Result) throws(SchedulerError) -> Result {
        do {
            return try body()
        } catch {
            if case let .invalidArgument(name, value, reason) = error {
                throw .invalidArgument(name: field(name), value: value, reason: reason)
            }
            throw error
        }
    }

    /// The value of a parameter that has no default.
    ///
    /// - Throws: `invalidArgument(name: path.key, value: "nil", reason: "required")` when it is absent.
    public func required<Value>(_ value: Value?, _ key: String) throws(SchedulerError) -> Value {
        guard let value else { throw .invalidArgument(name: field(key), value: "nil", reason: "required") }
        return value
    }

    /// One value per group from a number-or-list parameter.
    ///
    /// - Throws: `invalidArgument` naming `path.key` when a list does not have one value per group.
    public func perGroup(_ values: GroupValues, _ key: String) throws(SchedulerError) -> [Double] {
        switch values {
        case .all(let value):
            return Array(repeating: value, count: groups)
        case .each(let list):
            guard list.count == groups else {
                throw .invalidArgument(
                    name: field(key), value: values.jsonText,
                    reason: "expected \(groups) values (one per parameter group), got \(list.count)")
            }
            return list
        }
    }

    /// A ``ClosedFormScheduler`` with `schedules[g]` for group `g`, at the configured cadence.
    public func closedForm<Schedule: ClosedFormSchedule>(perGroup schedules: [Schedule])
        throws(SchedulerError) -> AnyScheduler
    {
        AnyScheduler(
            try named { () throws(SchedulerError) in
                try ClosedFormScheduler(perGroup: schedules, baseRates: baseRates, cadence: cadence)
            })
    }

    /// A ``ClosedFormScheduler`` applying the schedule `make` returns to every group.
    public func closedForm<Schedule: ClosedFormSchedule>(_ make: () throws(SchedulerError) -> Schedule)
        throws(SchedulerError) -> AnyScheduler
    {
        let schedule = try named(make)
        return try closedForm(perGroup: Array(repeating: schedule, count: groups))
    }

    /// The context of a nested configuration at `key` (`schedulers[1]`, `scheduler`).
    func child(_ key: String) -> SchedulerBuildContext {
        SchedulerBuildContext(baseRates: baseRates, cadence: nil, path: field(key))
    }
}
