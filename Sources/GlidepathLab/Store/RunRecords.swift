import Foundation
import Glidepath

/// Where a run stands.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// Training, or killed without a chance to say otherwise (resume it).
    case running
    /// Trained all its epochs and was evaluated on the test split.
    case completed
    /// Stopped by SIGINT/SIGTERM after writing a checkpoint (resume it).
    case interrupted
    /// Stopped because a loss went non-finite or above the divergence limit.
    case diverged
    /// Stopped by an error (the run's last checkpoint, if any, is still valid).
    case failed
}

/// Why a checkpoint was written.
public enum CheckpointReason: String, Sendable, Codable, CaseIterable {
    /// At the end of an epoch.
    case epoch
    /// On SIGINT or SIGTERM, mid-epoch.
    case interrupt
}

/// One run as stored: its identity, configuration and provenance.
public struct RunRecord: Sendable, Equatable {
    public var id: RunIdentifier
    public var createdAt: Date
    public var updatedAt: Date
    /// Task name (``TrainingTask`` raw value; kept as text so a store from a build with more tasks lists).
    public var task: String
    public var scheduler: String
    public var seed: UInt64
    public var status: RunStatus
    /// The full resolved ``RunConfiguration`` as JSON.
    public var configurationJSON: String
    public var codeVersion: CodeVersion
    public var machine: MachineDescription
    /// The ``RunResultRecord`` as JSON once the run has finished.
    public var resultJSON: String?
    /// Epochs committed so far.
    public var epochsCompleted: Int
    /// Epochs the configuration asks for.
    public var epochsConfigured: Int
    /// Lowest validation loss over committed epochs, if any.
    public var bestValidationLoss: Double?

    public init(
        id: RunIdentifier, createdAt: Date, updatedAt: Date, task: String, scheduler: String, seed: UInt64,
        status: RunStatus, configurationJSON: String, codeVersion: CodeVersion, machine: MachineDescription,
        resultJSON: String?, epochsCompleted: Int, epochsConfigured: Int, bestValidationLoss: Double?
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.task = task
        self.scheduler = scheduler
        self.seed = seed
        self.status = status
        self.configurationJSON = configurationJSON
        self.codeVersion = codeVersion
        self.machine = machine
        self.resultJSON = resultJSON
        self.epochsCompleted = epochsCompleted
        self.epochsConfigured = epochsConfigured
        self.bestValidationLoss = bestValidationLoss
    }

    /// The decoded configuration.
    public func configuration() throws(TaskError) -> RunConfiguration {
        try RunConfiguration.decode(json: configurationJSON)
    }

    /// The decoded result, once the run has one.
    public func result() throws(RunStoreError) -> RunResultRecord? {
        guard let resultJSON else { return nil }
        do {
            return try StateCoding.decoder().decode(RunResultRecord.self, from: Data(resultJSON.utf8))
        } catch {
            throw .invalidRecord(
                path: "", field: "runs.result", value: id.rawValue,
                reason: StateCoding.describe(error))
        }
    }
}

/// One epoch's measurements. Evaluation time is recorded apart from training time.
public struct EpochRecord: Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch's batches.
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    /// Macro-averaged F1 on the validation set.
    public var validationF1: Double
    /// ROC-AUC on the validation set (binary tasks only).
    public var validationAUC: Double?
    /// Rates of every parameter group at the end of the epoch.
    public var learningRates: [Double]
    /// Seconds training this epoch (forward, backward, optimizer and scheduler steps).
    public var trainSeconds: Double
    /// Seconds evaluating after this epoch.
    public var evaluationSeconds: Double
    /// Estimated top Hessian eigenvalue λ̂_max at the end of the epoch, when probed.
    public var topEigenvalue: Double?
    /// Estimated Hessian trace at the end of the epoch, when probed.
    public var hessianTrace: Double?
    /// The optimizer's internal step-size estimates at the end of the epoch (Prodigy's and D-Adaptation's
    /// d, DoG's η; ``StepSizeEstimating``), nil for an optimizer without any.
    public var stepSizes: [Double]?

    public init(
        epoch: Int, trainLoss: Double, validationLoss: Double, validationAccuracy: Double,
        validationF1: Double, validationAUC: Double?, learningRates: [Double], trainSeconds: Double,
        evaluationSeconds: Double, topEigenvalue: Double? = nil, hessianTrace: Double? = nil,
        stepSizes: [Double]? = nil
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.validationF1 = validationF1
        self.validationAUC = validationAUC
        self.learningRates = learningRates
        self.trainSeconds = trainSeconds
        self.evaluationSeconds = evaluationSeconds
        self.topEigenvalue = topEigenvalue
        self.hessianTrace = hessianTrace
        self.stepSizes = stepSizes
    }
}

