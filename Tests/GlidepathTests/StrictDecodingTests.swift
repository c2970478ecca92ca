import Foundation
import Glidepath
import Testing

/// `StrictDecoding` on a configuration type that is not a scheduler's (what optimizer or study
/// configurations reuse): defaults from the value given, unknown and ill-typed fields named.
@Suite("Strict decoding of any configuration type")
struct StrictDecodingTests {
    enum Kind: String, Codable, CaseIterable { case plain, nested }

    struct Settings: Codable, Equatable {
        var rate = 0.1
        var steps: Int?
        var kind = Kind.plain
        var widths = [4, 8]
    }

    static func decode(_ json: String) throws -> Settings {
        guard case .object(let fields) = try StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8)) else {
            throw CancellationError()
        }
        return try StrictDecoding.decode(Settings.self, from: fields, defaults: Settings(), kind: "settings")
    }

    /// The field path, value and reason the error of `json` reports under `optimizer`.
    static func failure(_ json: String) -> (name: String, value: String, reason: String)? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as DecodingError {
            return StrictDecoding.field(
                of: error, under: "optimizer",
                in: (try? StateCoding.decoder().decode(StateValue.self, from: Data(json.utf8))) ?? .null)
        } catch {
            return ("?", "?", "\(error)")
        }
    }

    @Test("fields left out keep the defaults; given ones replace them")
    func defaults() throws {
        #expect(try Self.decode("{}") == Settings())
        #expect(
            try Self.decode(#"{"steps": 3, "kind": "nested", "rate": "Infinity"}"#)
                == Settings(rate: .infinity, steps: 3, kind: .nested, widths: [4, 8]))
        #expect(
            try StrictDecoding.fieldNames(of: Settings.self, defaults: Settings()) == [
                "kind", "rate", "steps", "widths",
            ])
    }

    @Test("unknown and ill-typed fields are named with their value")
    func errors() {
        let unknown = Self.failure(#"{"rates": 0.2}"#)
        #expect(unknown?.name == "optimizer.rates" && unknown?.value == "0.2")
        #expect(
            unknown?.reason
                == "unknown field for settings (unknown key 'rates'); known fields: kind, rate, steps, widths")
        let integer = Self.failure(#"{"steps": 2.5}"#)
        #expect(
            integer?.name == "optimizer.steps" && integer?.value == "2.5" && integer?.reason == "expected an integer")
        let element = Self.failure(#"{"widths": [4, "x"]}"#)
        #expect(element?.name == "optimizer.widths[1]" && element?.value == "\"x\"")
        let choice = Self.failure(#"{"kind": "deep"}"#)
        #expect(choice?.reason == #"expected one of "plain", "nested""#)
    }
}
