import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

/// Where a cell stands, as `glidepath study status` lists it.
public enum CellState: Sendable, Equatable {
    /// Trained all its epochs (or diverged, a result too): `run` holds its result.
    case done(run: RunIdentifier, status: RunStatus)
    /// Being trained by a live process now (its lease is held).
    case running(run: RunIdentifier?)
    /// Not started, or started and stopped (killed, interrupted): the next `study run` starts or resumes it.
    case pending(run: RunIdentifier?)
    /// The last attempt failed with `reason` (the next `study run` retries it).
    case failed(run: RunIdentifier?, reason: String)

    public var label: String {
        switch self {
        case .done: return "done"
        case .running: return "running"
        case .pending: return "pending"
        case .failed: return "failed"
        }
    }

    public var run: RunIdentifier? {
        switch self {
        case let .done(run, _): return run
        case let .running(run), let .pending(run), let .failed(run, _): return run
        }
    }
}

/// A study's records in a run store: registration, the cells' runs and states, and each cell's lock.
public struct StudyStore {
    public let store: RunStore
    public let plan: StudyPlan

    /// Opens `path` and checks that it holds `plan` under its name, recording it when the store has no
    /// study of that name (`register`) — a different plan under the same name is refused before anything
    /// is written.
    public init(path: String, plan: StudyPlan, register: Bool) throws(StudyError) {
        if !register && !FileManager.default.fileExists(atPath: path) { throw .store(.missingStore(path: path)) }
        do { store = try RunStore(path: path, access: register ? .readWrite : .readOnly) } catch { throw .store(error) }
        self.plan = plan
        let json = try plan.json(pretty: false)
        if register {
            let outcome: StudyRegistration
            do { outcome = try store.registerStudy(name: plan.name, plan: json) } catch { throw .store(error) }
            if case .different(let recorded) = outcome {
                throw .planMismatch(store: path, name: plan.name, difference: Self.difference(recorded, json))
            }
        } else {
            let recorded: String?
            do { recorded = try store.studyPlan(named: plan.name) } catch { throw .store(error) }
            guard let recorded else { throw .unknownStudy(store: path, name: plan.name) }
            if recorded != json {
                throw .planMismatch(store: path, name: plan.name, difference: Self.difference(recorded, json))
            }
        }
    }

    /// The top-level fields in which two plan documents differ.
    static func difference(_ recorded: String, _ given: String) -> String {
        let decoder = StateCoding.decoder()
        guard case .object(let old)? = try? decoder.decode(StateValue.self, from: Data(recorded.utf8)),
            case .object(let new)? = try? decoder.decode(StateValue.self, from: Data(given.utf8))
        else {
            return "the recorded plan is not readable"
        }
        let fields = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
        return "fields differing: " + fields.joined(separator: ", ")
    }

    /// The store's record of every cell of this study, by cell id.
    public func records() throws(StudyError) -> [String: StudyCellRecord] {
        do { return try store.studyCells(of: plan.name) } catch { throw .store(error) }
    }

    /// The directory of `cell`'s lock file: next to the store's checkpoints,
    /// `glidepath-checkpoints/<store file>/study-<name>/<cell id>/`.
    public func lockDirectory(of cellId: String) -> URL {
        let storeURL = URL(fileURLWithPath: store.path)
        return storeURL.deletingLastPathComponent()
            .appendingPathComponent("glidepath-checkpoints", isDirectory: true)
            .appendingPathComponent(storeURL.lastPathComponent, isDirectory: true)
            .appendingPathComponent("study-\(plan.name)", isDirectory: true)
            .appendingPathComponent(cellId, isDirectory: true)
    }

    /// The file holding the grid of range test `key`: `lrfind-<key>.json` beside the cells' lock directories.
    public func lrFindFile(_ key: String) -> URL {
        lockDirectory(of: "lrfind-\(key)").deletingLastPathComponent().appendingPathComponent("lrfind-\(key).json")
    }