/// One optimizer update's measurements.
public struct StepRecord: Sendable, Equatable {
    /// 1-based global update number (across epochs).
    public var step: Int
    /// 1-based epoch the update belongs to.
    public var epoch: Int
    /// The batch's training loss.
    public var loss: Double
    /// Rate of every parameter group used for this update.
    public var learningRates: [Double]
    /// ‖g‖₂ of the whole gradient of this update, when computed.
    public var gradientNorm: Double?
    /// The optimizer's internal step-size estimates after this update (Prodigy's and D-Adaptation's d,
    /// DoG's η; ``StepSizeEstimating``), nil for an optimizer without any.
    public var stepSizes: [Double]?

    public init(
        step: Int, epoch: Int, loss: Double, learningRates: [Double], gradientNorm: Double?,
        stepSizes: [Double]? = nil
    ) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRates = learningRates
        self.gradientNorm = gradientNorm
        self.stepSizes = stepSizes
    }
}

/// A checkpoint file known to the store.
public struct CheckpointRecord: Sendable, Equatable {
    /// Global updates completed when the checkpoint was taken.
    public var step: Int
    /// Epochs completed when the checkpoint was taken.
    public var epoch: Int
    public var reason: CheckpointReason
    /// Path of the checkpoint file. The store records it relative to its own directory and
    /// ``RunStore/checkpoints(of:)`` returns it resolved (absolute); a relative path handed to
    /// ``RunStore/commit(_:to:)`` is relative to the store's directory.
    public var path: String
    /// The file's checksum (``CheckpointFile/Summary/checksum``, 8 hex digits of CRC-32).
    public var checksum: String
    public var byteCount: Int
    public var createdAt: Date

    public init(
        step: Int, epoch: Int, reason: CheckpointReason, path: String, checksum: String, byteCount: Int,
        createdAt: Date
    ) {
        self.step = step
        self.epoch = epoch
        self.reason = reason
        self.path = path
        self.checksum = checksum
        self.byteCount = byteCount
        self.createdAt = createdAt
    }
}

/// What the training loop commits in one transaction: the steps since the last commit, and optionally
/// the epoch they complete, the checkpoint taken at that point, and a status change.
///
/// Committing steps only together with an epoch or a checkpoint keeps the store consistent with the
/// checkpoints: after any crash, the stored steps end exactly where some recorded checkpoint (or the
/// run start) is, so a resumed run neither repeats nor loses a step.
public struct RunCommit: Sendable, Equatable {
    public var steps: [StepRecord]
    public var epoch: EpochRecord?
    public var checkpoint: CheckpointRecord?
    public var status: RunStatus?
    /// The run's final result, written with its final status.
    public var result: RunResultRecord?

    public init(
        steps: [StepRecord] = [], epoch: EpochRecord? = nil, checkpoint: CheckpointRecord? = nil,
        status: RunStatus? = nil, result: RunResultRecord? = nil
    ) {
        self.steps = steps
        self.epoch = epoch
        self.checkpoint = checkpoint
        self.status = status
        self.result = result
    }
}
