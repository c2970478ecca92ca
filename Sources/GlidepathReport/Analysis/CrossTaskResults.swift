/// The across-task statistics of one arm against one baseline on one endpoint.
public struct CrossTaskComparison: Codable, Sendable, Equatable {
    public var arm: String
    public var baseline: String
    public var endpoint: Endpoint
    /// The stratified sign-flip test on normalised paired deltas over all (task, seed) pairs.
    public var signFlip: SignFlipTest?
    /// rliable's probability that the arm improves on the baseline, and its stratified-bootstrap interval.
    public var probabilityOfImprovement: Double?
    public var probabilityCI95: ConfidenceInterval?
}

/// An arm's across-task aggregate on one endpoint.
public struct CrossTaskAggregate: Codable, Sendable, Equatable {
    public var arm: String
    public var endpoint: Endpoint
    /// Mean rank over tasks (1 = best), and the tasks ranked.
    public var meanRank: Double?
    public var rankedTasks: Int
    /// The interquartile mean of the (normalised) scores over all tasks and seeds, with its stratified
    /// bootstrap interval; `nil` for endpoints without a cross-task score (``InterquartileMean``).
    public var iqm: Double?
    public var iqmCI95: ConfidenceInterval?
}
