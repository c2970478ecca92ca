import Foundation

/// `Fixtures/pytorch_dlrs.json`, recorded from the real pytorch-dlrs 0.2.1 and 0.3.0.dev0 packages by
/// `scripts/fixtures/pytorch_dlrs.py` (torch 2.x, Python 3.11). Floats are `float.hex()` strings.
struct DLRSFixture: Decodable {
    struct Version: Decodable {
        var version: String
        var python: String
        var trajectories: [Trajectory]
        var recorder: [RecorderCase]?
        var stacking: Stacking?
    }

    struct Trajectory: Decodable {
        var name: String
        var kind: String
        var config: Config
        var rates: [String]
        var steps: [Step]
    }

    struct Config: Decodable {
        var delta_d: Double
        var delta_o: Double
        var delta_i: Double
        var min_lr: Double
        var max_lr: Double?
        var mode: String?
        var patience: Int?
    }

    enum Input: Decodable {
        case none
        case losses([String])
        case metric(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .none
            } else if let list = try? container.decode([String].self) {
                self = .losses(list)
            } else {
                self = .metric(try container.decode(String.self))
            }
        }
    }

    struct Step: Decodable {
        var input: Input
        var error: Bool
        var rates: [String]
        var slope: String
        var adjustment: String
        var lastEpoch: Int
    }

    struct RecorderCase: Decodable {
        var losses: [String]
        var mean: String?
        var std: String?
        var slope: String?
        var min: String?
        var max: String?
        var repr: String
    }

    struct Stacking: Decodable {
        var afterDLRS: String
        var afterStepLR: String
    }

    struct DecadeCase: Decodable {
        var rate: String
        var log10: Int
        var exact: Int
    }

    struct SumCase: Decodable {
        var values: [String]
        var fsum: String
    }

    var versions: [String: Version]
    var decades: [DecadeCase]
    var fsum: [SumCase]

    /// Loaded once for all tests.
    static let shared: DLRSFixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pytorch_dlrs.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(DLRSFixture.self, from: data)
    }()

    static func load() throws -> DLRSFixture {
        guard let fixture = shared else { throw FixtureMissing() }
        return fixture
    }

    struct FixtureMissing: Error, CustomStringConvertible {
        var description: String {
            "Fixtures/pytorch_dlrs.json is missing or unreadable (scripts/fixtures/pytorch_dlrs.sh)"
        }
    }
}

/// Parses a Python `float.hex()` string ("0x1.8p-3", "-0x0.0p+0", "inf", "nan") exactly.
func hexDouble(_ text: String) -> Double {
    switch text {
    case "inf": return .infinity
    case "-inf": return -.infinity
    case "nan": return .nan
    default: return Double(text) ?? .nan
    }
}

func hexDoubles(_ texts: [String]) -> [Double] { texts.map(hexDouble) }

/// Bit patterns, so that tests compare binary64 values exactly (and −0 ≠ +0).
func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }
