import GlidepathData
import Testing

/// Inputs libFuzzer found crashing a reader (scripts/fuzz-data.sh), kept as regression tests. Each
/// must now produce a typed error.
@Suite("Fuzzer regressions")
struct FuzzRegressionTests {
    /// idx, found in the first 120-second run: rank-4 sizes 1 × 0xF9000000 × 0xC3084000 × 0x02000000
    /// whose product wrapped around to Int.min, after which `available − elementCount` trapped.
    @Test func idxSizeProductOverflow() throws {
        let header: [UInt8] = [
            0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x00, 0x01, 0xF9, 0x00, 0x00, 0x00,
            0xC3, 0x08, 0x40, 0x00, 0x02, 0x00, 0x00, 0x00,
        ]
        let bytes = header + [UInt8](repeating: 0x6A, count: 23)
        do {
            _ = try IDX.parse(bytes, file: "fuzz")
            Issue.record("an IDX header with overflowing sizes was accepted")
        } catch {
            guard case .badDimensions = error.problem else { Issue.record("\(error)"); return }
            #expect(error.file == "fuzz")
        }
    }
}
