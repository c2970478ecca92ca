import Foundation
import Glidepath
import GlidepathLab

/// How one array task ended (`glidepath study run-cell`).
public enum CellTaskOutcome: Sendable, Equatable {
    /// The cell finished (now, or in an earlier attempt): its shard is in place.
    case done(shard: String, alreadyDone: Bool)
    /// The cell's run failed; the shard records why (`study status` shows it after the merge).
    case failed(shard: String)
    /// SIGTERM/SIGINT stopped the cell after a checkpoint; a requeued task resumes it.
    case interrupted(InterruptSignal)
    /// Another live process holds the cell's lease.
    case busy
}

/// One cell of a manifest, run into its own store on local disk (`docs/cluster.md`):
///
/// 1. The cell trains into `<work dir>/glidepath-<study>-<cell id>/shard.sqlite` (node-local disk: SQLite
///    needs one host, and NFS corrupts it) through ``StudyRunner``'s own cell code, the path `study run`
///    takes: same lease, same resume from the last checkpoint, same failure recording.
/// 2. When the cell ends (finished or failed) the work store is copied to the shard path on the shared
///    disk atomically (``RunStore/snapshot(to:)``: `VACUUM INTO` a temporary file, then rename), and the
///    work directory is removed.
/// 3. SIGTERM (Slurm's preemption, time limit or requeue) checkpoints and exits; a requeued task on the
///    same node resumes bit-identically from the work directory. On another node the cell starts over,
///    which gives the same bits too (a run is a function of its configuration and thread count).
public struct CellTask {
    public var manifest: StudyManifest
    public var manifestPath: String
    public var plan: StudyPlan
    public var cell: StudyCell
    public var index: Int
    public var shardPath: String
    public var workDirectory: String
    public var options: StudyRunOptions

    /// The task of `manifest.cells[index]`; `expectedCell` (the script's cell id) must match it.
    public init(
        manifestPath: String, index: Int, expectedCell: String?, shardPath: String, workRoot: String,
        dataDirectory: String?, threads: Int?, stepDelay: Double = 0,
        prepareScheduler: @escaping @Sendable (SchedulerConfiguration) -> SchedulerConfiguration = { $0 }
    )
        throws(ClusterError)
    {
        manifest = try StudyManifest.load(manifestPath)
        self.manifestPath = manifestPath
        plan = try manifest.loadPlan(manifestPath: manifestPath)
        guard manifest.cells.indices.contains(index) else {
            throw .indexOutOfRange(path: manifestPath, index: index, count: manifest.cells.count)
        }
        cell = manifest.cells[index]
        if let expectedCell, expectedCell != cell.id {
            throw .invalidManifest(
                path: manifestPath, field: "cells[\(index)].id", value: cell.id,
                reason: "the script expected cell \(expectedCell) at this index")
        }
        if let threads, threads != manifest.threads {
            throw .invalidManifest(
                path: manifestPath, field: "threads", value: "\(manifest.threads)",
                reason: "--threads \(threads) differs (threads are part of each cell's identity)")
        }
        self.index = index
        self.shardPath = shardPath
        workDirectory = URL(fileURLWithPath: workRoot).appendingPathComponent("glidepath-\(plan.name)-\(cell.id)").path
        options = StudyRunOptions(
            storePath: URL(fileURLWithPath: workDirectory).appendingPathComponent("shard.sqlite").path,
            dataDirectory: dataDirectory ?? manifest.dataDirectory, threads: manifest.threads,
            stepDelay: stepDelay, prepareScheduler: prepareScheduler)
    }

    /// Runs (or resumes) the cell and places its shard.
    public func run(progress: StudyProgress, monitor: InterruptMonitor?) throws(ClusterError) -> CellTaskOutcome {
        if try shardIsDone() { return .done(shard: shardPath, alreadyDone: true) }
        do { try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true) } catch {
            throw .writeFailed(path: workDirectory, reason: "\(error)")
        }
        let runner = StudyRunner(plan: plan, options: options)
        let outcome: StudyRunner.CellOutcome
        let studyStore: StudyStore
        do {
            studyStore = try StudyStore(path: options.storePath, plan: plan, register: true)
            if let run = try studyStore.records()[cell.id]?.runId {
                progress.message(
                    "study: cell \(cell.id): resuming run \(run) from its last checkpoint in \(workDirectory)")
            }
            outcome = try runner.runCell(
                cell, in: studyStore, record: try studyStore.records()[cell.id], progress: progress,
                monitor: monitor, position: index + 1, total: manifest.cells.count, done: 0,
                failed: 0)
        } catch { throw .study(error) }
        switch outcome {
        case .interrupted(let signal): return .interrupted(signal)
        case .skipped:
            // Finished in an earlier attempt whose copy did not happen, or leased by another process.
            if case .done = try stateInWork(studyStore) { return try place(studyStore, failed: false) }
            return .busy
        case .done: return try place(studyStore, failed: false)
        case .failed: return try place(studyStore, failed: true)
        }
    }

    private func stateInWork(_ studyStore: StudyStore) throws(ClusterError) -> CellState {
        do { return try studyStore.state(of: cell.id, record: try studyStore.records()[cell.id]) } catch {
            throw .study(error)
        }
    }

    /// Copies the work store to the shard path atomically and removes the work directory.
    private func place(_ studyStore: StudyStore, failed: Bool) throws(ClusterError) -> CellTaskOutcome {
        let directory = URL(fileURLWithPath: shardPath).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try studyStore.store.snapshot(to: shardPath)
        } catch {
            throw .writeFailed(path: shardPath, reason: "\(error)")
        }
        if !failed { try? FileManager.default.removeItem(atPath: workDirectory) }
        return failed ? .failed(shard: shardPath) : .done(shard: shardPath, alreadyDone: false)
    }

    /// Whether the shard path already holds this cell finished (a task requeued after its copy).
    private func shardIsDone() throws(ClusterError) -> Bool {
        guard FileManager.default.fileExists(atPath: shardPath) else { return false }
        do {
            let shard = try StudyStore(path: shardPath, plan: plan, register: false)
            if case .done = try shard.state(of: cell.id, record: try shard.records()[cell.id]) { return true }
            return false
        } catch {
            throw .study(error)
        }
    }
}
