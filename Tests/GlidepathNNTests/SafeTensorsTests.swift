import Foundation
import GlidepathNN
import GlidepathTensor
import GlidepathTestSupport
import Testing

/// The safetensors reader and writer against Hugging Face's Python package (fixtures from
/// `scripts/fixtures/safetensors_roundtrip.py`, safetensors 0.8): Python → Glidepath by reading the
/// Python-written file, Glidepath → Python by the script reading `safetensors_glidepath.safetensors`,
/// which this suite checks the writer still produces byte for byte.
@Suite("safetensors")
struct SafeTensorsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The closed forms of the script.
    static var expected: SafeTensorsFile {
        func int64(_ name: String, _ values: [Int64], _ shape: [Int]) -> SafeTensorsFile.Entry {
            var data = Data()
            for v in values { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
            return .init(name: name, dataType: .int64, shape: shape, bytes: data)
        }
        var i32 = Data()
        for v: Int32 in [1, -1, 7, -7] { withUnsafeBytes(of: v.littleEndian) { i32.append(contentsOf: $0) } }
        return SafeTensorsFile(
            metadata: ["source": "glidepath"],
            entries: [
                .init(name: "a.f32", shape: [2, 3], float32: (0..<6).map { Float(sin(0.37 * Double($0))) }),
                .init(name: "b.f64", shape: [3], float64: (0..<3).map { cos(0.11 * Double($0)) }),
                int64("c.i64", [-2, 0, 5, 1 << 40], [4]),
                .init(name: "d.i32", dataType: .int32, shape: [2, 2], bytes: i32),
                .init(name: "e.u8", dataType: .uint8, shape: [3], bytes: Data([0, 128, 255])),
                .init(name: "z.empty", shape: [0], float32: []),
            ])
    }

    @Test func readsThePythonWrittenFile() throws {
        let file = try SafeTensorsFile.read(
            from: Self.fixtures.appendingPathComponent("safetensors_python.safetensors"))
        #expect(file.metadata == ["source": "python"])
        for entry in Self.expected.entries {
            let read = try file.entry(entry.name)
            #expect(
                read.dataType == entry.dataType && read.shape == entry.shape && read.bytes == entry.bytes,
                "\(entry.name)")
        }
        #expect(try file.entry("c.i64").integers() == [-2, 0, 5, 1 << 40])
        #expect(try file.entry("b.f64").doubles() == (0..<3).map { cos(0.11 * Double($0)) })
        #expect(file.entries.count == Self.expected.entries.count)
    }

    @Test func writerReproducesTheFilePythonVerified() throws {
        let url = Self.fixtures.appendingPathComponent("safetensors_glidepath.safetensors")
        let encoded = try Self.expected.encoded()
        guard let committed = try? Data(contentsOf: url) else {
            try encoded.write(to: url)
            Issue.record("recorded \(url.path); run scripts/fixtures/safetensors_roundtrip.py to verify it with Python")
            return
        }
        #expect(encoded == committed)
        let decoded = try SafeTensorsFile.decode(encoded)
        #expect(decoded.metadata == Self.expected.metadata)
        #expect(Set(decoded.entries.map(\.name)) == Set(Self.expected.entries.map(\.name)))
        for entry in Self.expected.entries { #expect(try decoded.entry(entry.name) == entry) }
    }

    @Test func hostileFilesAreRefusedWithTypedErrors() throws {
        let good = try Self.expected.encoded()
        // Truncations at every length: never a trap, always a typed error.
        for length in stride(from: 0, to: good.count, by: 7) {
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFile.decode(good.prefix(length)) }
        }
        func file(header: String, buffer: Int) -> Data {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            return data + Data(header.utf8) + Data(count: buffer)
        }
        let cases: [(String, Int)] = [
            (#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, 4),  // size mismatch
            (#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, 8),  // gap at the end
            (#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, 8),  // gap at the start
            (#"{"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}"#, 8),  // unknown dtype
            (#"{"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, 4),  // negative size
            (#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99]}}"#, 4),  // past the end
            (#"{"__metadata__": {"a": 1}}"#, 0),  // non-string metadata
            ("[1, 2]", 0),
        ]
        for (header, buffer) in cases {
            #expect(throws: SafeTensorsError.self, "\(header)") {
                try SafeTensorsFile.decode(file(header: header, buffer: buffer))
            }
        }
        #expect(throws: SafeTensorsError.duplicateName("a")) {
            try SafeTensorsFile(entries: [
                .init(name: "a", shape: [1], float32: [1]), .init(name: "a", shape: [1], float32: [2]),
            ])
            .encoded()
        }
    }

    @Test func moduleRoundTripIsStrict() throws {
        var generator = SeededGenerator(seed: 2)
        let source = try Linear(inputFeatures: 3, outputFeatures: 2, using: &generator)
        let target = try Linear(inputFeatures: 3, outputFeatures: 2, using: &generator)
        let file = try SafeTensorsFile.decode(try source.safeTensors().encoded())
        #expect(file.entries.map(\.name) == ["weight", "bias"])
        try target.loadSafeTensors(file)
        #expect(target.weight.scalars == source.weight.scalars)
        let before = target.weight.scalars
        var wrong = file
        wrong.entries[0].shape = [3, 2]
        #expect(throws: SafeTensorsError.self) { try target.loadSafeTensors(wrong) }
        var missing = file
        missing.entries.removeLast()
        #expect(throws: SafeTensorsError.missingTensor(name: "bias")) { try target.loadSafeTensors(missing) }
        #expect(target.weight.scalars == before, "unchanged after a refused load")
    }
}
