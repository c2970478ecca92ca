import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a resumed run continues from: the newest checkpoint whose file verifies, and any newer ones
/// that did not (a damaged disk; atomic writes alone never produce one).
public struct ResumePoint: Sendable {
    public var record: CheckpointRecord
    public var checkpoint: Checkpoint
    /// Newer checkpoints that were skipped, with why, newest first.
    public var skipped: [(record: CheckpointRecord, error: CheckpointError)]
}

/// The training loop's one handle on persistence: buffers step records, and at each epoch end (or on
/// SIGINT/SIGTERM) writes the checkpoint file atomically and then commits the buffered steps, the epoch
/// and the checkpoint's row in one store transaction.
///
/// Ordering makes every crash recoverable: the file is complete before the store mentions it, and the
/// store's steps always end exactly at its newest checkpoint, so ``resumePoint()`` +
/// ``RunStore/rewind(_:to:)`` continue without repeating or losing a step. A checkpoint file the store
/// never recorded (killed between rename and commit) is simply overwritten later.
///
/// Retention: after each commit, only the newest ``retainedCheckpoints`` checkpoints keep their files and
/// rows; older ones are deleted (rows first, then files, so a crash leaves at most orphan files). A file
/// is deleted only when it resolves inside ``checkpointDirectory``; the store records paths relative to
/// its own directory, so a copied or moved project keeps its own checkpoints (``CheckpointPaths``).
public final class RunRecorder {
    public let store: RunStore
    public let run: RunIdentifier
    /// The directory holding this run's checkpoint files.
    public let checkpointDirectory: URL
    /// How many checkpoints keep their files (≥ 1).
    public let retainedCheckpoints: Int
    private let clock: any LabClock
    private var pendingSteps: [StepRecord] = []
    /// Exclusive ownership of the run while this recorder lives.
    private let lease: RunLease

