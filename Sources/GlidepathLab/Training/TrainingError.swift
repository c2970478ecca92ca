import Glidepath
import GlidepathData

/// Why a training run could not start, resume or continue. Every case names what was wrong (the file,
/// field, value or run) so the CLI prints it as one line.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    /// The dataset's folder does not exist.
    case missingDataDirectory(dataset: String, path: String)
    /// A dataset file could not be read (missing, truncated, corrupt).
    case data(DataError)
    /// The scheduler configuration is invalid (unknown name or field, bad value, wrong scheduler).
    case scheduler(SchedulerError)
    /// A run-configuration field is out of range (names the field and value).
    case task(TaskError)
    /// A configuration value is out of range or inconsistent.
    case invalidConfiguration(String)
    /// The model could not be built from its architecture.
    case invalidModel(String)
    /// A batch did not fit the model (a wiring mistake).
    case invalidBatch(String)
    /// The run store refused a read or write.
    case store(RunStoreError)
    /// A checkpoint could not be written or read.
    case checkpoint(CheckpointError)
    /// A checkpoint's sections do not fit the run (model/optimizer/scheduler state of another shape).
    case incompatibleCheckpoint(path: String, reason: String)
    /// The run cannot be resumed (finished, or no usable checkpoint and no way to restart).
    case notResumable(runId: String, reason: String)

    public var description: String {
        switch self {
        case let .missingDataDirectory(dataset, path):
            return "no \(dataset) data at \(path) (pass --data-dir DIR, set GLIDEPATH_DATA_DIR, "
                + "or run glidepath data fetch \(dataset))"
        case .data(let error): return "\(error)"
        case .scheduler(let error): return "\(error)"
        case .task(let error): return error.description
        case .invalidConfiguration(let text): return "invalid configuration: \(text)"
        case .invalidModel(let text): return "cannot build the model: \(text)"
        case .invalidBatch(let text): return "invalid batch: \(text)"
        case .store(let error): return "\(error)"
        case .checkpoint(let error): return "\(error)"
        case let .incompatibleCheckpoint(path, reason): return "checkpoint \(path) does not fit this run: \(reason)"
        case let .notResumable(runId, reason): return "cannot resume run \(runId): \(reason)"
        }
    }
}

extension TrainingError {
    /// `error` as a training error: itself when it is one, the store's, checkpoint layer's and task
    /// configuration's errors wrapped in their cases, anything else (never expected) as an invalid configuration with its text.
    static func wrapping(_ error: any Error) -> TrainingError {
        switch error {
        case let error as TrainingError: return error
        case let error as RunStoreError: return .store(error)
        case let error as CheckpointError: return .checkpoint(error)
        case let error as TaskError: return .task(error)
        default: return .invalidConfiguration("\(error)")
        }
    }
}
