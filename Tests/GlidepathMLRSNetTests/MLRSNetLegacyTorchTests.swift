import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathMLRSNet

/// The problem `LegacyTorchFile` reports for `bytes`, or nil if it accepts them.
private func problem(_ bytes: [UInt8]) -> LegacyTorchFormatError? {
    do {
        _ = try LegacyTorchFile.readStateDictionary(bytes)
        return nil
    } catch {
        return error
    }
}

private let sample = [
    StoredTensor(name: "a.weight", shape: [2, 3], values: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -0.0]),
    StoredTensor(name: "a.bias", shape: [2], values: [0.25, 1e-8]),
]

@Suite("Legacy torch.save reader")
struct MLRSNetLegacyTorchTests {
    typealias P = PickleBytes

    @Test("a generated stream reads back bit for bit, in state-dict order")
    func roundTrip() throws {
        let tensors = try LegacyTorchFile.readStateDictionary(LegacyStream.make(sample).bytes)
        #expect(tensors.map(\.name) == sample.map(\.name))
        #expect(tensors.map(\.shape) == sample.map(\.shape))
        #expect(tensors.map { $0.values.map(\.bitPattern) } == sample.map { $0.values.map(\.bitPattern) })
    }

    @Test("headers: zip archive, magic number, pickle protocol, format version, endianness")
    func headers() {
        var stream = LegacyStream.make(sample)
        #expect(problem([0x50, 0x4B, 0x03, 0x04] + stream.bytes)?.problem == .zipArchive)
        for index in stream.magic.indices.dropLast() {  // every byte but STOP, flipped
            var bad = stream.bytes
            bad[index] ^= 0xFF
            #expect(problem(bad) == LegacyTorchFormatError(offset: 0, problem: .badMagicNumber), "byte \(index)")
        }
        stream.stateDictionary[1] = 3  // PROTO 3
        #expect(
            problem(stream.bytes)
                == LegacyTorchFormatError(
                    offset: stream.stateDictionaryOffset, problem: .unsupportedPickleProtocol(3)))
        stream = LegacyStream.make(sample)
        stream.version = LegacyStream.versionPickle(1000)
        #expect(problem(stream.bytes) == LegacyTorchFormatError(offset: 15, problem: .unsupportedFormatVersion(1000)))
        stream = LegacyStream.make(sample)
        stream.systemInfo = LegacyStream.systemInfoPickle(littleEndian: false)
        #expect(
            problem(stream.bytes)
                == LegacyTorchFormatError(
                    offset: 21, problem: .unsupportedSystemInfo("not little-endian")))
    }

    @Test("hostile globals are refused at the GLOBAL opcode, before any REDUCE")
    func hostileGlobals() {
        let stream = LegacyStream.make(sample)
        for (module, name) in [
            ("os", "system"), ("posix", "system"), ("builtins", "eval"), ("__builtin__", "getattr"),
            ("subprocess", "Popen"), ("torch", "HalfStorage"), ("torch._utils", "_rebuild_parameter"),
            ("collections", "defaultdict"),
        ] {
            // REDUCE of the global with a command argument, as an exploit would write it.
            let payload =
                P.proto2 + P.global(module, name) + P.mark + P.string("echo pwned") + P.tuple + P.reduce + P.stop
            var hostile = stream
            hostile.stateDictionary = payload
            #expect(
                problem(hostile.bytes)
                    == LegacyTorchFormatError(
                        offset: stream.stateDictionaryOffset + 2, problem: .disallowedGlobal(module: module, name: name)
                    ),
                "\(module).\(name)")
        }
        // A storage type outside the whitelist inside an otherwise valid persistent id.
        var half = stream
        half.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "a", key: "0", shape: [1], storageGlobal: ("torch", "HalfStorage"))
        ])
        #expect(problem(half.bytes)?.problem == .disallowedGlobal(module: "torch", name: "HalfStorage"))
    }

    @Test("whitelisted globals used in any other way are refused")
    func misusedGlobals() {
        let offset = LegacyStream.make(sample).stateDictionaryOffset
        let cases: [([UInt8], String)] = [
            (P.global("torch", "FloatStorage") + P.emptyTuple + P.reduce, "REDUCE of FloatStorage"),
            (P.global("collections", "OrderedDict") + P.mark + P.integer(1) + P.tuple + P.reduce, "OrderedDict(1)"),
            (P.global("torch._utils", "_rebuild_tensor_v2") + P.emptyTuple + P.reduce, "rebuild with no arguments"),
            (
                P.global("collections", "OrderedDict") + P.emptyTuple + P.reduce + P.emptyDictionary
                    + P.string("__class__") + P.none + P.setItem + P.build, "BUILD of __class__"
            ),
            (P.emptyDictionary + P.emptyDictionary + P.build, "BUILD of a plain dict"),
        ]
        for (body, label) in cases {
            var stream = LegacyStream.make(sample)
            stream.stateDictionary = P.proto2 + body + P.stop
            guard case .disallowedCall = problem(stream.bytes)?.problem else {
                Issue.record("\(label): \(String(describing: problem(stream.bytes)))")
                continue
            }
            #expect((problem(stream.bytes)?.offset ?? 0) > offset, "\(label)")
        }
    }

    @Test("opcodes outside the whitelist are refused with their offset")
    func unsupportedOpcodes() {
        // INST, OBJ, NEWOBJ, EXT1, STACK_GLOBAL, FRAME, BINBYTES, SHORT_BINUNICODE, BINFLOAT, PERSID
        for opcode: UInt8 in [0x69, 0x6F, 0x81, 0x82, 0x93, 0x95, 0x42, 0x8C, 0x47, 0x50] {
            var stream = LegacyStream.make(sample)
            stream.stateDictionary = P.proto2 + [opcode] + P.stop
            #expect(
                problem(stream.bytes)
                    == LegacyTorchFormatError(
                        offset: stream.stateDictionaryOffset + 2, problem: .unsupportedOpcode(opcode)))
        }
    }

    @Test("malformed pickles: underflow, unknown memo, bad UTF-8, wrong container, extra values at STOP")
    func malformedPickles() {
        let cases: [([UInt8], LegacyTorchFormatError.Problem)] = [
            ([0x86], .stackUnderflow(opcode: 0x86)),  // TUPLE2 on an empty stack
            (P.tuple, .stackUnderflow(opcode: 0x74)),  // TUPLE without MARK
            (P.mark + P.reduce, .stackUnderflow(opcode: 0x52)),  // REDUCE across a MARK
            ([0x68, 7], .unknownMemoKey(7)),  // BINGET 7
            ([0x6A, 0xFF, 0xFF, 0xFF, 0xFF], .unknownMemoKey(0xFFFF_FFFF)),  // LONG_BINGET
            ([0x58, 2, 0, 0, 0, 0xC3, 0x28], .invalidUTF8),
            (
                P.emptyList + P.integer(1) + P.integer(2) + P.setItem,
                .unexpectedValue(expected: "a dict to set items on", found: "list of 0")
            ),
            (P.none + P.none, .unexpectedValue(expected: "exactly one value at STOP", found: "2 values, 0 open marks")),
        ]
        for (body, expected) in cases {
            var stream = LegacyStream.make(sample)
            stream.stateDictionary = P.proto2 + body + P.stop
            #expect(problem(stream.bytes)?.problem == expected, "\(body)")
        }
    }

    @Test("huge lengths and counts are refused without allocating")
    func hugeCounts() {
        var stream = LegacyStream.make(sample)
        // BINUNICODE of 4 GiB.
        stream.stateDictionary = P.proto2 + [0x58, 0xFF, 0xFF, 0xFF, 0xFF] + P.stop
        guard case .truncated(needed: 0xFFFF_FFFF, _) = problem(stream.bytes)?.problem else {
            Issue.record("BINUNICODE: \(String(describing: problem(stream.bytes)))")
            return
        }
        // A 2^40-element storage, declared consistently, whose record cannot fit in the file.
        let count = 1 << 40
        stream = LegacyStream.make(sample)
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "big", key: "0", shape: [count])
        ])
        stream.keys = LegacyStream.keysPickle(["0"])
        stream.records = LegacyStream.record([1, 2], count: count)
        #expect(
            problem(stream.bytes)
                == LegacyTorchFormatError(
                    offset: stream.recordsOffset + 8, problem: .truncated(needed: count * 4, available: 8)))
        // A shape whose element count overflows Int.
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "big", key: "0", shape: [1 << 40, 1 << 40], numel: 1)
        ])
        guard case .limitExceeded = problem(stream.bytes)?.problem else {
            Issue.record("overflowing shape: \(String(describing: problem(stream.bytes)))")
            return
        }
        // Issue 17: the message said "9223372036854775807 exceeds the limit 9223372036854775807".
        #expect(
            "\(problem(stream.bytes).map(String.init(describing:)) ?? "")".contains(
                "overflows 64-bit integers (the limit is 1)"))
        // Rank 9.
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "deep", key: "0", shape: Array(repeating: 1, count: 9))
        ])
        #expect(problem(stream.bytes)?.problem == .limitExceeded(what: "tensor rank", value: 9, limit: 8))
        // A stack deeper than the limit (one byte per push, so the input stays small).
        stream.stateDictionary = P.proto2 + Array(repeating: 0x4E, count: (1 << 20) + 1) + P.stop
        #expect(
            problem(stream.bytes)?.problem == .limitExceeded(what: "stack depth", value: (1 << 20) + 1, limit: 1 << 20))
    }

    @Test("storage records that do not match the state dict")
    func storageMismatch() {
        let valid = LegacyStream.make(sample)
        var stream = valid
        stream.keys = LegacyStream.keysPickle(["0"])  // one key missing
        stream.records = LegacyStream.record(sample[0].values)
        guard case .storageMismatch = problem(stream.bytes)?.problem else {
            Issue.record("missing key: \(String(describing: problem(stream.bytes))))")
            return
        }
        stream = valid
        stream.keys = LegacyStream.keysPickle(["0", "1", "2"])  // an unreferenced key
        #expect({ if case .storageMismatch = problem(stream.bytes)?.problem { true } else { false } }())
        stream.keys = LegacyStream.keysPickle(["0", "0"])  // a key listed twice
        #expect({ if case .storageMismatch = problem(stream.bytes)?.problem { true } else { false } }())
        stream = valid
        stream.records = LegacyStream.record(sample[0].values, count: 5) + LegacyStream.record(sample[1].values)
        #expect(
            problem(stream.bytes)
                == LegacyTorchFormatError(
                    offset: valid.recordsOffset,
                    problem: .storageMismatch(
                        "record of storage '0' holds 5 elements, the state dict declares 6")))
        stream = valid
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "a.weight", key: "0", shape: [2, 3], numel: 4)
        ])
        #expect({ if case .storageMismatch = problem(stream.bytes)?.problem { true } else { false } }())
        stream = valid
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "a.weight", key: "0", shape: [2, 3], strides: [1, 2])
        ])
        #expect({ if case .disallowedCall = problem(stream.bytes)?.problem { true } else { false } }())
        stream = valid
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "x", key: "0", shape: [6]),
            LegacyStream.tensorEntry(name: "x", key: "1", shape: [2]),
        ])
        #expect(problem(stream.bytes)?.problem == .duplicateName("x"))
        stream = valid
        stream.stateDictionary = LegacyStream.stateDictionaryPickle(entries: [
            LegacyStream.tensorEntry(name: "a", key: "0", shape: [6], location: "tpu")
        ])
        #expect({ if case .unexpectedValue = problem(stream.bytes)?.problem { true } else { false } }())
        #expect(
            problem(valid.bytes + [0]) == LegacyTorchFormatError(offset: valid.bytes.count, problem: .trailingBytes(1)))
    }

    @Test(
        "nesting deeper than 1,000 is refused while reading, before the value is built (issue 17: 100,000-deep tuples overflowed the stack)"
    )
    func deepNesting() {
        let limit = RestrictedUnpickler.maximumNestingDepth
        #expect(limit == 1000)
        let start = 2  // after PROTO 2
        // EMPTY_TUPLE (depth 1) then TUPLE1 × 100,000: the TUPLE1 that would make depth 1001 is the
        // 1000th, at offset start + 1 + 999.
        let tuples = P.proto2 + P.emptyTuple + [UInt8](repeating: 0x85, count: 100_000) + P.stop
        var stream = LegacyStream.make(sample)
        stream.stateDictionary = tuples
        #expect(
            problem(stream.bytes)
                == LegacyTorchFormatError(
                    offset: stream.stateDictionaryOffset + start + 1 + (limit - 1),
                    problem: .limitExceeded(what: "nesting depth", value: limit + 1, limit: limit)))
        // Exactly the limit is read (and then refused as not a state dict, a tuple of 1).
        stream.stateDictionary = P.proto2 + P.emptyTuple + [UInt8](repeating: 0x85, count: limit - 1) + P.stop
        #expect(
            problem(stream.bytes)?.problem
                == .unexpectedValue(expected: "a state dict (OrderedDict)", found: "tuple of 1"))
        // MARK … TUPLE, TUPLE2 and TUPLE3 count the same way.
        for closer: [UInt8] in [P.mark, [0x86], [0x87]] {
            var body = P.emptyTuple
            for _ in 0..<2 * limit {
                switch closer {
                case P.mark: body = P.mark + body + P.tuple
                case [0x86]: body += P.none + [0x86]
                default: body += P.none + P.none + [0x87]
                }
            }
            stream.stateDictionary = P.proto2 + body + P.stop
            #expect(
                problem(stream.bytes)?.problem == .limitExceeded(what: "nesting depth", value: limit + 1, limit: limit),
                "\(closer)")
        }
        // Lists nested through APPEND, dicts through SETITEM, and a list appended to itself via the memo.
        let lists =
            P.proto2 + [UInt8](repeating: 0x5D, count: 100_000) + [UInt8](repeating: 0x61, count: 99_999) + P.stop
        let dictionaries =
            P.proto2 + P.emptyDictionary
            + Array([P.integer(1), P.emptyDictionary].joined()).repeated(2 * limit)
            + [UInt8](repeating: 0x73, count: 2 * limit) + P.stop
        let selfAppends = P.proto2 + P.emptyList + [0x71, 0] + [0x68, 0, 0x61].repeated(2 * limit) + P.stop
        for body in [lists, dictionaries, selfAppends] {
            stream.stateDictionary = body
            #expect(
                problem(stream.bytes)?.problem == .limitExceeded(what: "nesting depth", value: limit + 1, limit: limit))
        }
        // A real state dict is 4 deep and reads as before.
        #expect(problem(LegacyStream.make(sample).bytes) == nil)
    }

    @Test("a container that contains itself (via the memo) is released: no reference-cycle leak")
    func selfReferenceReleased() throws {
        // EMPTY_LIST, BINPUT 0, BINGET 0, APPEND: the list appends itself. (Found by scripts/fuzz-pth.sh
        // as a LeakSanitizer report before containers were emptied after conversion.)
        var reader = RestrictedUnpickler(bytes: P.proto2 + P.emptyList + [0x71, 0, 0x68, 0, 0x61] + P.stop)
        weak var list: PickleList?
        try reader.read { value in
            if case .list(let built) = value { list = built }
        }
        #expect(list == nil)
        // The same inside a file: refused with a typed error (the list is not a state dict).
        var stream = LegacyStream.make(sample)
        stream.stateDictionary = P.proto2 + P.emptyList + [0x71, 0, 0x68, 0, 0x61] + P.stop
        #expect(
            problem(stream.bytes)?.problem
                == .unexpectedValue(expected: "a state dict (OrderedDict)", found: "list of 1"))
    }

    @Test("every truncation of a generated stream is reported as truncated")
    func everyTruncation() {
        let bytes = LegacyStream.make(sample).bytes
        for length in 0..<bytes.count {
            guard case .truncated = problem(Array(bytes[..<length]))?.problem else {
                Issue.record("length \(length): \(String(describing: problem(Array(bytes[..<length]))))")
                return
            }
        }
    }
}

