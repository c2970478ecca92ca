import Foundation
import Glidepath
import GlidepathTensor

/// Per-parameter optimizer state: the number of updates applied and named buffers (nil until
/// created, like SGD's momentum buffer before the first step).
struct ParameterSlots {
    var step: Int = 0
    var buffers: [Tensor?]
}

/// The shape a named per-parameter buffer has.
enum SlotShape {
    /// The parameter's own shape.
    case parameter
    /// Every `stride`-th element of the flattened parameter (Prodigy's `slice_p`): `[⌈count/stride⌉]`.
    case strided(Int)

    func shape(of parameter: Tensor) -> [Int] {
        switch self {
        case .parameter: return parameter.shape
        case .strided(let stride): return [(parameter.count + stride - 1) / stride]
        }
    }
}

/// Everything a ``GroupedOptimizer`` holds besides its parameters' values: the groups with their
/// hyperparameters, the shared hyperparameters, the scalar statistics and each parameter's named buffers.
///
/// It is a class so an optimizer (itself a class) updates it in place.
///
/// ### The state archive
/// Kind `optimizer.<name>`; metadata `stateVersion` (1), `hyperparameters` (per group), `shared`,
/// `statistics`, `steps` (per parameter) and `parameterShapes`, each JSON with sorted keys and ±∞/NaN as
/// strings (``StateCoding``); one tensor `group<g>.param<p>.<buffer>` per buffer that exists. An archive
/// written before `shared`/`statistics` existed (SGD, Adam, RMSprop, which have neither) still loads.
public final class OptimizerState<
    Hyperparameters: GroupHyperparameters, Shared: SharedHyperparameters,
    Statistics: OptimizerStatistics
