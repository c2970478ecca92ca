import Foundation
import Glidepath
import GlidepathData
import GlidepathLab

/// The cells of one submission of a study (`glidepath study submit`, `docs/cluster.md`): the array task
/// with index `i` runs `cells[i]`. A cell's ``StudyCell/id`` is the content hash of its configuration, the
/// identity `glidepath study run` uses, so resubmitting a plan maps to the same cells and the same shards.
///
/// Every setting a task needs is here or in the plan file it names (by absolute path, with the plan's hash
/// so an edited plan is refused), so a task does not depend on the submitting shell's environment.
public struct StudyManifest: Sendable, Equatable, Codable {
    /// The manifest format (1).
    public var format: Int
    public var study: String
    /// The plan file (absolute), as `glidepath study plan` writes it.
    public var planFile: String
    /// ``StudyManifest/planHash(_:)`` of the plan the cells were made from.
    public var planHash: String
    /// Compute threads of every cell (part of each cell's identity).
    public var threads: Int
    /// The data directory every task reads (absolute).
    public var dataDirectory: String
    /// Where each task's finished shard is copied (absolute): `<shardDirectory>/<cell id>.sqlite`.
    public var shardDirectory: String
    /// The study's store the merge job merges into (absolute).
    public var store: String
    /// The cells to run, in plan order: only those not finished in `store` when the manifest was written.
    public var cells: [StudyCell]

    public static let currentFormat = 1

    /// The manifest of `plan`'s cells not finished in the store at `store` (all when it does not exist):
    /// the fixed protocol's and the tuning grid's cells, and the confirmation cells of every grid already
    /// finished there — the list ``StudyRunner`` runs (``StudyPlan/cells(threads:chosenRates:)``, duplicates
    /// removed).
    public static func make(
        plan: StudyPlan, planFile: String, threads: Int, dataDirectory: String,
        shardDirectory: String, store: String
    ) throws(ClusterError) -> StudyManifest {
        var chosen: [TaskArm: Double] = [:]
        var finished: Set<String> = []
        if FileManager.default.fileExists(atPath: store) {
            do {
                let studyStore = try StudyStore(path: store, plan: plan, register: false)
                chosen = try studyStore.chosenRates(threads: threads)
                let records = try studyStore.records()
                for (cellId, record) in records {
                    if case .done = try studyStore.state(of: cellId, record: record) { finished.insert(cellId) }
                }
            } catch {
                // A store without this study has nothing finished; any other error is the user's to see.
                if case .unknownStudy = error {} else { throw .study(error) }
            }
        }
        let all: [StudyCell]
        do { all = try plan.cells(threads: threads, chosenRates: chosen) } catch { throw .study(error) }
        var seen: Set<String> = []
        let cells = all.filter { seen.insert($0.id).inserted && !finished.contains($0.id) }
        return StudyManifest(
            format: currentFormat, study: plan.name, planFile: planFile, planHash: try planHash(plan),
            threads: threads, dataDirectory: dataDirectory, shardDirectory: shardDirectory,
            store: store, cells: cells)
    }

    /// The first 16 hex digits of the MD5 of the plan's compact JSON (what the store records).
    public static func planHash(_ plan: StudyPlan) throws(ClusterError) -> String {
        do { return String(MD5.hexDigest(of: Array(try plan.json(pretty: false).utf8)).prefix(16)) } catch {
            throw .study(error)
        }
    }

    /// The shard file of `cell`: `<shardDirectory>/<cell id>.sqlite`.
    public func shardPath(of cell: StudyCell) -> String {
        URL(fileURLWithPath: shardDirectory).appendingPathComponent("\(cell.id).sqlite").path
    }

    /// Pretty JSON with sorted keys.
    public func json() throws(ClusterError) -> String {
        let encoder = StateCoding.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n" } catch {
            throw .writeFailed(path: "manifest", reason: "cannot encode: \(error)")
        }
    }

    /// Reads and checks a manifest: its format, and that every cell's id is its configuration's hash.
    public static func load(_ path: String) throws(ClusterError) -> StudyManifest {
        let manifest: StudyManifest
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            manifest = try StateCoding.decoder().decode(StudyManifest.self, from: data)
        } catch {
            throw .unreadableManifest(path: path, reason: "\(error)")
        }
        guard manifest.format == currentFormat else {
            throw .invalidManifest(
                path: path, field: "format", value: "\(manifest.format)",
                reason: "this glidepath reads format \(currentFormat)")
        }
        guard manifest.threads >= 1 else {
            throw .invalidManifest(path: path, field: "threads", value: "\(manifest.threads)", reason: "must be ≥ 1")
        }
        for (index, cell) in manifest.cells.enumerated() {
            let hash: String
            do { hash = try cell.configuration.contentHash() } catch { throw .study(error) }
            guard hash == cell.id else {
                throw .invalidManifest(
                    path: path, field: "cells[\(index)].id", value: cell.id,
                    reason: "is not the hash of the cell's configuration (\(hash)); was it edited?")
            }
        }
        return manifest
    }

    /// The plan the manifest names, checked against its hash.
    public func loadPlan(manifestPath: String) throws(ClusterError) -> StudyPlan {
        let plan: StudyPlan
        do { plan = try StudyPlan.load(planFile) } catch { throw .study(error) }
        guard try Self.planHash(plan) == planHash, plan.name == study else {
            throw .planChanged(manifest: manifestPath, planFile: planFile)
        }
        return plan
    }

    /// Writes `text` to `path` atomically (a temporary file renamed over it).
    static func write(_ text: String, to path: String) throws(ClusterError) {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }
}
