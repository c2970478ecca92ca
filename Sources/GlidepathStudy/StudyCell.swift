import Foundation
import Glidepath
import GlidepathData
import GlidepathLab
import GlidepathNN

/// What a cell trains: every input of its run that the plan decides, as recorded in the store. Its
/// content hash is the cell's identity (``StudyCell/id``), so a cell shared by two protocols (the fixed
/// rate is also a grid point) or two plans is one run.
public struct CellConfiguration: Sendable, Equatable, Codable {
    public var task: TrainingTask
    /// The arm's scheduler with the study's fills (a `step` without `stepSize`, ``StudyCell``).
    public var scheduler: SchedulerConfiguration
    /// The arm's optimizer at the cell's base rate.
    public var optimizer: OptimizerConfiguration
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    public var trainingLimit: Int?
    public var evaluationLimit: Int?
    /// ``SubsetSampling/stratified`` for a limited cell of a sampling plan; nil otherwise (no limit, or
    /// the first N in file order), so the cells of plans written before sampling keep their hashes.
    public var subsetSampling: SubsetSampling?
    /// Probing of a baseline cell (a landscape arm probes at its own scheduler's cadence: nil).
    public var probing: ProbeConfiguration?
    /// Compute threads: results are bit-identical per thread count, so the count is part of the identity.
    public var threads: Int

    /// The hash: the first 16 hex digits of the MD5 of the configuration's one-line JSON with sorted keys
    /// (``StateCoding``). MD5 is used as a content fingerprint, not for security.
    public func contentHash() throws(StudyError) -> String {
        do {
            return String(MD5.hexDigest(of: Array(try StateCoding.encoder().encode(self))).prefix(16))
        } catch {
            throw .invalidPlan(field: "cell", value: task.rawValue, reason: "cannot encode the configuration: \(error)")
        }
    }
}

/// What a cell is for.
public enum CellRole: String, Sendable, Codable, CaseIterable {
    /// A cell of the fixed protocol.
    case fixed
    /// A trial of tuning parity's grid (at the tuning seed).
    case tuningTrial
    /// Tuning parity's chosen rate at a plan seed (the cell the protocol reports).
    case confirmation
}

/// One cell of a study: task × arm × seed × trial, an ordinary lab run.
public struct StudyCell: Sendable, Equatable, Codable {
    /// The cell's identity: ``CellConfiguration/contentHash()``.
    public var id: String
    public var task: TrainingTask
    public var arm: String
    public var seed: UInt64
    /// The tuning protocol's ``TuningProtocol/name``.
    public var protocolName: String
    public var role: CellRole
    /// The base learning rate the cell runs at.
    public var learningRate: Double
    public var configuration: CellConfiguration
}

/// A (task, arm) pair, the unit tuning parity selects a rate for.
public struct TaskArm: Hashable, Sendable, Codable {
    public var task: TrainingTask
    public var arm: String

    public init(task: TrainingTask, arm: String) {
        self.task = task
        self.arm = arm
    }
}

extension StudyPlan {
    /// The optimizer of `arm` before any tuning: the arm's, else the plan's, else the task's.
    func optimizer(of arm: StudyArm, task: TrainingTask) -> OptimizerConfiguration {
        arm.optimizer ?? optimizer ?? task.specification.optimizer
    }

    /// The cells known before anything has run (`chosenRates` empty), or after tuning (`chosenRates` holds
    /// tuning parity's selected rate per (task, arm)): the fixed protocol's cells, tuning parity's grid at
    /// its seed, and the confirmation cells of every pair whose rate is chosen. In plan order: task, arm,
    /// protocol, then seed or grid point.
    ///
    /// - Parameter grids: the rates of every `lrFind` grid found so far, by ``lrFindKey(task:optimizer:)``; a
    ///   pair whose range test has not run has no trials yet.
    public func cells(threads: Int, chosenRates: [TaskArm: Double] = [:], grids: [String: [Double]] = [:])
        throws(StudyError) -> [StudyCell]
    {
        var cells: [StudyCell] = []
        for task in tasks {
            for arm in arms {
                let base = optimizer(of: arm, task: task.task)
                func cell(_ seed: UInt64, _ rate: Double, _ protocolName: String, _ role: CellRole) throws(StudyError)
                    -> StudyCell
                {
                    let configuration = CellConfiguration(
                        task: task.task, scheduler: Self.filled(arm.scheduler, epochs: task.epochs),
                        optimizer: try Self.optimizer(base, learningRate: rate, arm: arm.name), epochs: task.epochs,
                        batchSize: task.batchSize, seed: seed, trainingLimit: task.trainingLimit,
                        evaluationLimit: task.evaluationLimit, subsetSampling: task.cellSubsetSampling,
                        probing: LandscapeScheduler.Configuration.isUsed(in: arm.scheduler) ? nil : probing,
                        threads: threads)
                    return StudyCell(
                        id: try configuration.contentHash(), task: task.task, arm: arm.name, seed: seed,
                        protocolName: protocolName, role: role, learningRate: rate,
                        configuration: configuration)
                }
                for protocolEntry in tuning {
                    switch protocolEntry {
                    case .fixed:
                        for seed in seeds {
                            cells.append(try cell(seed, base.parameters.learningRate, "fixed", .fixed))
                        }
                    case .tunedParity where !arm.isTuned:
                        // Not tuned: its own rate on every seed, no trials.
                        for seed in seeds {
                            cells.append(
                                try cell(seed, base.parameters.learningRate, protocolEntry.name, .confirmation))
                        }
                    case let .tunedParity(source, tuningSeed):
                        let grid: [Double]
                        switch source {
                        case .rates(let rates): grid = rates
                        case .lrFind: grid = grids[try Self.lrFindKey(task: task.task, optimizer: base)] ?? []
                        }
                        for rate in grid { cells.append(try cell(tuningSeed, rate, protocolEntry.name, .tuningTrial)) }
                        if let chosen = chosenRates[TaskArm(task: task.task, arm: arm.name)] {
                            for seed in seeds {
                                cells.append(try cell(seed, chosen, protocolEntry.name, .confirmation))
                            }
                        }
                    }
                }
            }
        }
        return cells
    }

