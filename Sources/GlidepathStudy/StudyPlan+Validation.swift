import Foundation
import GlidepathLab

extension StudyPlan {
    /// Checks every field and the cross-field rules.
    ///
    /// - Throws: ``StudyError/invalidPlan(field:value:reason:)`` naming the first bad field (by its path in
    ///   the plan document) and its value.
    public func validate() throws(StudyError) {
        func fail(_ field: String, _ value: String, _ reason: String) -> StudyError {
            .invalidPlan(field: field, value: value, reason: reason)
        }
        guard version == Self.currentVersion else {
            throw fail("version", "\(version)", "this build reads plan version \(Self.currentVersion)")
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw fail("name", "\"\(name)\"", "must be non-empty letters, digits, '.', '_' or '-'")
        }
        for (field, factor) in [
            ("scale.epochFactor", scale.epochFactor), ("scale.trainingFraction", scale.trainingFraction),
        ]
        where !(factor > 0 && factor <= 1) {
            throw fail(field, "\(factor)", "must be in (0, 1]")
        }
        if let optimizer {
            do { try optimizer.validate(path: "optimizer") } catch { throw PlanErrors.describe(error) }
        }
        guard !tasks.isEmpty else { throw fail("tasks", "[]", "a study needs at least one task") }
        var seenTasks: Set<TrainingTask> = []
        for (index, task) in tasks.enumerated() {
            let path = "tasks[\(index)]"
            guard seenTasks.insert(task.task).inserted else {
                throw fail("\(path).task", "\"\(task.task.rawValue)\"", "listed twice")
            }
            guard task.epochs >= 1 else { throw fail("\(path).epochs", "\(task.epochs)", "must be ≥ 1") }
            guard task.batchSize >= 1 else { throw fail("\(path).batchSize", "\(task.batchSize)", "must be ≥ 1") }
            if let limit = task.trainingLimit, limit < 2 {
                throw fail("\(path).trainingLimit", "\(limit)", "must be ≥ 2")
            }
            if let limit = task.evaluationLimit, limit < 1 {
                throw fail("\(path).evaluationLimit", "\(limit)", "must be ≥ 1")
            }
            if let sampling = task.subsetSampling, task.trainingLimit == nil && task.evaluationLimit == nil {
                throw fail(
                    "\(path).subsetSampling", "\"\(sampling.rawValue)\"",
                    "applies only with a trainingLimit or evaluationLimit")
            }
            for (name, target) in [("hard", task.targets.hard), ("easy", task.targets.easy)] {
                switch target {
                case .value(let value) where !(value.isFinite && value > 0):
                    throw fail("\(path).targets.\(name)", "\(value)", "must be finite and > 0, or \"auto\"")
                case .auto where name == "hard" && referenceArm == nil:
                    throw fail("referenceArm", "null", "\(path).targets.hard is \"auto\", which needs a reference arm")
                case .auto where name == "easy" && fixedRateArm == nil:
                    throw fail("fixedRateArm", "null", "\(path).targets.easy is \"auto\", which needs a fixed-rate arm")
                default:
                    break
                }
            }
        }
        guard !arms.isEmpty else { throw fail("arms", "[]", "a study needs at least one arm") }
        var seenArms: Set<String> = []
        for (index, arm) in arms.enumerated() {
            guard !arm.name.isEmpty, arm.name.unicodeScalars.allSatisfy(allowed.contains) else {
                throw fail(
                    "arms[\(index)].name", "\"\(arm.name)\"", "must be non-empty letters, digits, '.', '_' or '-'")
            }
            guard seenArms.insert(arm.name).inserted else {
                throw fail("arms[\(index)].name", "\"\(arm.name)\"", "duplicate arm name")
            }
            if let optimizer = arm.optimizer {
                do { try optimizer.validate(path: "arms[\(index)].optimizer") } catch {
                    throw PlanErrors.describe(error)
                }
            }
        }
        for (field, name) in [("referenceArm", referenceArm), ("fixedRateArm", fixedRateArm)] {
            if let name, !seenArms.contains(name) {
                throw fail(field, "\"\(name)\"", "names no arm; arms: \(arms.map(\.name).joined(separator: ", "))")
            }
        }
        for (index, name) in (baselines ?? []).enumerated() where !seenArms.contains(name) {
            throw fail(
                "baselines[\(index)]", "\"\(name)\"", "names no arm; arms: \(arms.map(\.name).joined(separator: ", "))")
        }
        guard !seeds.isEmpty else { throw fail("seeds", "[]", "a study needs at least one seed") }
        if Set(seeds).count != seeds.count { throw fail("seeds", "\(seeds)", "seeds must be distinct") }
        guard !tuning.isEmpty else { throw fail("tuning", "[]", "a study needs at least one tuning protocol") }
        if Set(tuning.map(\.name)).count != tuning.count {
            throw fail("tuning", tuning.map(\.name).joined(separator: ", "), "each protocol at most once")
        }
        for (index, protocolEntry) in tuning.enumerated() {
            guard case let .tunedParity(source, _) = protocolEntry else { continue }
            guard case let .rates(grid) = source else {
                if case let .lrFind(test) = source {
                    do { try test.validate() } catch {
                        if case let .invalidArgument(name, value, reason) = error {
                            throw fail("tuning[\(index)].grid.lrFind.\(name)", value, reason)
                        }
                        throw fail("tuning[\(index)].grid.lrFind", "", error.description)
                    }
                }
                continue
            }
            guard !grid.isEmpty else { throw fail("tuning[\(index)].grid", "[]", "an empty grid tunes nothing") }
            for (position, rate) in grid.enumerated() where !(rate.isFinite && rate > 0) {
                throw fail("tuning[\(index)].grid[\(position)]", "\(rate)", "a learning rate must be finite and > 0")
            }
            if Set(grid).count != grid.count {
                throw fail("tuning[\(index)].grid", "\(grid)", "rates must be distinct")
            }
        }
        if let probing {
            do { try probing.validate() } catch { throw PlanErrors.describe(error) }
        }
    }
}
