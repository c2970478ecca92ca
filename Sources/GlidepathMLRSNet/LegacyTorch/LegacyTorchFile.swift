/// A named float32 tensor as stored in a weights file: a shape and its values flattened row-major.
public struct StoredTensor: Sendable, Equatable {
    /// The state-dict key, for example `layer1.fc_i2h.0.weight`.
    public var name: String
    /// The dimensions, outermost first (a PyTorch `Linear` weight is `[out, in]`).
    public var shape: [Int]
    /// The elements in row-major order; `values.count` is the product of `shape`.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Reads a PyTorch state dict saved by the legacy (pre-1.6, non-zip) `torch.save` format, without
/// Python and without executing anything.
///
/// The stream is a sequence of protocol-2 pickles followed by raw storage bytes:
///
/// 1. the magic number 0x1950a86a20f9469cfc6c (a `LONG1`);
/// 2. the format version 1001;
/// 3. a sys_info dict (must say `little_endian: True`);
/// 4. the state dict: an `OrderedDict` (or dict) of name → tensor, each tensor a `REDUCE` of
///    `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`
///    whose storage is the persistent id `('storage', torch.FloatStorage, key, location, numel, None)`;
///    an optional final `BUILD` of `_metadata` is ignored;
/// 5. a pickled list of the storage keys;
/// 6. for each key in that list's order, an int64 little-endian element count and that many
///    little-endian float32 values; nothing after the last record.
///
/// Only this subset is accepted: pickle protocol 2; the opcodes `PROTO GLOBAL MARK TUPLE TUPLE1
/// TUPLE2 TUPLE3 EMPTY_TUPLE EMPTY_DICT EMPTY_LIST REDUCE BUILD SETITEM SETITEMS APPEND APPENDS
/// BINUNICODE BININT BININT1 BININT2 LONG1 NEWTRUE NEWFALSE NONE BINPUT LONG_BINPUT BINGET
/// LONG_BINGET BINPERSID STOP`; the globals `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`
/// and `torch.FloatStorage`; contiguous tensors; storages on `cpu` or `cuda[:N]` (read to CPU).
/// Anything else throws ``LegacyTorchFormatError`` with the offset and the problem.
///
/// Format reference: PyTorch `torch/serialization.py` (`_legacy_save`, `_legacy_load`) and the byte
/// layout of the MLR-SNet nets in `docs/mlrsnet.md`, "The legacy .pth layout".
public enum LegacyTorchFile {
    /// The little-endian bytes of the legacy magic number 0x1950a86a20f9469cfc6c.
    public static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// The tensors of the state dict in `bytes`, in state-dict order.
    public static func readStateDictionary(_ bytes: [UInt8]) throws(LegacyTorchFormatError) -> [StoredTensor] {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw LegacyTorchFormatError(offset: 0, problem: .zipArchive)
        }
        var reader = RestrictedUnpickler(bytes: bytes)

        // 1. Magic number. Any malformation of this first record means "not this format", except
        // a plain truncation, which is reported as such.
        let first: PickleValue
        do {
            first = try reader.read { value in value }
        } catch {
            if case .truncated = error.problem { throw error }
            throw LegacyTorchFormatError(offset: 0, problem: .badMagicNumber)
        }
        guard case .wideInteger(let raw) = first, raw == magicNumber else {
            throw LegacyTorchFormatError(offset: 0, problem: .badMagicNumber)
        }

        // 2. Format version.
        var offset = reader.position
        try reader.read { value throws(LegacyTorchFormatError) in
            switch value {
            case .int(1001): break
            case .int(let version):
                throw LegacyTorchFormatError(offset: offset, problem: .unsupportedFormatVersion(version))
            case let other:
                throw LegacyTorchFormatError(
                    offset: offset,
                    problem: .unexpectedValue(
                        expected: "the format version 1001", found: other.typeName))
            }
        }

        // 3. sys_info.
        offset = reader.position
        try reader.read { value throws(LegacyTorchFormatError) in try checkSystemInfo(value, offset: offset) }

        // 4. The state dict.
        offset = reader.position
        let records = try reader.read { value throws(LegacyTorchFormatError) in
            try stateDictionary(value, offset: offset)
        }

