/// What a configuration is resolved against: the facts of a training run that some parameters default to
/// (``SchedulerParameters/resolved(for:)``), and where in the run the scheduler being resolved sits.
///
/// The run's facts are set by whoever runs the training (the lab): epochs, updates per epoch, the task's
/// number of classes and — only when a configuration ``SchedulerConfiguration/readsInitialLoss`` — the
/// untrained model's loss. The position (``cadence``, ``startStep``, ``steps``) is set by
/// ``SchedulerConfiguration/resolved(for:)`` for the top-level scheduler (the whole run, counted at its
/// cadence) and narrowed by composites for their children (a warm-up of W steps leaves its inner
/// scheduler the run's remaining steps).
///
/// ```swift
/// let shape = RunShape(epochs: 3, updatesPerEpoch: 8, classCount: 2)
/// let configuration = try SchedulerConfiguration(.object(["name": .string("oneCycle"), "maxLR": .double(0.1)]))
/// let resolved = try configuration.resolved(for: shape)   // one-cycle steps per update
/// let totalSteps = (resolved.parameters as? OneCycleSchedule.Configuration)?.totalSteps
/// // totalSteps == 24
/// ```
public struct RunShape: Sendable, Equatable {
    /// Epochs of the run, ≥ 1.
    public var epochs: Int
    /// Optimizer updates (batches) per epoch, ≥ 1.
    public var updatesPerEpoch: Int
    /// The task's number of classes, when it has classes.
    public var classCount: Int?
    /// The untrained model's mean training loss, when measured.
    public var initialLoss: Double?

    /// The cadence the whole schedule is stepped at (a composite steps its children on its own steps).
    public internal(set) var cadence: StepCadence
    /// Steps of the run, at ``cadence``, taken before the scheduler being resolved receives its first.
    public internal(set) var startStep: Int
    /// The steps, at ``cadence``, the scheduler being resolved drives (≥ 1).
    public internal(set) var steps: Int

    /// A run of `epochs` epochs of `updatesPerEpoch` updates; the position is that of a per-epoch
    /// top-level scheduler until ``SchedulerConfiguration/resolved(for:)`` sets it.
    public init(epochs: Int, updatesPerEpoch: Int, classCount: Int? = nil, initialLoss: Double? = nil) {
        self.epochs = epochs
        self.updatesPerEpoch = updatesPerEpoch
        self.classCount = classCount
        self.initialLoss = initialLoss
        self.cadence = .perEpoch
        self.startStep = 0
        self.steps = max(1, epochs)
    }

    /// The steps a scheduler stepped at `cadence` takes in the whole run: `epochs`, or
    /// `epochs × updatesPerEpoch`.
    ///
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming `epochs` or
    ///   `updatesPerEpoch` when either is < 1 or the product overflows.
    public func totalSteps(at cadence: StepCadence) throws(SchedulerError) -> Int {
        try SchedulerArgumentValidation.atLeast(epochs, 1, "epochs")
        try SchedulerArgumentValidation.atLeast(updatesPerEpoch, 1, "updatesPerEpoch")
        switch cadence {
        case .perEpoch:
            return epochs
        case .perUpdate:
            let (product, overflow) = epochs.multipliedReportingOverflow(by: updatesPerEpoch)
            guard !overflow else {
                throw .invalidArgument(
                    name: "epochs", value: "\(epochs)",
                    reason: "epochs × updatesPerEpoch (\(updatesPerEpoch)) overflows")
            }
            return product
        }
    }

    /// Whether the scheduler being resolved drives the whole run from its first update.
    public var coversWholeRun: Bool {
        startStep == 0 && steps == (try? totalSteps(at: cadence))
    }

    /// The shape of a scheduler that starts `offset` steps into this one's span and drives `count` of
    /// its steps (`nil`: to the end of the span). Never less than one step, so a nested scheduler that
    /// the run never reaches still resolves to valid values.
    public func narrowed(skipping offset: Int, count: Int? = nil) -> RunShape {
        var shape = self
        let offset = max(0, offset)
        let (start, overflow) = startStep.addingReportingOverflow(offset)
        shape.startStep = overflow ? Int.max : start
        let remaining = steps > offset ? steps - offset : 0
        shape.steps = max(1, min(remaining, count ?? remaining))
        return shape
    }

    /// This shape positioned for a top-level scheduler stepped at `cadence`.
    func positioned(at cadence: StepCadence) throws(SchedulerError) -> RunShape {
        var shape = self
        shape.cadence = cadence
        shape.startStep = 0
        shape.steps = max(1, try totalSteps(at: cadence))
        return shape
    }
}