>: @unchecked Sendable {
    public internal(set) var groups: [ParameterGroup<Hyperparameters>]
    public internal(set) var shared: Shared
    public internal(set) var statistics: Statistics
    var slots: [[ParameterSlots]]
    let kind: String
    let slotNames: [String]
    let slotShapes: [SlotShape]
    let rule: GroupRateRule

    static var stateVersion: String { "1" }

    /// Validates the groups (non-empty, each parameter a contiguous leaf that requires a gradient and
    /// appears once), every group's and the shared hyperparameters, and the rate rule.
    init(
        kind: String, slotNames: [String], slotShapes: [SlotShape]? = nil, groups: [ParameterGroup<Hyperparameters>],
        shared: Shared, statistics: Statistics, rule: GroupRateRule = .independent
    ) throws(NNError) {
        try Self.validate(groups)
        for (index, group) in groups.enumerated() { try group.hyperparameters.validate(path: "groups[\(index)].") }
        try shared.validate(path: "")
        if let reason = Self.violation(of: rule, groups.map(\.hyperparameters.learningRate)) {
            throw .invalidArgument(
                name: "groups[].learningRate", value: "\(groups.map(\.hyperparameters.learningRate))",
                reason: reason)
        }
        self.kind = kind
        self.rule = rule
        self.slotNames = slotNames
        self.slotShapes = slotShapes ?? slotNames.map { _ in .parameter }
        self.groups = groups
        self.shared = shared
        self.statistics = statistics
        slots = groups.map { $0.parameters.map { _ in ParameterSlots(buffers: slotNames.map { _ in nil }) } }
    }

    /// The buffer `slot` of parameter `p` of group `g`, created with `make` when absent.
    func buffer(_ g: Int, _ p: Int, _ slot: Int, orMake make: () -> Tensor) -> Tensor {
        if let existing = slots[g][p].buffers[slot] { return existing }
        let created = make()
        slots[g][p].buffers[slot] = created
        return created
    }

    /// A zero buffer of `slot`'s shape for parameter `parameter`.
    func zeros(_ slot: Int, like parameter: Tensor) -> Tensor {
        Tensor.zeros(shape: slotShapes[slot].shape(of: parameter))
    }

    // MARK: Rates

    func receive(
        learningRates: [Double], momenta: [Double]?, optimizer: String,
        momentumTarget: MomentumTarget<Hyperparameters, Shared>
    ) {
        precondition(
            learningRates.count == groups.count,
            "\(optimizer): \(learningRates.count) learning rates for \(groups.count) groups")
        if let momenta {
            precondition(
                momenta.count == groups.count, "\(optimizer): \(momenta.count) momenta for \(groups.count) groups")
        }
        if let reason = Self.violation(of: rule, learningRates) {
            preconditionFailure("\(optimizer): learning rates \(learningRates): \(reason)")
        }
        for index in groups.indices { groups[index].hyperparameters.learningRate = learningRates[index] }
        guard let momenta else { return }
        switch momentumTarget {
        case .none: break
        case .group(let field):
            for index in groups.indices { groups[index].hyperparameters[keyPath: field] = momenta[index] }
        case .shared(let field): shared[keyPath: field] = momenta[0]
        }
    }

    static func violation(of rule: GroupRateRule, _ rates: [Double]) -> String? {
        switch rule {
        case .independent:
            return nil
        case .equalOrZero:
            let nonzero = Set(rates.filter { $0 != 0 })
            return nonzero.count <= 1
                ? nil : "groups' learning rates must be equal or 0 (the step-size estimate is shared)"
        }
    }

    /// Checks that parameters are contiguous leaves that require gradients and appear once.
    static func validate(_ groups: [ParameterGroup<Hyperparameters>]) throws(NNError) {
        try NNError.require(!groups.isEmpty, "groups", 0, "an optimizer needs at least one parameter group")
        var seen = Set<UInt>()
        for (g, group) in groups.enumerated() {
            for (p, parameter) in group.parameters.enumerated() {
                guard parameter.requiresGrad, parameter.isLeaf, parameter.isContiguous, parameter.count > 0 else {
                    throw .invalidArgument(
                        name: "groups[\(g)].parameters[\(p)]", value: "\(parameter.shape)",
                        reason: "must be a non-empty contiguous leaf that requires a gradient")
                }
                // The storage address identifies a parameter: one listed twice would be updated twice.
                let address = parameter.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) }
                guard seen.insert(address).inserted else {
                    throw .invalidArgument(
                        name: "groups[\(g)].parameters[\(p)]", value: "\(parameter.shape)",
                        reason: "appears more than once across groups")
                }
            }
        }
    }

    // MARK: Archive

    /// The archive of this state, plus `extraEntries` (Schedule-Free's training point).
    func archive(extraEntries: [TensorArchive.Entry] = [], extraMetadata: [String: String] = [:]) -> TensorArchive {
        let encoder = StateCoding.encoder()
        func json<T: Encodable>(_ value: T) -> String {
            // Encoding plain Codable values with non-finite numbers as strings cannot fail; an empty
            // field would be refused on load rather than trap here.
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        var entries: [TensorArchive.Entry] = []
        for (g, groupSlots) in slots.enumerated() {
            for (p, slot) in groupSlots.enumerated() {
                for (name, buffer) in zip(slotNames, slot.buffers) {
                    if let buffer {
                        entries.append(
                            .init(name: Self.entryName(g, p, name), shape: buffer.shape, values: buffer.scalars))
                    }
                }
            }
        }
        var metadata = [
            "stateVersion": Self.stateVersion, "hyperparameters": json(groups.map(\.hyperparameters)),
            "shared": json(shared), "statistics": json(statistics),
            "steps": json(slots.map { $0.map(\.step) }),
            "parameterShapes": json(groups.map { $0.parameters.map(\.shape) }),
        ]
        metadata.merge(extraMetadata) { _, extra in extra }
        return TensorArchive(kind: kind, metadata: metadata, entries: entries + extraEntries)
    }

    static func entryName(_ g: Int, _ p: Int, _ name: String) -> String { "group\(g).param\(p).\(name)" }

    /// Validates `archive` completely, then replaces this state with it. `extraEntryNames` are names
    /// the caller reads itself (``archive(extraEntries:extraMetadata:)``); they are not unexpected.
    func restore(_ archive: TensorArchive, extraEntryNames: Set<String> = []) throws(StateFileError) {
        guard archive.kind == kind else { throw .wrongKind(expected: kind, found: archive.kind) }
        let version = archive.metadata["stateVersion"] ?? "missing"
        guard version == Self.stateVersion else {
            throw .incompatible(field: "stateVersion", expected: Self.stateVersion, found: version)
        }
        let decoder = StateCoding.decoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String, absent: String? = nil) throws(StateFileError) -> T {
            guard let text = archive.metadata[key] ?? absent else {
                throw .incompatible(field: key, expected: "a JSON value", found: "missing")
            }
            do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                throw .incompatible(field: key, expected: "\(T.self) (\(StateCoding.describe(error)))", found: text)
            }
        }
        let hyperparameters = try decode([Hyperparameters].self, "hyperparameters")
        let restoredShared = try decode(Shared.self, "shared", absent: "{}")
        let restoredStatistics = try decode(Statistics.self, "statistics", absent: "{}")
        let steps = try decode([[Int]].self, "steps")
        let shapes = try decode([[[Int]]].self, "parameterShapes")
        let expectedShapes = groups.map { $0.parameters.map(\.shape) }
        guard hyperparameters.count == groups.count, steps.count == groups.count, shapes.count == groups.count else {
            throw .incompatible(field: "groups", expected: "\(groups.count)", found: "\(hyperparameters.count)")
        }
        for g in groups.indices {
            guard steps[g].count == groups[g].parameters.count, shapes[g] == expectedShapes[g] else {
                throw .incompatible(
                    field: "group \(g) parameters", expected: "\(expectedShapes[g])", found: "\(shapes[g])")
            }
            if let bad = steps[g].first(where: { $0 < 0 }) {
                throw .incompatible(field: "group \(g) steps", expected: "≥ 0", found: "\(bad)")
            }
            do { try hyperparameters[g].validate(path: "groups[\(g)].") } catch {
                throw .incompatible(field: "hyperparameters", expected: "valid values", found: error.description)
            }
        }
        if let reason = Self.violation(of: rule, hyperparameters.map(\.learningRate)) {
            throw .incompatible(
                field: "hyperparameters", expected: reason, found: "\(hyperparameters.map(\.learningRate))")
        }
        do { try restoredShared.validate(path: "") } catch {
            throw .incompatible(field: "shared", expected: "valid values", found: error.description)
        }
        try restoredStatistics.validate(parameterCounts: groups.map(\.parameters.count))
        var byName: [String: TensorArchive.Entry] = [:]
        for entry in archive.entries { byName[entry.name] = entry }
        var used = extraEntryNames
        var restoredSlots: [[ParameterSlots]] = []
        for (g, group) in groups.enumerated() {
            var groupSlots: [ParameterSlots] = []
            for (p, parameter) in group.parameters.enumerated() {
                var buffers: [Tensor?] = []
                for (slot, name) in slotNames.enumerated() {
                    let key = Self.entryName(g, p, name)
                    guard let entry = byName[key] else { buffers.append(nil); continue }
                    let expected = slotShapes[slot].shape(of: parameter)
                    guard entry.shape == expected else {
                        throw .shapeMismatch(name: key, expected: expected, found: entry.shape)
                    }
                    used.insert(key)
                    buffers.append(
                        Tensor.make(shape: entry.shape) { buffer in
                            for index in buffer.indices { buffer[index] = entry.values[index] }
                        })
                }
                groupSlots.append(ParameterSlots(step: steps[g][p], buffers: buffers))
            }
            restoredSlots.append(groupSlots)
        }
        for entry in archive.entries where !used.contains(entry.name) { throw .unexpectedTensor(name: entry.name) }
        for index in groups.indices { groups[index].hyperparameters = hyperparameters[index] }
        shared = restoredShared
        statistics = restoredStatistics
        slots = restoredSlots
    }
}
