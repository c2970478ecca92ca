import Foundation
import Glidepath

/// How far a run has trained: the counters a resumed run continues from.
public struct TrainingCounters: Sendable, Equatable, Codable {
    /// Epochs fully completed.
    public var completedEpochs: Int
    /// Updates completed within the current (incomplete) epoch; 0 at an epoch boundary.
    public var stepsIntoEpoch: Int
    /// Updates completed in the whole run.
    public var completedSteps: Int
    /// The run the checkpoint belongs to, when written by the lab.
    public var runId: String?

    public init(completedEpochs: Int, stepsIntoEpoch: Int, completedSteps: Int, runId: String? = nil) {
        self.completedEpochs = completedEpochs
        self.stepsIntoEpoch = stepsIntoEpoch
        self.completedSteps = completedSteps
        self.runId = runId
    }
}

/// Everything needed to continue a run bit-identically: one value per checkpoint file section.
///
/// Model and optimizer state and the random generators' state are opaque bytes produced by their owners
/// (the engine's serialisers); the scheduler state is the JSON-shaped ``StateValue`` of ``AnyScheduler``;
/// the loader's position is its own `Codable` state as a ``StateValue``. ``extras`` carries further named
/// sections (for example the training loop's own bookkeeping) without a format change.
public struct Checkpoint: Sendable, Equatable {
    public var counters: TrainingCounters
    /// Serialized model parameters (and buffers).
    public var modelState: Data
    /// Serialized optimizer state (moments, step counts).
    public var optimizerState: Data
    /// The scheduler's state (`AnyScheduler.state`).
    public var schedulerState: StateValue
    /// Serialized state of every random generator the run draws from.
    public var randomState: Data
    /// The data loader's position (epoch permutation seed, next batch), as its `Codable` state.
    public var loaderState: StateValue
    /// Further named sections. Names must not collide with ``Section`` names.
    public var extras: [String: Data]

    public init(
        counters: TrainingCounters, modelState: Data, optimizerState: Data, schedulerState: StateValue,
        randomState: Data, loaderState: StateValue, extras: [String: Data] = [:]
    ) {
        self.counters = counters
        self.modelState = modelState
        self.optimizerState = optimizerState
        self.schedulerState = schedulerState
        self.randomState = randomState
        self.loaderState = loaderState
        self.extras = extras
    }

    /// The sections every checkpoint has, in file order.
    public enum Section: String, CaseIterable, Sendable {
        case counters, model, optimizer, scheduler, random, loader

        /// How the section's bytes are encoded.
        var encoding: SectionEncoding {
            switch self {
            case .counters, .scheduler, .loader: return .json
            case .model, .optimizer, .random: return .bytes
            }
        }
    }
}

/// How a section's payload is encoded (recorded per section so tools can show JSON sections).
enum SectionEncoding: UInt8 {
    case bytes = 0
    case json = 1
}
