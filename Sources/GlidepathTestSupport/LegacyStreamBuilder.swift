import Foundation
import GlidepathMLRSNet

/// Pickle opcodes, written by hand in the tests so that valid, corrupted and hostile legacy
/// `torch.save` streams can be generated without Python. Byte values from CPython's
/// `Lib/pickletools.py`.
public enum PickleBytes {
    public static let proto2: [UInt8] = [0x80, 0x02]
    public static let stop: [UInt8] = [0x2E]
    public static let mark: [UInt8] = [0x28]
    public static let tuple: [UInt8] = [0x74]
    public static let emptyTuple: [UInt8] = [0x29]
    public static let emptyList: [UInt8] = [0x5D]
    public static let emptyDictionary: [UInt8] = [0x7D]
    public static let reduce: [UInt8] = [0x52]
    public static let build: [UInt8] = [0x62]
    public static let setItem: [UInt8] = [0x73]
    public static let setItems: [UInt8] = [0x75]
    public static let appends: [UInt8] = [0x65]
    public static let binaryPersistentID: [UInt8] = [0x51]
    public static let newTrue: [UInt8] = [0x88]
    public static let newFalse: [UInt8] = [0x89]
    public static let none: [UInt8] = [0x4E]

    public static func string(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        return [0x58] + littleEndian(UInt32(utf8.count)) + utf8
    }

    public static func integer(_ value: Int) -> [UInt8] {
        switch value {
        case 0..<256: return [0x4B, UInt8(value)]
        case 256..<65536: return [0x4D, UInt8(value & 0xFF), UInt8(value >> 8)]
        case Int(Int32.min)...Int(Int32.max): return [0x4A] + littleEndian(UInt32(bitPattern: Int32(value)))
        default:  // LONG1 with 8 bytes
            return [0x8A, 8] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
    }

    public static func global(_ module: String, _ name: String) -> [UInt8] {
        [0x63] + Array(module.utf8) + [0x0A] + Array(name.utf8) + [0x0A]
    }

    public static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    public static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// A legacy `torch.save` stream of a state dict, kept as its six parts so tests can corrupt one part
/// and know the offset where the reader must complain. Layout: `docs/mlrsnet.md`, "The legacy .pth format".
public struct LegacyStream {
    public var magic: [UInt8]
    public var version: [UInt8]
    public var systemInfo: [UInt8]
    public var stateDictionary: [UInt8]
    public var keys: [UInt8]
    public var records: [UInt8]

    public init(
        magic: [UInt8], version: [UInt8], systemInfo: [UInt8], stateDictionary: [UInt8], keys: [UInt8],
        records: [UInt8]
    ) {
        self.magic = magic
        self.version = version
        self.systemInfo = systemInfo
        self.stateDictionary = stateDictionary
        self.keys = keys
        self.records = records
    }

    public var bytes: [UInt8] { magic + version + systemInfo + stateDictionary + keys + records }
    public var stateDictionaryOffset: Int { magic.count + version.count + systemInfo.count }
    public var keysOffset: Int { stateDictionaryOffset + stateDictionary.count }
    public var recordsOffset: Int { keysOffset + keys.count }

    public static let magicPickle: [UInt8] =
        PickleBytes.proto2 + [0x8A, 0x0A] + LegacyTorchFile.magicNumber + PickleBytes.stop

    public static func versionPickle(_ version: Int) -> [UInt8] {
        PickleBytes.proto2 + PickleBytes.integer(version) + PickleBytes.stop
    }

    public static func systemInfoPickle(littleEndian: Bool = true) -> [UInt8] {
        typealias P = PickleBytes
        return P.proto2 + P.emptyDictionary + P.mark
            + P.string("protocol_version") + P.integer(1001)
            + P.string("little_endian") + (littleEndian ? P.newTrue : P.newFalse)
            + P.string("type_sizes") + P.emptyDictionary + P.mark
            + P.string("short") + P.integer(2) + P.string("int") + P.integer(4) + P.string("long") + P.integer(4)
            + P.setItems + P.setItems + P.stop
    }

    /// One state-dict entry: `name → _rebuild_tensor_v2(storage, 0, shape, stride, False, OrderedDict())`.
    public static func tensorEntry(
        name: String, key: String, shape: [Int], strides: [Int]? = nil, numel: Int? = nil,
        storageGlobal: (String, String) = ("torch", "FloatStorage"), location: String = "cuda:0"
    ) -> [UInt8] {
        typealias P = PickleBytes
        let contiguous = shape.indices.map { shape[($0 + 1)...].reduce(1, *) }
        let persistentID =
            P.mark + P.string("storage") + P.global(storageGlobal.0, storageGlobal.1)
            + P.string(key) + P.string(location) + P.integer(numel ?? shape.reduce(1, *)) + P.none + P.tuple
        return P.string(name) + P.global("torch._utils", "_rebuild_tensor_v2") + P.mark
            + persistentID + P.binaryPersistentID + P.integer(0)
            + P.mark + (shape.flatMap(P.integer)) + P.tuple
            + P.mark + ((strides ?? contiguous).flatMap(P.integer)) + P.tuple
            + P.newFalse + P.global("collections", "OrderedDict") + P.emptyTuple + P.reduce
            + P.tuple + P.reduce
    }

    public static func stateDictionaryPickle(entries: [[UInt8]]) -> [UInt8] {
        typealias P = PickleBytes
        return P.proto2 + P.global("collections", "OrderedDict") + P.emptyTuple + P.reduce
            + P.mark + entries.flatMap { $0 } + P.setItems + P.stop
    }

    public static func keysPickle(_ keys: [String]) -> [UInt8] {
        typealias P = PickleBytes
        return P.proto2 + P.emptyList + P.mark + keys.flatMap(P.string) + P.appends + P.stop
    }

    public static func record(_ values: [Float], count: Int? = nil) -> [UInt8] {
        PickleBytes.littleEndian(UInt64(count ?? values.count))
            + values.flatMap { PickleBytes.littleEndian($0.bitPattern) }
    }

    /// A valid stream holding `tensors`, storage keys "0", "1", … (listed sorted as strings, as
    /// PyTorch does).
    public static func make(_ tensors: [StoredTensor]) -> LegacyStream {
        let keys = tensors.indices.map(String.init)
        let entries = zip(tensors, keys).map { tensor, key in
            tensorEntry(name: tensor.name, key: key, shape: tensor.shape)
        }
        let listed = keys.sorted()
        return LegacyStream(
            magic: magicPickle, version: versionPickle(1001), systemInfo: systemInfoPickle(),
            stateDictionary: stateDictionaryPickle(entries: entries), keys: keysPickle(listed),
            records: listed.flatMap { key in record(tensors[Int(key) ?? 0].values) })
    }
}
