extension SequentialScheduler {
    /// `{"name": "sequential", "schedulers": [{…}, …], "milestones": [m₁, …]}`: ``SequentialScheduler``
    /// (PyTorch `SequentialLR`).
    ///
    /// Resolving against a run gives child i the steps from its milestone to the next one (the last
    /// child: to the end of the run), so a cosine child without `tMax` anneals over its own phase.
    public struct Configuration: CompositeSchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "sequential"

        /// The schedulers, in the order they run; at least one. Required.
        public var schedulers: [SchedulerConfiguration]?
        /// `schedulers.count − 1` steps, strictly increasing and ≥ 1, at which the next one takes over.
        /// Required.
        public var milestones: [Int]?

        public init() {}

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            guard let schedulers else { return self }
            let starts = [0] + (milestones ?? [])
            var resolved: [SchedulerConfiguration] = []
            for (index, child) in schedulers.enumerated() {
                let start = index < starts.count ? starts[index] : 0
                let end = index + 1 < starts.count ? starts[index + 1] : nil
                resolved.append(
                    try child.resolved(within: shape.narrowed(skipping: start, count: end.map { $0 - start })))
            }
            return replacingChildren(resolved)
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            _ = try context.required(schedulers, "schedulers")  // reported before a missing milestones
            let milestones = try context.required(milestones, "milestones")
            let built = try buildChildren(in: context)
            return AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try SequentialScheduler(schedulers: built, milestones: milestones, cadence: context.cadence)
                })
        }
    }
}