    /// The (task, arm) pairs whose confirmation cells wait for tuning parity's choice of rate.
    public var tunedPairs: [TaskArm] {
        guard tuningGrid != nil else { return [] }
        return tasks.flatMap { task in arms.filter(\.isTuned).map { TaskArm(task: task.task, arm: $0.name) } }
    }

    /// The tuned-parity grid, if the plan has that protocol.
    public var tuningGrid: (grid: TuningGrid, seed: UInt64)? {
        for entry in tuning { if case let .tunedParity(grid, seed) = entry { return (grid, seed) } }
        return nil
    }

    /// The range tests an `lrFind` grid needs: one per task and distinct optimizer of its tuned arms.
    public var lrFindTests: [(key: String, task: TrainingTask, optimizer: OptimizerConfiguration)] {
        guard case .lrFind? = tuningGrid?.grid else { return [] }
        var tests: [(key: String, task: TrainingTask, optimizer: OptimizerConfiguration)] = []
        for task in tasks {
            for arm in arms where arm.isTuned {
                let optimizer = optimizer(of: arm, task: task.task)
                guard let key = try? Self.lrFindKey(task: task.task, optimizer: optimizer),
                    !tests.contains(where: { $0.key == key })
                else { continue }
                tests.append((key, task.task, optimizer))
            }
        }
        return tests
    }

    /// The identity of a range test: task and optimizer (the test, seed and limits are the plan's).
    public static func lrFindKey(task: TrainingTask, optimizer: OptimizerConfiguration) throws(StudyError) -> String {
        do {
            let json = String(decoding: try StateCoding.encoder().encode(optimizer), as: UTF8.self)
            return task.rawValue + "-" + String(MD5.hexDigest(of: Array(json.utf8)).prefix(12))
        } catch {
            throw .invalidPlan(field: "optimizer", value: optimizer.name.rawValue, reason: "cannot encode: \(error)")
        }
    }

    /// The grid of a range test's suggestions: steepest descent, valley and minimum ÷ 10 (torch-lr-finder's
    /// `suggest_lr`, fastai's `valley` and the classic "a tenth of the minimum"), those that exist, distinct,
    /// ascending.
    public static func grid(from suggestions: RangeTestSuggestions) -> [Double] {
        let rates = [suggestions.steepest?.rate, suggestions.valley?.rate, suggestions.minimum.map { $0.rate / 10 }]
            .compactMap { $0 }.filter { $0.isFinite && $0 > 0 }
        return Array(Set(rates)).sorted()
    }

    /// The arm's scheduler with the study's fills: a top-level `step` without `stepSize` decays (by its
    /// γ) every ⌊E/3⌋ epochs (at least 1), i.e. at each third of the budget, as the seed's step baseline.
    static func filled(_ scheduler: SchedulerConfiguration, epochs: Int) -> SchedulerConfiguration {
        guard var step = scheduler.parameters as? StepSchedule.Configuration, step.stepSize == nil,
            scheduler.cadence == nil || scheduler.cadence == .perEpoch
        else { return scheduler }
        step.stepSize = max(1, epochs / 3)
        return SchedulerConfiguration(step, cadence: scheduler.cadence)
    }

    /// `configuration` with its base learning rate set to `rate` (the `"learningRate"` field every
    /// optimizer configuration has).
    static func optimizer(_ configuration: OptimizerConfiguration, learningRate rate: Double, arm: String)
        throws(StudyError) -> OptimizerConfiguration
    {
        if configuration.parameters.learningRate == rate { return configuration }
        do {
            guard case .object(var fields) = try StateValue(encoding: configuration), fields["learningRate"] != nil
            else {
                throw StudyError.invalidPlan(
                    field: "arms.\(arm).optimizer", value: configuration.name.rawValue,
                    reason: "has no learningRate to tune")
            }
            fields["learningRate"] = .double(rate)
            return try OptimizerConfiguration(.object(fields), path: "arms.\(arm).optimizer")
        } catch let error as StudyError {
            throw error
        } catch {
            throw PlanErrors.describe(error)
        }
    }
}
