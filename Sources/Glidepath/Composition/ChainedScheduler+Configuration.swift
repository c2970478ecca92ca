extension ChainedScheduler {
    /// `{"name": "chained", "schedulers": [{…}, …]}`: ``ChainedScheduler`` (PyTorch `ChainedScheduler`).
    /// Every child runs for the whole of the composite's steps, and is resolved so.
    public struct Configuration: CompositeSchedulerParameters {
        public static let name: SchedulerConfiguration.Name = "chained"

        /// The schedulers whose factors multiply; at least one. Required.
        public var schedulers: [SchedulerConfiguration]?

        public init() {}

        public func resolved(for shape: RunShape) throws(SchedulerError) -> Self {
            guard let schedulers else { return self }
            var resolved: [SchedulerConfiguration] = []
            for child in schedulers { resolved.append(try child.resolved(within: shape)) }
            return replacingChildren(resolved)
        }

        public func makeScheduler(in context: SchedulerBuildContext) throws(SchedulerError) -> AnyScheduler {
            let built = try buildChildren(in: context)
            return AnyScheduler(
                try context.named { () throws(SchedulerError) in
                    try ChainedScheduler(schedulers: built, baseRates: context.baseRates, cadence: context.cadence)
                })
        }
    }
}
