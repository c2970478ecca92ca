/// One task and arm: each endpoint's summary over seeds and its bootstrap interval.
public struct ArmSummary: Codable, Sendable, Equatable {
    public var task: String
    public var arm: String
    /// Seeds with a cell.
    public var seeds: Int
    public var endpoints: [Endpoint: EndpointSummary]
}

/// An endpoint's summary over seeds (``Summary``) with the percentile-bootstrap 95% interval of its mean
/// (of its median for to-target endpoints, whose mean is +∞ after a miss).
public struct EndpointSummary: Codable, Sendable, Equatable {
    public var summary: Summary
    public var intervalStatistic: PercentileBootstrap.Statistic
    public var ci95: ConfidenceInterval?
    /// Cells where the value was undefined (left out).
    public var undefined: Int
}
