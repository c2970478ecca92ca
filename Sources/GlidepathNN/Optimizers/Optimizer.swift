import Foundation
import Glidepath
import GlidepathTensor

/// A set of parameters that share hyperparameters (PyTorch's `param_groups` entries).
public struct ParameterGroup<Hyperparameters: Sendable>: @unchecked Sendable {
    public var parameters: [Tensor]
    public var hyperparameters: Hyperparameters

    public init(parameters: [Tensor], hyperparameters: Hyperparameters) {
        self.parameters = parameters
        self.hyperparameters = hyperparameters
    }
}

/// An optimizer over parameter groups whose learning rates (and momentum or β₁) any Glidepath
/// scheduler sets through ``LearningRateReceiver``.
///
/// Update rules follow PyTorch's single-tensor (`foreach=False`) implementations operation by
/// operation, so Float32 results agree with PyTorch's to rounding. A parameter without a gradient is
/// skipped, as in PyTorch, and its step count does not advance.
public protocol Optimizer: AnyObject, LearningRateReceiver {
    /// The parameters of each group, in group order.
    var groupParameters: [[Tensor]] { get }
    /// The current learning rate of each group.
    var learningRates: [Double] { get }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The complete optimizer state: hyperparameters, step counts and per-parameter buffers.
    func stateArchive() -> TensorArchive
    /// Restores a state from ``stateArchive()`` of an optimizer of the same kind over parameters of the
    /// same shapes. Validates everything first; on error the optimizer is unchanged.
    func loadState(_ archive: TensorArchive) throws(StateFileError)
}

extension Optimizer {
    /// Every parameter of every group.
    public var allParameters: [Tensor] { groupParameters.flatMap { $0 } }

    /// Forgets every parameter's gradient (PyTorch's `zero_grad()`, which sets them to None).
    public func clearGradients() {
        for parameter in allParameters { parameter.clearGradient() }
    }

    /// Writes ``stateArchive()`` to `url`.
    public func saveState(to url: URL) throws(StateFileError) { try stateArchive().write(to: url) }

    /// Reads an archive from `url` and loads it (see ``loadState(_:)``).
    public func loadState(from url: URL) throws(StateFileError) { try loadState(TensorArchive.read(from: url)) }
}

/// Per-parameter optimizer state: the number of updates applied and named buffers (nil until
/// created, like SGD's momentum buffer before the first step).
struct ParameterSlots {
    var step: Int = 0
    var buffers: [Tensor?]
}

/// Shared bookkeeping of every optimizer: validation of groups and the state archive.
enum OptimizerSupport {
    static let stateVersion = "1"

    /// What every optimizer's `receive(learningRates:momenta:)` does: set each group's rate and, when
    /// given, the hyperparameter a scheduler's momentum drives (SGD/RMSprop momentum, Adam's β₁).
    /// `precondition`s one entry per group (the training loop builds the scheduler from the groups).
    static func receive<H>(
        _ groups: inout [ParameterGroup<H>], learningRates: [Double], momenta: [Double]?, optimizer: String,
        learningRate: WritableKeyPath<H, Double>, momentum: WritableKeyPath<H, Double>
    ) {
        precondition(learningRates.count == groups.count,
                     "\(optimizer): \(learningRates.count) learning rates for \(groups.count) groups")
        if let momenta {
            precondition(momenta.count == groups.count, "\(optimizer): \(momenta.count) momenta for \(groups.count) groups")
        }
        for index in groups.indices {
            groups[index].hyperparameters[keyPath: learningRate] = learningRates[index]
            if let momenta { groups[index].hyperparameters[keyPath: momentum] = momenta[index] }
        }
    }

