/// One finished cell of a study (task × arm × seed; for tuned parity, the confirmed trial) as the report
/// sees it: its endpoints and its per-update / per-epoch series.
public struct ReportCell: Codable, Sendable, Equatable {
    /// The task's ``ReportTask/name``.
    public var task: String
    /// The arm's ``ReportArm/name``.
    public var arm: String
    /// The seed. Seeds are paired across arms: the same seed gives the same initialisation, data order
    /// and dropout masks in every arm, so arm and baseline are compared seed by seed.
    public var seed: Int
    /// The measurements. Absent: does not apply to the task; `nil`: a missed target for the to-target
    /// endpoints (+∞), undefined otherwise (see ``Endpoint``).
    ///
    /// Beware Swift's dictionary subscript: `endpoints[.x] = value` with a `nil` `Double?` *removes* the
    /// key; use ``set(_:_:)`` (or `updateValue(_:forKey:)`) to record a miss.
    public var endpoints: [Endpoint: Double?]
    /// The curves drawn in the figures.
    public var series: CellSeries

    public init(task: String, arm: String, seed: Int, endpoints: [Endpoint: Double?], series: CellSeries = CellSeries())
    {
        self.task = task
        self.arm = arm
        self.seed = seed
        self.endpoints = endpoints
        self.series = series
    }

    /// Records `value` for `endpoint`, keeping `nil` as a recorded miss (not as "absent").
    public mutating func set(_ endpoint: Endpoint, _ value: Double?) {
        endpoints.updateValue(value, forKey: endpoint)
    }

    /// The value used by the statistics: the measured value; +∞ for a missed to-target endpoint; `nil`
    /// when the endpoint is absent or undefined.
    ///
    /// Reaching a target is one event measured three ways (seconds, passes, epochs): when the cell records a
    /// miss (`nil`) for one measure of a target and leaves another measure of the same target absent, the
    /// absent one is a miss too (+∞) — so a dropped key (see ``endpoints``) cannot turn a miss into "does
    /// not apply".
    public func value(_ endpoint: Endpoint) -> Double? {
        guard let entry = endpoints[endpoint] else {
            let missedBySibling = endpoint.sameTarget.contains { sibling in
                if let recorded = endpoints[sibling], recorded == nil { return true }
                return false
            }
            return missedBySibling ? .infinity : nil
        }
        if let value = entry { return value }
        return endpoint.isTimeToTarget ? .infinity : nil
    }
}

/// A cell's curves. Every array may be empty (not recorded); per-epoch arrays hold one entry per epoch
/// (epoch 1 first), and a `nil` entry is an epoch without that measurement (no probe that epoch).
public struct CellSeries: Codable, Sendable, Equatable {
    /// The learning rate (first parameter group) used by each update, update 0 first.
    public var learningRates: [Double]
    /// Mean training loss of each epoch.
    public var trainLoss: [Double]
    /// Validation loss after each epoch.
    public var validationLoss: [Double]
    /// Cumulative training seconds (evaluation excluded) at the end of each epoch.
    public var elapsedSeconds: [Double]
    /// Largest Hessian eigenvalue λ_max estimated each epoch (landscape probes).
    public var lambdaMax: [Double?]
    /// The optimizer's stability threshold each epoch, in the units of λ_max: 2/η for SGD,
    /// (2 + 2β₁)/((1 − β₁)η) = 38/η for Adam with β₁ = 0.9 on the preconditioned curvature (Cohen et al.
    /// 2021, arXiv:2103.00065; Adaptive edge of stability, arXiv:2207.14484).
    public var stabilityThreshold: [Double?]
    /// Gradient norm ‖g‖₂ each epoch.
    public var gradientNorm: [Double?]
    /// Hessian trace estimate each epoch (Hutchinson).
    public var hessianTrace: [Double?]

    public init(
        learningRates: [Double] = [], trainLoss: [Double] = [], validationLoss: [Double] = [],
        elapsedSeconds: [Double] = [], lambdaMax: [Double?] = [], stabilityThreshold: [Double?] = [],
        gradientNorm: [Double?] = [], hessianTrace: [Double?] = []
    ) {
        self.learningRates = learningRates
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.elapsedSeconds = elapsedSeconds
        self.lambdaMax = lambdaMax
        self.stabilityThreshold = stabilityThreshold
        self.gradientNorm = gradientNorm
        self.hessianTrace = hessianTrace
    }
}