    /// Takes the run's ``RunLease`` for the recorder's lifetime: a second recorder for the same run, in
    /// this process or another, throws ``CheckpointError/runInUse(path:owner:)`` until this one is gone.
    ///
    /// - Parameters:
    ///   - checkpointDirectory: where this run's checkpoints go; by default
    ///     ``defaultCheckpointDirectory(store:run:)``. Created if missing.
    ///   - retainedCheckpoints: checkpoints to keep, ≥ 1.
    public init(
        store: RunStore, run: RunIdentifier, checkpointDirectory: URL? = nil, retainedCheckpoints: Int = 2,
        clock: any LabClock = SystemClock()
    ) throws(CheckpointError) {
        precondition(retainedCheckpoints >= 1, "retainedCheckpoints must be ≥ 1")
        self.store = store
        self.run = run
        self.checkpointDirectory = checkpointDirectory ?? Self.defaultCheckpointDirectory(store: store, run: run)
        self.retainedCheckpoints = retainedCheckpoints
        self.clock = clock
        do {
            try FileManager.default.createDirectory(at: self.checkpointDirectory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(
                path: self.checkpointDirectory.path, reason: "cannot create the checkpoint directory: \(error)")
        }
        // Lease first: the temporaries below may belong to a live owner until the lock says otherwise.
        lease = try RunLease(directory: self.checkpointDirectory)
        AtomicFile.removeStaleTemporaries(in: self.checkpointDirectory.path)
    }

    /// `<directory of the store>/glidepath-checkpoints/<store file name>/<run id>/`.
    ///
    /// The store's file name is part of the path because run identifiers are unique within a store
    /// only: two stores in one directory (`a.sqlite`, `b.sqlite`) may each have run
    /// `20261123-105002-0001`, and their checkpoints must not share a directory.
    public static func defaultCheckpointDirectory(store: RunStore, run: RunIdentifier) -> URL {
        let storeURL = URL(fileURLWithPath: store.path)
        return storeURL.deletingLastPathComponent()
            .appendingPathComponent("glidepath-checkpoints", isDirectory: true)
            .appendingPathComponent(storeURL.lastPathComponent, isDirectory: true)
            .appendingPathComponent(run.rawValue, isDirectory: true)
    }

    /// The file name of a checkpoint taken after `completedSteps` updates: `step-00000123-epoch.gpck`.
    public static func fileName(completedSteps: Int, reason: CheckpointReason) -> String {
        "step-\(Timestamp.pad(completedSteps, 8))-\(reason.rawValue).gpck"
    }

    /// Steps recorded but not yet committed.
    public var pendingStepCount: Int { pendingSteps.count }

    /// Buffers one update's record until the next epoch end or interruption.
    public func record(_ step: StepRecord) {
        pendingSteps.append(step)
    }

    /// Ends an epoch: writes `checkpoint` (reason ``CheckpointReason/epoch``), commits the buffered steps,
    /// `epoch` and the checkpoint row together, and prunes old checkpoints.
    @discardableResult
    public func completeEpoch(_ epoch: EpochRecord, checkpoint: Checkpoint) throws -> CheckpointRecord {
        try save(checkpoint, reason: .epoch, epoch: epoch, status: nil)
    }

    /// Stops mid-epoch on a signal: writes `checkpoint` (reason ``CheckpointReason/interrupt``), commits the
    /// buffered steps and the checkpoint row, and marks the run ``RunStatus/interrupted``.
    @discardableResult
    public func interrupt(checkpoint: Checkpoint) throws -> CheckpointRecord {
        try save(checkpoint, reason: .interrupt, epoch: nil, status: .interrupted)
    }

    /// Records the end of the run: its final status and result, and any steps still buffered (a diverged
    /// run's last steps).
    public func finish(status: RunStatus, result: RunResultRecord?) throws(RunStoreError) {
        try store.commit(RunCommit(steps: pendingSteps, status: status, result: result), to: run)
        pendingSteps.removeAll()
    }

    /// The newest checkpoint of the run whose file exists and matches its recorded checksum, or `nil`
    /// when the run has no usable checkpoint (restart it from the beginning).
    public func resumePoint() throws(RunStoreError) -> ResumePoint? {
        var skipped: [(record: CheckpointRecord, error: CheckpointError)] = []
        for record in try store.checkpoints(of: run).reversed() {
            do {
                let checkpoint = try CheckpointFile.read(from: record.path, expectedChecksum: record.checksum)
                return ResumePoint(record: record, checkpoint: checkpoint, skipped: skipped)
            } catch {
                skipped.append((record, error))
            }
        }
        return nil
    }

    private func save(_ checkpoint: Checkpoint, reason: CheckpointReason, epoch: EpochRecord?, status: RunStatus?)
        throws -> CheckpointRecord
    {
        let path = checkpointDirectory.appendingPathComponent(
            Self.fileName(completedSteps: checkpoint.counters.completedSteps, reason: reason)
        ).path
        let summary = try CheckpointFile.write(checkpoint, to: path)
        let record = CheckpointRecord(
            step: checkpoint.counters.completedSteps, epoch: checkpoint.counters.completedEpochs,
            reason: reason, path: path, checksum: summary.checksum,
            byteCount: summary.byteCount, createdAt: clock.now())
        try store.commit(RunCommit(steps: pendingSteps, epoch: epoch, checkpoint: record, status: status), to: run)
        pendingSteps.removeAll()
        try prune()
        return record
    }

    private func prune() throws(RunStoreError) {
        let all = try store.checkpoints(of: run)
        guard all.count > retainedCheckpoints else { return }
        let expired = Array(all.dropLast(retainedCheckpoints))
        try store.deleteCheckpoints(expired, of: run)
        let kept = Set(all.suffix(retainedCheckpoints).map(\.path))
        // Only files inside this run's own directory are ever unlinked (``CheckpointPaths``): a row of a
        // copied store, or a tampered one, may name any file on the machine.
        for record in expired
        where !kept.contains(record.path)
            && CheckpointPaths.isInside(record.path, directory: checkpointDirectory.path)
        {
            unlink(record.path)
        }
    }
}