    /// The grids of every range test that has run, by key.
    public func lrFindGrids() throws(StudyError) -> [String: [Double]] {
        var grids: [String: [Double]] = [:]
        for test in plan.lrFindTests {
            let url = lrFindFile(test.key)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do {
                grids[test.key] = try StateCoding.decoder().decode(LRFindGrid.self, from: Data(contentsOf: url)).grid
            } catch {
                throw .unreadablePlan(path: url.path, reason: "not a range test's grid: \(error)")
            }
        }
        return grids
    }

    /// Records a range test's report and grid (atomically: a temporary file, then a rename).
    func recordLRFind(_ key: String, report: RangeTestReport, grid: [Double]) throws(StudyError) {
        let url = lrFindFile(key)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = StateCoding.encoder()
            try encoder.encode(LRFindGrid(grid: grid, report: report)).write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: "\(error)")
        }
    }

    /// Takes `cell`'s lease (an `flock` the kernel releases when the holder dies, ``RunLease``): nil when a
    /// live process holds it.
    func lease(_ cellId: String) throws(StudyError) -> RunLease? {
        let directory = lockDirectory(of: cellId)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: directory.path, reason: "\(error)")
        }
        do {
            return try RunLease(directory: directory)
        } catch {
            if case .runInUse = error { return nil }
            throw .writeFailed(path: directory.path, reason: error.description)
        }
    }

    /// Whether a live process holds `cell`'s lease (without taking it for longer than the check).
    func isLeased(_ cellId: String) -> Bool {
        let directory = lockDirectory(of: cellId)
        guard FileManager.default.fileExists(atPath: directory.path) else { return false }
        do { _ = try RunLease(directory: directory) } catch {
            if case .runInUse = error { return true }
        }
        return false
    }

    /// The state of `cell` from its record and its run.
    public func state(of cellId: String, record: StudyCellRecord?) throws(StudyError) -> CellState {
        let run = record?.runId
        if isLeased(cellId) { return .running(run: run) }
        var status: RunStatus?
        if let run {
            do { status = try store.run(run).status } catch { throw .store(error) }
        }
        if let status, status == .completed || status == .diverged, let run { return .done(run: run, status: status) }
        if let failure = record?.failure { return .failed(run: run, reason: failure) }
        return .pending(run: run)
    }

    /// Tuning parity's chosen rate for every (task, arm) whose grid cells have all finished: the grid point
    /// with the lowest final validation loss (a diverged trial counts as +∞; ties go to the first in grid
    /// order), as pytorch-dlrs 0.3.0 selects (`docs/dlrs.md`).
    public func chosenRates(threads: Int) throws(StudyError) -> [TaskArm: Double] {
        guard plan.tuningGrid != nil else { return [:] }
        let records = try records()
        var trials: [TaskArm: [(rate: Double, loss: Double?)]] = [:]
        for cell in try plan.cells(threads: threads, grids: try lrFindGrids()) where cell.role == .tuningTrial {
            var loss: Double? = nil
            if case let .done(run, status) = try state(of: cell.id, record: records[cell.id]) {
                if status == .diverged {
                    loss = .infinity
                } else {
                    do {
                        let final = try store.epochs(of: run).last?.validationLoss ?? .infinity
                        loss = final.isNaN ? .infinity : final
                    } catch { throw .store(error) }
                }
            }
            trials[TaskArm(task: cell.task, arm: cell.arm), default: []].append((cell.learningRate, loss))
        }
        var chosen: [TaskArm: Double] = [:]
        for (pair, results) in trials {
            if let rate = Self.select(results) { chosen[pair] = rate }
        }
        return chosen
    }

    /// Tuning parity's choice among `trials` (in grid order): nil while a trial has no final validation loss
    /// yet; else the rate of the lowest loss (+∞ for a diverged trial), the first in grid order on a tie.
    public static func select(_ trials: [(rate: Double, loss: Double?)]) -> Double? {
        guard let first = trials.first, trials.allSatisfy({ $0.loss != nil }) else { return nil }
        var best = first
        for trial in trials.dropFirst() where (trial.loss ?? .infinity) < (best.loss ?? .infinity) { best = trial }
        return best.rate
    }
}

/// A range test's grid as `study run` records it, with the test's report for the record.
struct LRFindGrid: Codable {
    var grid: [Double]
    var report: RangeTestReport
}
