import Foundation
import Glidepath
import Testing

/// The PyTorch parity fixtures written by `scripts/fixtures/pytorch_schedulers.py`
/// (`Fixtures/pytorch_schedulers.json`; the torch version is recorded in the file).
struct SchedulerFixtureFile: Decodable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var testDescription: String { id }
        var id: String
        /// A Glidepath `"scheduler"` configuration object.
        var scheduler: StateValue
        var lrs: [Double]
        var steps: Int?
        var metrics: [Double]?
        /// PyTorch `get_last_lr()` after k = 0…N calls of `step()`.
        var expected: [[Double]]
        /// PyTorch `_get_closed_form_lr()` at the same k, where PyTorch defines it.
        var closedForm: [[Double]]?
        /// Each group's momentum after k steps, for cycling schedulers.
        var expectedMomentum: [[Double]]?

        var name: String {
            if case .object(let fields) = scheduler, case .string(let name)? = fields["name"] { return name }
            return "?"
        }

        /// The observation PyTorch received on step k (1-based).
        func observation(forStep k: Int) -> Observation {
            metrics.map { Observation(metric: $0[k - 1]) } ?? .empty
        }

        /// Builds the scheduler from the case's configuration.
        func makeScheduler() throws -> AnyScheduler {
            try SchedulerConfiguration(scheduler).makeScheduler(baseRates: lrs)
        }
    }

    var generator: String
    var torch: String
    var cases: [Case]

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch_schedulers.json")

    static func load() throws -> SchedulerFixtureFile {
        try JSONDecoder().decode(SchedulerFixtureFile.self, from: Data(contentsOf: url))
    }
}

/// Distance in units in the last place between two doubles (0 when equal, including +0/−0).
func ulpDistance(_ a: Double, _ b: Double) -> UInt64 {
    if a == b { return 0 }
    if a.isNaN || b.isNaN { return .max }
    // Map the IEEE bit patterns onto a monotone integer line.
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? Int64.min &- bits : bits
    }
    let (x, y) = (ordered(a), ordered(b))
    return x > y ? UInt64(bitPattern: x &- y) : UInt64(bitPattern: y &- x)
}