@Suite("Legacy torch.save reader on the published MLR-SNet files")
struct MLRSNetPublishedFileTests {
    @Test(
        "the .pth reader agrees with the JSON files bit for bit, in state-dict order",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func pthMatchesJSON() throws {
        for name in OfficialNets.names {
            let bytes = try [UInt8](Data(contentsOf: OfficialNets.url(name, format: "pth")))
            let tensors = try LegacyTorchFile.readStateDictionary(bytes)
            #expect(tensors.map(\.name) == MLRSNetWeights.Parameter.allCases.map(\.name))
            let fromJSON = try OfficialNets.load(name, format: "json")
            let fromPTH = try OfficialNets.load(name, format: "pth")
            #expect(fromPTH == fromJSON)
            for parameter in MLRSNetWeights.Parameter.allCases {
                #expect(
                    fromPTH[parameter].map(\.bitPattern) == fromJSON[parameter].map(\.bitPattern),
                    "\(name) \(parameter)")
            }
            // docs/mlrsnet.md, "The network's parameters".
            #expect(fromPTH.tensors.map(\.values.count).reduce(0, +) == 11_776)
        }
    }

    /// Pickle boundaries of the published files (docs/mlrsnet.md, "The legacy .pth layout": 15, 21, 137, 1608, 1816)
    /// and both boundaries of each storage record (count, data), walked from the file itself.
    private static func boundaries(_ bytes: [UInt8]) -> [Int] {
        var result = [15, 21, 137, 1608, 1816]
        var position = 1816
        while position + 8 <= bytes.count {
            let count = (0..<8).reduce(0) { $0 | Int(bytes[position + $1]) << (8 * $1) }
            result += [position + 8, position + 8 + 4 * count]
            position += 8 + 4 * count
        }
        return result.filter { $0 < bytes.count }
    }