    /// Checks that parameters are contiguous leaves that require gradients and appear once.
    static func validate<H>(_ groups: [ParameterGroup<H>]) throws(NNError) {
        try NNError.require(!groups.isEmpty, "groups", 0, "an optimizer needs at least one parameter group")
        var seen = Set<UInt>()
        for (g, group) in groups.enumerated() {
            for (p, parameter) in group.parameters.enumerated() {
                guard parameter.requiresGrad, parameter.isLeaf, parameter.isContiguous, parameter.count > 0 else {
                    throw .invalidArgument(name: "groups[\(g)].parameters[\(p)]", value: "\(parameter.shape)",
                                           reason: "must be a non-empty contiguous leaf that requires a gradient")
                }
                // The storage address identifies a parameter: one listed twice would be updated twice.
                let address = parameter.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) }
                guard seen.insert(address).inserted else {
                    throw .invalidArgument(name: "groups[\(g)].parameters[\(p)]", value: "\(parameter.shape)",
                                           reason: "appears more than once across groups")
                }
            }
        }
    }

    static func archive<H: Codable>(
        kind: String, groups: [ParameterGroup<H>], slotNames: [String], slots: [[ParameterSlots]]
    ) -> TensorArchive {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let hyperparameters = (try? encoder.encode(groups.map(\.hyperparameters))).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let steps = slots.map { $0.map(\.step) }
        let stepsText = (try? encoder.encode(steps)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let shapes = groups.map { $0.parameters.map(\.shape) }
        let shapesText = (try? encoder.encode(shapes)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        var entries: [TensorArchive.Entry] = []
        for (g, groupSlots) in slots.enumerated() {
            for (p, slot) in groupSlots.enumerated() {
                for (name, buffer) in zip(slotNames, slot.buffers) {
                    if let buffer { entries.append(.init(name: "group\(g).param\(p).\(name)", shape: buffer.shape, values: buffer.scalars)) }
                }
            }
        }
        return TensorArchive(kind: kind, metadata: ["stateVersion": stateVersion, "hyperparameters": hyperparameters,
                                                    "steps": stepsText, "parameterShapes": shapesText],
                             entries: entries)
    }

    /// Validates `archive` against the optimizer's groups and returns the decoded hyperparameters and
    /// slots, without touching the optimizer.
    static func restore<H: Codable>(
        _ archive: TensorArchive, kind: String, groups: [ParameterGroup<H>], slotNames: [String]
    ) throws(StateFileError) -> (hyperparameters: [H], slots: [[ParameterSlots]]) {
        guard archive.kind == kind else { throw .wrongKind(expected: kind, found: archive.kind) }
        let version = archive.metadata["stateVersion"] ?? "missing"
        guard version == stateVersion else { throw .incompatible(field: "stateVersion", expected: stateVersion, found: version) }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws(StateFileError) -> T {
            guard let text = archive.metadata[key], let data = text.data(using: .utf8) else {
                throw .incompatible(field: key, expected: "a JSON value", found: "missing")
            }
            do { return try decoder.decode(T.self, from: data) } catch {
                throw .incompatible(field: key, expected: "\(T.self)", found: text)
            }
        }
        let hyperparameters = try decode([H].self, "hyperparameters")
        let steps = try decode([[Int]].self, "steps")
        let shapes = try decode([[[Int]]].self, "parameterShapes")
        let expectedShapes = groups.map { $0.parameters.map(\.shape) }
        guard hyperparameters.count == groups.count, steps.count == groups.count, shapes.count == groups.count else {
            throw .incompatible(field: "groups", expected: "\(groups.count)", found: "\(hyperparameters.count)")
        }
        for g in groups.indices {
            guard steps[g].count == groups[g].parameters.count, shapes[g] == expectedShapes[g] else {
                throw .incompatible(field: "group \(g) parameters", expected: "\(expectedShapes[g])", found: "\(shapes[g])")
            }
            if let bad = steps[g].first(where: { $0 < 0 }) {
                throw .incompatible(field: "group \(g) steps", expected: "≥ 0", found: "\(bad)")
            }
        }
        var byName: [String: TensorArchive.Entry] = [:]
        for entry in archive.entries { byName[entry.name] = entry }
        var used = Set<String>()
        var slots: [[ParameterSlots]] = []
        for (g, group) in groups.enumerated() {
            var groupSlots: [ParameterSlots] = []
            for (p, parameter) in group.parameters.enumerated() {
                var buffers: [Tensor?] = []
                for name in slotNames {
                    let key = "group\(g).param\(p).\(name)"
                    guard let entry = byName[key] else { buffers.append(nil); continue }
                    guard entry.shape == parameter.shape else {
                        throw .shapeMismatch(name: key, expected: parameter.shape, found: entry.shape)
                    }
                    used.insert(key)
                    buffers.append(Tensor.make(shape: entry.shape) { buffer in
                        for index in buffer.indices { buffer[index] = entry.values[index] }
                    })
                }
                groupSlots.append(ParameterSlots(step: steps[g][p], buffers: buffers))
            }
            slots.append(groupSlots)
        }
        for entry in archive.entries where !used.contains(entry.name) { throw .unexpectedTensor(name: entry.name) }
        return (hyperparameters, slots)
    }
}
