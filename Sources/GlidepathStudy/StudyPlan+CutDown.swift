import Foundation
import GlidepathLab

/// How `glidepath study plan NAME` cuts a plan down without editing JSON: each field nil keeps the plan's.
public struct PlanCutDown: Sendable, Equatable {
    public var tasks: [String]?
    public var arms: [String]?
    public var seeds: [UInt64]?
    public var epochs: Int?
    public var trainingLimit: Int?
    public var evaluationLimit: Int?
    /// Keep only these tuning protocols (``TuningProtocol/name``: `fixed`, `tunedParity`).
    public var protocols: [String]?

    public init(
        tasks: [String]? = nil, arms: [String]? = nil, seeds: [UInt64]? = nil, epochs: Int? = nil,
        trainingLimit: Int? = nil, evaluationLimit: Int? = nil, protocols: [String]? = nil
    ) {
        self.protocols = protocols
        self.tasks = tasks
        self.arms = arms
        self.seeds = seeds
        self.epochs = epochs
        self.trainingLimit = trainingLimit
        self.evaluationLimit = evaluationLimit
    }

    public var isEmpty: Bool { self == PlanCutDown() }

    /// The options as `study plan` spells them, for the plan's ``StudyPlan/derivation``.
    var text: String {
        var parts: [String] = []
        if let tasks { parts.append("--tasks " + tasks.joined(separator: ",")) }
        if let arms { parts.append("--arms " + arms.joined(separator: ",")) }
        if let seeds { parts.append("--seeds " + seeds.map(String.init).joined(separator: ",")) }
        if let epochs { parts.append("--epochs \(epochs)") }
        if let trainingLimit { parts.append("--train-limit \(trainingLimit)") }
        if let evaluationLimit { parts.append("--eval-limit \(evaluationLimit)") }
        if let protocols { parts.append("--tuning " + protocols.joined(separator: ",")) }
        return parts.joined(separator: " ")
    }
}

extension StudyPlan {
    /// The plan keeping only the listed tasks, arms and seeds (in the plan's order), with every task's epochs
    /// and limits replaced by the given ones. A removed reference or fixed-rate arm is replaced by the first
    /// remaining arm (the derivation says so).
    ///
    /// - Throws: ``StudyError/invalidPlan(field:value:reason:)`` for a name the plan does not have, an empty
    ///   selection or a bad number (then through ``validate()``).
    public func cutDown(_ cut: PlanCutDown, builtIn: String) throws(StudyError) -> StudyPlan {
        var plan = self
        var notes = ["\(builtIn) --scale \(scale.name.rawValue)"] + (cut.isEmpty ? [] : [cut.text])
        if let names = cut.tasks {
            for name in names where !tasks.contains(where: { $0.task.rawValue == name }) {
                throw .invalidPlan(
                    field: "--tasks", value: name,
                    reason: "not a task of \(self.name): " + tasks.map(\.task.rawValue).joined(separator: ", "))
            }
            plan.tasks = tasks.filter { names.contains($0.task.rawValue) }
        }
        if let names = cut.arms {
            for name in names where arm(named: name) == nil {
                throw .invalidPlan(
                    field: "--arms", value: name,
                    reason: "not an arm of \(self.name): " + arms.map(\.name).joined(separator: ", "))
            }
            plan.arms = arms.filter { names.contains($0.name) }
            plan.baselines = plan.baselines?.filter { plan.arm(named: $0) != nil }
            let first = plan.arms.first?.name
            if let reference = plan.referenceArm, plan.arm(named: reference) == nil {
                plan.referenceArm = first
                notes.append("reference arm \(reference) removed; \(first ?? "none") sets the auto hard targets")
            }
            if let fixed = plan.fixedRateArm, plan.arm(named: fixed) == nil {
                plan.fixedRateArm = first
                notes.append("fixed-rate arm \(fixed) removed; \(first ?? "none") sets the auto easy targets")
            }
        }
        if let seeds = cut.seeds { plan.seeds = seeds }
        if let names = cut.protocols {
            for name in names where !tuning.contains(where: { $0.name == name }) {
                throw .invalidPlan(
                    field: "--tuning", value: name,
                    reason: "not a protocol of \(self.name): " + tuning.map(\.name).joined(separator: ", "))
            }
            plan.tuning = tuning.filter { names.contains($0.name) }
        }
        for index in plan.tasks.indices {
            if let epochs = cut.epochs { plan.tasks[index].epochs = epochs }
            if let limit = cut.trainingLimit { plan.tasks[index].trainingLimit = limit }
            if let limit = cut.evaluationLimit { plan.tasks[index].evaluationLimit = limit }
            if cut.trainingLimit != nil || cut.evaluationLimit != nil { plan.tasks[index].subsetSampling = .stratified }
        }
        plan.derivation = notes.joined(separator: "; ")
        try plan.validate()
        return plan
    }
}