    @Test(
        "truncated at every record boundary and at 500 seeded random offsets: truncated, no crash",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func truncations() throws {
        let bytes = try [UInt8](Data(contentsOf: OfficialNets.url("1", format: "pth")))
        #expect(bytes.count == 49_000)
        let cuts = Self.boundaries(bytes)
        #expect(cuts.count == 5 + 2 * 10 - 1)  // the last record ends at the end of the file
        var generator = SplitMix64(seed: 2024)
        let random = (0..<500).map { _ in Int.random(in: 0..<bytes.count, using: &generator) }
        for length in cuts + random + [0, 1, 14, 48_999] {
            guard case .truncated = problem(Array(bytes[..<length]))?.problem else {
                Issue.record("cut at \(length): \(String(describing: problem(Array(bytes[..<length]))))")
                continue
            }
        }
    }

    @Test(
        "2,000 seeded single-byte corruptions: each is refused with a typed error or, inside float data, read",
        .enabled(if: TestEnvironment.weightsTestsEnabled, "needs GLIDEPATH_WEIGHTS_DIR"))
    func corruptions() throws {
        let bytes = try [UInt8](Data(contentsOf: OfficialNets.url("100", format: "pth")))
        let cuts = Self.boundaries(bytes)
        // Float payload: from each record's data start to its end.
        let payload = stride(from: 5, to: cuts.count, by: 2).map {
            cuts[$0]..<(cuts.indices.contains($0 + 1) ? cuts[$0 + 1] : bytes.count)
        }
        var generator = SplitMix64(seed: 99)
        var refused = 0
        for _ in 0..<2000 {
            var corrupted = bytes
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            corrupted[index] ^= UInt8.random(in: 1...255, using: &generator)
            if let error = problem(corrupted) {
                refused += 1
                #expect(!payload.contains { $0.contains(index) }, "float byte \(index) refused: \(error)")
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        #expect(refused > 0)
    }
}

extension Array where Element == UInt8 {
    fileprivate func repeated(_ count: Int) -> [UInt8] { Array([[UInt8]](repeating: self, count: count).joined()) }
}
