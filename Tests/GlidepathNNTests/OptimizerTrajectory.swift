import Foundation
import GlidepathNN
import GlidepathTensor
import Testing

/// One fixture of `scripts/fixtures/lr_free_optimizers.py`: a reference optimizer's run on the fixture
/// MLP (`Fixtures/lr-free/<case>.gdpt`, a tensor archive).
///
/// Per step it holds the gradient the model produced (replayed into Glidepath's optimizer), the
/// parameters after the reference's update and its scalar state; Schedule-Free cases also hold the
/// evaluation weights x after some steps.
struct OptimizerTrajectory {
    static let names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    /// The fixture's parameter groups: the weights, then the biases.
    static let groupNames = [["fc1.weight", "fc2.weight"], ["fc1.bias", "fc2.bias"]]

    let steps: Int
    let entries: [String: TensorArchive.Entry]
    /// One JSON object per step (the reference's scalars after that step).
    let statistics: [[String: Any]]
    /// (step, parameter) pairs whose gradient was None.
    let missing: Set<String>
    let evaluations: [Int]

    init(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/lr-free/\(name).gdpt")
        let archive = try TensorArchive.read(from: url)
        #expect(archive.kind == "fixture.optimizer")
        var entries: [String: TensorArchive.Entry] = [:]
        for entry in archive.entries { entries[entry.name] = entry }
        self.entries = entries
        func json(_ key: String) throws -> Any {
            let text = try #require(archive.metadata[key], "fixture \(name) has no \(key)")
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        }
        statistics = try #require(try json("statistics") as? [[String: Any]])
        let pairs = try #require(try json("missing") as? [[Any]])
        missing = Set(pairs.map { "\($0[0]):\($0[1])" })
        evaluations = try #require(try json("evaluations") as? [Int])
        steps = statistics.count
    }

    /// Fresh leaf parameters at the fixture's initial values, in ``names`` order.
    func initialParameters() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in Self.names {
            let entry = try #require(entries["initial.\(name)"])
            result[name] = try Tensor(shape: entry.shape, scalars: entry.values).requiringGradient()
        }
        return result
    }

    /// Row `step` (0-based) of the stacked tensor `prefix.name`.
    func row(_ prefix: String, _ name: String, _ step: Int) throws -> [Float] {
        let entry = try #require(entries["\(prefix).\(name)"], "fixture has no \(prefix).\(name)")
        let size = entry.shape.dropFirst().reduce(1, *)
        return Array(entry.values[step * size..<(step + 1) * size])
    }

    /// Sets every parameter's gradient to the one the reference saw before update `step` (0-based), or
    /// none where the reference had none.
    func loadGradients(_ parameters: [String: Tensor], step: Int) throws {
        for name in Self.names {
            let parameter = try #require(parameters[name])
            if missing.contains("\(step + 1):\(name)") {
                parameter.clearGradient()
                continue
            }
            let values = try row("gradients", name, step)
            parameter.withUnsafeMutableDataAndGradient { _, gradient in
                for i in gradient.indices { gradient[i] = values[i] }
            }
        }
    }

    /// The scalar `key` after update `step` (0-based), optionally inside `groups[group]`.
    func scalar(_ key: String, step: Int, group: Int? = nil) throws -> Double {
        var object = statistics[step]
        if let group {
            let groups = try #require(object["groups"] as? [[String: Any]])
            object = groups[group]
        }
        let value = try #require(object[key], "no \(key) after step \(step + 1)")
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        let first = try #require((value as? [Double])?.first, "\(key) is \(value)")
        return first
    }

    /// The array `key` of `groups[group]` after update `step`.
    func array(_ key: String, step: Int, group: Int) throws -> [Double] {
        let groups = try #require(statistics[step]["groups"] as? [[String: Any]])
        return try #require(groups[group][key] as? [Double])
    }
}

/// The largest element-wise deviation of Glidepath's values from the reference's, relative to a
/// per-element scale.
struct Deviation {
    var worst = 0.0
    var where_ = ""

    mutating func record(_ actual: [Float], _ expected: [Float], scale: [Double], _ label: @autoclosure () -> String) {
        for i in expected.indices {
            let deviation = abs(Double(actual[i]) - Double(expected[i])) / Swift.max(scale[i], 1e-30)
            if deviation > worst || deviation.isNaN {
                worst = deviation.isNaN ? .infinity : deviation
                where_ = label()
            }
        }
    }
}

/// The scale `|θ_t| + Σ_{i≤t} |θ_i − θ_{i−1}|` of each element of a reference trajectory (its value
/// plus the path it has travelled): a relative error δ in the size of each step moves θ by δ·|Δθ|, so
/// after t steps a correct implementation deviates by at most about max δ times this scale.
struct PathScale {
    var previous: [String: [Float]] = [:]
    var paths: [String: [Double]] = [:]

    /// Advances tensor `name` to the reference's values `expected` and returns each element's scale.
    mutating func advance(_ name: String, to expected: [Float]) -> [Double] {
        let last = previous[name] ?? expected
        var path = paths[name] ?? [Double](repeating: 0, count: expected.count)
        for i in expected.indices { path[i] += abs(Double(expected[i]) - Double(last[i])) }
        previous[name] = expected
        paths[name] = path
        return scale(name, expected)
    }

    /// `|value| + path` of tensor `name` without advancing it.
    func scale(_ name: String, _ values: [Float]) -> [Double] {
        let path = paths[name] ?? [Double](repeating: 0, count: values.count)
        return values.indices.map { abs(Double(values[$0])) + path[$0] }
    }
}
