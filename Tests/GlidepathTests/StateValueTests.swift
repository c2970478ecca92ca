import Foundation
import Testing

@testable import Glidepath

@Suite("StateValue")
struct StateValueTests {
    struct Sample: Codable, Equatable {
        var version: Int
        var rates: [Double]
        var best: Double
        var name: String
        var flag: Bool
    }

    @Test("round-trips doubles exactly, including non-finite values")
    func roundTrip() throws {
        // Values chosen to exercise shortest-round-trip printing: 0.1, nextDown(0.1), a subnormal,
        // the largest finite double, and a value with 17 significant digits.
        let sample = Sample(
            version: 1,
            rates: [0.1, 0.1.nextDown, 5e-324, .greatestFiniteMagnitude, 0.10666666666666667, 1.0, -0.0],
            best: .infinity, name: "x", flag: true)
        let value = try StateValue(encoding: sample)
        let back = try value.decode(Sample.self)
        #expect(back.rates.map(\.bitPattern) == sample.rates.map(\.bitPattern))
        #expect(back == sample)
    }

    @Test("a decoding failure names the missing field")
    func missingField() throws {
        let value = StateValue.object(["version": .int(1)])
        #expect(throws: SchedulerError.self) { try value.decode(Sample.self) }
        do {
            _ = try value.decode(Sample.self)
        } catch {
            #expect(
                error.description.contains("rates") || error.description.contains("best")
                    || error.description.contains("name") || error.description.contains("flag"))
        }
    }
}
