import Foundation
import GlidepathLab

/// What `glidepath study merge` did.
public struct ShardMergeSummary: Sendable, Equatable {
    /// Runs imported now.
    public var imported: Int
    /// Finished cells the target already had (from an earlier merge or an overlapping shard).
    public var alreadyPresent: Int
    /// Cells of the shards that had not finished (stopped or failed): not imported.
    public var unfinished: Int
    /// Of those, the failed ones: their reasons are recorded in the target (`study status` shows them).
    public var failed: Int
    public var shards: Int
}

/// Merges shard stores (one per array task, ``CellTask``) into a study's store (`docs/cluster.md`):
///
/// - Every shard must hold exactly one study, with the same plan as the other shards, as `plan` when given,
///   and as the target's study of that name (registered in the target when it has none); else nothing is
///   merged.
/// - Every run to import, and every finished run of the study already in the target, must come from the
///   same code version (package version, git commit, dirty flag), unless `allowCodeMismatch`.
/// - A cell that failed in its shard (and is not finished in the target) gets the shard's failure reason, so
///   `study status` lists it as failed, and resubmitting retries it.
/// - Only finished cells (completed or diverged) are imported, each with its steps, epochs and probes, bit
///   for bit (``RunStore/importStudyCells(from:study:cells:)``); a cell the target already has finished is
///   skipped, so merging twice, or overlapping shards, adds nothing twice.
/// - One transaction per shard: a crash mid-merge leaves every shard either wholly merged or not at all,
///   and rerunning the merge completes it.
public struct ShardMerge {
    public var shards: [String]
    public var target: String
    public var plan: StudyPlan?
    public var allowCodeMismatch: Bool

    public init(shards: [String], into target: String, plan: StudyPlan? = nil, allowCodeMismatch: Bool = false) {
        self.shards = shards
        self.target = target
        self.plan = plan
        self.allowCodeMismatch = allowCodeMismatch
    }

    struct OpenedShard {
        var path: String
        var store: RunStore
        var finished: [StudyCellImport]
        var unfinished: Int
        var failures: [String: String]
    }

    public func run() throws(ClusterError) -> ShardMergeSummary {
        guard !shards.isEmpty else { throw .noShards }
        // Check every shard before writing anything.
        var name: String? = plan?.name
        var planJSON: String?
        if let plan { do { planJSON = try plan.json(pretty: false) } catch { throw .study(error) } }
        var opened: [OpenedShard] = []
        var versions: [(shard: String, run: String, version: CodeVersion)] = []
        for path in shards {
            let store: RunStore
            let studies: [String: String]
            do {
                store = try RunStore(path: path, access: .readOnly)
                studies = try store.studies()
            } catch { throw .study(.store(error)) }
            guard studies.count == 1, let (shardName, shardPlan) = studies.first else {
                throw .shardWithoutStudy(path: path, studies: studies.keys.sorted())
            }
            if let expected = planJSON, let expectedName = name {
                guard shardName == expectedName, shardPlan == expected else {
                    throw .shardPlanMismatch(
                        shard: path, expected: expectedName, found: shardName,
                        detail: shardName == expectedName
                            ? StudyStore.difference(expected, shardPlan) : "another study")
                }
            } else {
                name = shardName
                planJSON = shardPlan
            }
            var shard = OpenedShard(path: path, store: store, finished: [], unfinished: 0, failures: [:])
            do {
                for (cellId, record) in try store.studyCells(of: shardName).sorted(by: { $0.key < $1.key }) {
                    guard let run = record.runId else {
                        shard.unfinished += 1
                        if let failure = record.failure { shard.failures[cellId] = failure }
                        continue
                    }
                    let runRecord = try store.run(run)
                    guard runRecord.status == .completed || runRecord.status == .diverged else {
                        shard.unfinished += 1
                        if let failure = record.failure { shard.failures[cellId] = failure }
                        continue
                    }
                    shard.finished.append(StudyCellImport(cellId: cellId, run: run))
                    versions.append((path, run.rawValue, runRecord.codeVersion))
                }
            } catch { throw .study(.store(error)) }
            opened.append(shard)
        }
        guard let name, let planJSON else { throw .noShards }
        let targetStore: RunStore
        let existing: [String: StudyCellRecord]
        do {
            targetStore = try RunStore(path: target)
            if let recorded = try targetStore.studyPlan(named: name), recorded != planJSON {
                throw ClusterError.shardPlanMismatch(
                    shard: opened[0].path, expected: name, found: name,
                    detail: "the store \(target) holds another plan under this name: "
                        + StudyStore.difference(recorded, planJSON))
            }
            existing = try targetStore.studyCells(of: name)
            for record in existing.values {
                guard let run = record.runId else { continue }
                let runRecord = try targetStore.run(run)
                if runRecord.status == .completed || runRecord.status == .diverged {
                    versions.insert((target, run.rawValue, runRecord.codeVersion), at: 0)
                }
            }
        } catch let error as ClusterError {
            throw error
        } catch let error as RunStoreError {
            throw .study(.store(error))
        } catch {
            throw .writeFailed(path: target, reason: "\(error)")
        }
        if !allowCodeMismatch, let first = versions.first {
            for entry in versions where entry.version != first.version {
                throw .codeVersionMismatch(
                    shard: entry.shard, run: entry.run, expected: Self.describe(first.version),
                    found: Self.describe(entry.version))
            }
        }
        do { _ = try targetStore.registerStudy(name: name, plan: planJSON) } catch { throw .study(.store(error)) }
        var summary = ShardMergeSummary(
            imported: 0, alreadyPresent: 0, unfinished: 0, failed: 0,
            shards: opened.count)
        var done = Set<String>()
        for (cellId, record) in existing {
            guard let run = record.runId else { continue }
            let status: RunStatus
            do { status = try targetStore.run(run).status } catch { throw .study(.store(error)) }
            if status == .completed || status == .diverged { done.insert(cellId) }
        }
        for shard in opened {
            summary.unfinished += shard.unfinished
            let fresh = shard.finished.filter { !done.contains($0.cellId) }
            // A failure is recorded only for a cell the target has not finished.
            let failures = shard.failures.filter { !done.contains($0.key) }
            summary.alreadyPresent += shard.finished.count - fresh.count
            summary.failed += failures.count
            if fresh.isEmpty && failures.isEmpty { continue }
            do {
                _ = try targetStore.importStudyCells(from: shard.store, study: name, cells: fresh, failures: failures)
            } catch {
                throw .study(.store(error))
            }
            for cell in fresh { done.insert(cell.cellId) }
            summary.imported += fresh.count
        }
        return summary
    }

    static func describe(_ version: CodeVersion) -> String {
        version.package + (version.commit.map { " @ " + String($0.prefix(12)) } ?? " (no commit)")
            + (version.dirty == true ? " (dirty)" : "")
    }
}