        // 5. Storage keys, then 6. the storage records.
        offset = reader.position
        let keys = try reader.read { value throws(LegacyTorchFormatError) in try storageKeys(value, offset: offset) }
        var referenced: [String: Int] = [:]
        for (_, record) in records {
            if let count = referenced[record.storage.key], count != record.storage.elementCount {
                throw LegacyTorchFormatError(
                    offset: offset,
                    problem: .storageMismatch(
                        "storage '\(record.storage.key)' is declared with \(count) and \(record.storage.elementCount) elements"
                    ))
            }
            referenced[record.storage.key] = record.storage.elementCount
        }
        guard Set(keys) == Set(referenced.keys) else {
            let missing = Set(referenced.keys).subtracting(keys).sorted()
            let extra = Set(keys).subtracting(referenced.keys).sorted()
            throw LegacyTorchFormatError(
                offset: offset,
                problem: .storageMismatch(
                    "\(keys.count) storage records for \(referenced.count) storages; missing \(missing), unreferenced \(extra)"
                ))
        }
        var position = reader.position
        var storages: [String: [Float]] = [:]
        for key in keys {
            let recordOffset = position
            let count = try int64(bytes, at: &position)
            let expected = referenced[key] ?? 0
            guard count == expected else {
                throw LegacyTorchFormatError(
                    offset: recordOffset,
                    problem: .storageMismatch(
                        "record of storage '\(key)' holds \(count) elements, the state dict declares \(expected)"))
            }
            let available = bytes.count - position
            guard count <= available / 4 else {
                throw LegacyTorchFormatError(
                    offset: position,
                    problem: .truncated(
                        needed: count.multipliedReportingOverflow(by: 4).overflow ? .max : count * 4,
                        available: available))
            }
            var values = [Float](repeating: 0, count: count)
            for index in 0..<count {
                let base = position + 4 * index
                let bits =
                    UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8
                    | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
                values[index] = Float(bitPattern: bits)
            }
            position += 4 * count
            storages[key] = values
        }
        guard position == bytes.count else {
            throw LegacyTorchFormatError(offset: position, problem: .trailingBytes(bytes.count - position))
        }

        return records.map { name, record in
            let storage = storages[record.storage.key] ?? []
            let count = record.shape.reduce(1, *)
            let window = storage[record.storageOffset..<record.storageOffset + count]
            return StoredTensor(name: name, shape: record.shape, values: Array(window))
        }
    }

    private static func checkSystemInfo(_ value: PickleValue, offset: Int) throws(LegacyTorchFormatError) {
        guard case .dictionary(let info) = value else {
            throw LegacyTorchFormatError(
                offset: offset, problem: .unsupportedSystemInfo("expected a dict, found \(value.typeName)"))
        }
        var littleEndian = false
        for entry in info.entries {
            switch (entry.key, entry.value) {
            case (.string("little_endian"), .bool(let flag)): littleEndian = flag
            case (.string("protocol_version"), .int(1001)), (.string("type_sizes"), .dictionary): break
            case (.string(let key), let other):
                throw LegacyTorchFormatError(
                    offset: offset, problem: .unsupportedSystemInfo("\(key) = \(other.typeName)"))
            case (let key, _):
                throw LegacyTorchFormatError(offset: offset, problem: .unsupportedSystemInfo("key \(key.typeName)"))
            }
        }
        guard littleEndian else {
            throw LegacyTorchFormatError(offset: offset, problem: .unsupportedSystemInfo("not little-endian"))
        }
    }

    private static func stateDictionary(
        _ value: PickleValue, offset: Int
    ) throws(LegacyTorchFormatError) -> [(String, TensorRecord)] {
        guard case .dictionary(let dictionary) = value else {
            throw LegacyTorchFormatError(
                offset: offset,
                problem: .unexpectedValue(
                    expected: "a state dict (OrderedDict)", found: value.typeName))
        }
        var seen = Set<String>()
        var records: [(String, TensorRecord)] = []
        for entry in dictionary.entries {
            guard case .string(let name) = entry.key else {
                throw LegacyTorchFormatError(
                    offset: offset,
                    problem: .unexpectedValue(
                        expected: "a tensor name", found: entry.key.typeName))
            }
            guard case .tensor(let record) = entry.value else {
                throw LegacyTorchFormatError(
                    offset: offset,
                    problem: .unexpectedValue(
                        expected: "a tensor for '\(name)'", found: entry.value.typeName))
            }
            guard seen.insert(name).inserted else {
                throw LegacyTorchFormatError(offset: offset, problem: .duplicateName(name))
            }
            records.append((name, record))
        }
        return records
    }

    private static func storageKeys(_ value: PickleValue, offset: Int) throws(LegacyTorchFormatError) -> [String] {
        guard case .list(let list) = value else {
            throw LegacyTorchFormatError(
                offset: offset,
                problem: .unexpectedValue(
                    expected: "the list of storage keys", found: value.typeName))
        }
        var keys: [String] = []
        for item in list.items {
            guard case .string(let key) = item else {
                throw LegacyTorchFormatError(
                    offset: offset,
                    problem: .unexpectedValue(
                        expected: "a storage key string", found: item.typeName))
            }
            keys.append(key)
        }
        guard Set(keys).count == keys.count else {
            throw LegacyTorchFormatError(offset: offset, problem: .storageMismatch("a storage key is listed twice"))
        }
        return keys
    }

    private static func int64(_ bytes: [UInt8], at position: inout Int) throws(LegacyTorchFormatError) -> Int {
        let available = bytes.count - position
        guard available >= 8 else {
            throw LegacyTorchFormatError(offset: position, problem: .truncated(needed: 8, available: available))
        }
        var raw: UInt64 = 0
        for index in 0..<8 { raw |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        let value = Int64(bitPattern: raw)
        guard value >= 0 else {
            throw LegacyTorchFormatError(
                offset: position,
                problem: .unexpectedValue(
                    expected: "an element count >= 0", found: "\(value)"))
        }
        position += 8
        return Int(value)
    }
}
