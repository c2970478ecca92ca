/// The few Python globals a legacy PyTorch state dict may name. Anything else is refused at the
/// `GLOBAL` opcode, before it could be looked up, let alone called.
enum AllowedGlobal: Equatable {
    case orderedDict  // collections OrderedDict
    case rebuildTensorV2  // torch._utils _rebuild_tensor_v2
    case floatStorage  // torch FloatStorage

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch", "FloatStorage"): self = .floatStorage
        default: return nil
        }
    }
}

/// A storage named by a persistent id `('storage', torch.FloatStorage, key, location, numel, None)`.
struct StorageReference: Equatable {
    var key: String
    var elementCount: Int
}

/// A tensor rebuilt (symbolically) by `_rebuild_tensor_v2`: a contiguous window of one storage.
struct TensorRecord: Equatable {
    var storage: StorageReference
    var storageOffset: Int
    var shape: [Int]
}

/// Pickle containers are shared, mutable objects (a memoised dict can be filled after `BINPUT`).
/// A hostile pickle can make one contain itself; ``RestrictedUnpickler/read(_:)`` empties every
/// container it created once the value has been converted, so such cycles cannot leak.
protocol PickleContainer: AnyObject {
    func removeAll()
    /// 1 + the deepest nesting among the values put in it so far (``RestrictedUnpickler/maximumNestingDepth``).
    var depth: Int { get set }
}

final class PickleDictionary: PickleContainer {
    var entries: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    let isOrdered: Bool
    init(isOrdered: Bool) { self.isOrdered = isOrdered }
    func removeAll() { entries = [] }
}

final class PickleList: PickleContainer {
    var items: [PickleValue] = []
    var depth = 1
    func removeAll() { items = [] }
}

/// A value the restricted unpickler can build. There is no case for an arbitrary object: the only
/// "calls" are the whitelisted constructions that produce ``PickleValue/dictionary(_:)`` and
/// ``PickleValue/tensor(_:)``.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// A `LONG1` integer too wide for `Int`, as its little-endian two's-complement bytes.
    case wideInteger([UInt8])
    case string(String)
    case tuple([PickleValue])
    case list(PickleList)
    case dictionary(PickleDictionary)
    case global(AllowedGlobal)
    case storage(StorageReference)
    case tensor(TensorRecord)

    /// A short type name for error messages (never recursive, so a cyclic hostile input is safe).
    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool(let value): return "bool \(value)"
        case .int(let value): return "int \(value)"
        case .wideInteger(let bytes): return "\(bytes.count)-byte integer"
        case .string(let value): return "string '\(value.prefix(40))'"
        case .tuple(let items): return "tuple of \(items.count)"
        case .list(let list): return "list of \(list.items.count)"
        case .dictionary(let dictionary): return dictionary.isOrdered ? "OrderedDict" : "dict"
        case .global(let global): return "global \(global)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A pickle reader for the protocol-2 subset that legacy `torch.save` state dicts use.
///
/// It is a data parser, not a virtual machine: opcodes outside the whitelist, globals outside
/// ``AllowedGlobal`` and any `REDUCE`/`BUILD`/persistent id other than the three forms PyTorch writes
/// are refused with a ``LegacyTorchFormatError`` naming the offset. Sizes are checked against the
/// bytes that remain before anything is allocated.
///
/// Nesting is limited while reading: every value on the stack carries its depth (a scalar 1, a tuple
/// 1 + its deepest item, a list or dict 1 + the deepest value put in it), and an opcode that would make
/// a value deeper than ``maximumNestingDepth`` is refused *before* the value is built. So no deeply
/// nested value ever exists, and none is freed recursively (a 100,000-deep tuple used to overflow the
/// stack in `swift_arrayDestroy`). Containers are released by ``read(_:)`` without recursion (each is
/// emptied in turn), so a tuple chain between containers is what the limit bounds.
struct RestrictedUnpickler {
    /// The deepest nesting accepted; a real state dict nests 4 deep (dict → tensor arguments → size tuple).
    static let maximumNestingDepth = 1000
    static let maximumStackDepth = 1 << 20
    static let maximumMemoEntries = 1 << 20
    static let maximumGlobalLineLength = 256
    static let maximumTensorRank = 8

    let bytes: [UInt8]
    private(set) var position: Int

    init(bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    private var stack: [PickleValue] = []
    /// The nesting depth of each value on ``stack``, in step with it.
    private var depths: [Int] = []
    private var marks: [Int] = []
    private var memo: [Int: (value: PickleValue, depth: Int)] = [:]
    private var containers: [any PickleContainer] = []
    private var opcodeOffset = 0
    private var opcode: UInt8 = 0

    // MARK: Reading primitives

    private func failure(_ problem: LegacyTorchFormatError.Problem) -> LegacyTorchFormatError {
        LegacyTorchFormatError(offset: opcodeOffset, problem: problem)
    }

    private mutating func take(_ count: Int) throws(LegacyTorchFormatError) -> ArraySlice<UInt8> {
        let available = bytes.count - position
        guard count >= 0, count <= available else {
            throw LegacyTorchFormatError(offset: position, problem: .truncated(needed: count, available: available))
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func unsignedInteger(byteCount: Int) throws(LegacyTorchFormatError) -> Int {
        var value = 0
        for (shift, byte) in try take(byteCount).enumerated() { value |= Int(byte) << (8 * shift) }
        return value
    }

    private mutating func line() throws(LegacyTorchFormatError) -> String {
        let start = position
        let limit = min(bytes.count, start + Self.maximumGlobalLineLength + 1)
        guard let end = bytes[start..<limit].firstIndex(of: 0x0A) else {
            if limit == bytes.count {
                throw LegacyTorchFormatError(offset: start, problem: .truncated(needed: 1, available: 0))
            }
            throw failure(
                .limitExceeded(
                    what: "GLOBAL line length", value: limit - start,
                    limit: Self.maximumGlobalLineLength))
        }
        position = end + 1
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { throw failure(.invalidUTF8) }
        return text
    }

    private mutating func pop() throws(LegacyTorchFormatError) -> PickleValue {
        try popWithDepth().value
    }

    private mutating func popWithDepth() throws(LegacyTorchFormatError) -> (value: PickleValue, depth: Int) {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast(), let depth = depths.popLast() else {
            throw failure(.stackUnderflow(opcode: opcode))
        }
        return (value, depth)
    }

    private mutating func popToMark() throws(LegacyTorchFormatError) -> (items: [PickleValue], depth: Int) {
        guard let mark = marks.popLast() else { throw failure(.stackUnderflow(opcode: opcode)) }
        let items = Array(stack[mark...])
        let depth = depths[mark...].max() ?? 0
        stack.removeSubrange(mark...)
        depths.removeSubrange(mark...)
        return (items, depth)
    }

    /// Refuses a value `depth` deep, before it is built.
    private func checkDepth(_ depth: Int) throws(LegacyTorchFormatError) {
        guard depth <= Self.maximumNestingDepth else {
            throw failure(.limitExceeded(what: "nesting depth", value: depth, limit: Self.maximumNestingDepth))
        }
    }

    /// Pushes `value`, whose nesting depth is `depth` (already checked by the caller for built values).
    private mutating func push(_ value: PickleValue, depth: Int = 1) throws(LegacyTorchFormatError) {
        guard stack.count < Self.maximumStackDepth else {
            throw failure(.limitExceeded(what: "stack depth", value: stack.count + 1, limit: Self.maximumStackDepth))
        }
        try checkDepth(depth)
        stack.append(value)
        depths.append(depth)
    }

    /// Pushes the tuple of `items` (whose deepest is `itemDepth`), refusing it before it is built.
    private mutating func pushTuple(_ items: @autoclosure () -> [PickleValue], itemDepth: Int)
        throws(LegacyTorchFormatError)
    {
        try checkDepth(itemDepth + 1)
        try push(.tuple(items()), depth: itemDepth + 1)
    }

    /// Records that `container` now holds a value `depth` deep.
    private mutating func deepen(_ container: any PickleContainer, holding depth: Int) throws(LegacyTorchFormatError) {
        try checkDepth(depth + 1)
        container.depth = max(container.depth, depth + 1)
        if let index = stack.indices.last { depths[index] = max(depths[index], container.depth) }
    }

    private mutating func memoize(key: Int) throws(LegacyTorchFormatError) {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw failure(.stackUnderflow(opcode: opcode))
        }
        if memo[key] == nil, memo.count >= Self.maximumMemoEntries {
            throw failure(.limitExceeded(what: "memo entries", value: memo.count + 1, limit: Self.maximumMemoEntries))
        }
        memo[key] = (top, depths[depths.count - 1])
    }

    private mutating func recall(key: Int) throws(LegacyTorchFormatError) {
        guard let entry = memo[key] else { throw failure(.unknownMemoKey(key)) }
        // A container may have been filled since it was memoised: its own depth is the current one.
        switch entry.value {
        case .list(let list): try push(entry.value, depth: list.depth)
        case .dictionary(let dictionary): try push(entry.value, depth: dictionary.depth)
        default: try push(entry.value, depth: entry.depth)
        }
    }

    // MARK: Running one pickle

    /// Reads one pickle from the current position up to and including its `STOP` and returns
    /// `convert` applied to the value it builds. The memo is per pickle, as in `pickle.load`. The
    /// pickle's containers are emptied afterwards (also on failure), so `convert` must copy out what
    /// it needs and must not return containers.
    mutating func read<Result>(
        _ convert: (PickleValue) throws(LegacyTorchFormatError) -> Result
    ) throws(LegacyTorchFormatError) -> Result {
        defer {
            for container in containers { container.removeAll() }
            containers = []
            stack = []
            depths = []
            marks = []
            memo = [:]
        }
        return try convert(try readPickle())
    }

    private mutating func makeDictionary(isOrdered: Bool) -> PickleValue {
        let dictionary = PickleDictionary(isOrdered: isOrdered)
        containers.append(dictionary)
        return .dictionary(dictionary)
    }

    private mutating func readPickle() throws(LegacyTorchFormatError) -> PickleValue {
        while true {
            opcodeOffset = position
            opcode = try take(1).first ?? 0
            switch opcode {
            case 0x80:  // PROTO
                let version = try unsignedInteger(byteCount: 1)
                guard version == 2 else { throw failure(.unsupportedPickleProtocol(version)) }
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1, let result = stack.popLast() else {
                    throw failure(
                        .unexpectedValue(
                            expected: "exactly one value at STOP",
                            found: "\(stack.count) values, \(marks.count) open marks"))
                }
                return result
            case 0x63:  // GLOBAL
                let module = try line()
                let name = try line()
                guard let global = AllowedGlobal(module: module, name: name) else {
                    throw failure(.disallowedGlobal(module: module, name: name))
                }
                try push(.global(global))
            case 0x71: try memoize(key: try unsignedInteger(byteCount: 1))  // BINPUT
            case 0x72: try memoize(key: try unsignedInteger(byteCount: 4))  // LONG_BINPUT
            case 0x68: try recall(key: try unsignedInteger(byteCount: 1))  // BINGET
            case 0x6A: try recall(key: try unsignedInteger(byteCount: 4))  // LONG_BINGET
            case 0x28:  // MARK
                guard marks.count < Self.maximumStackDepth else {
                    throw failure(
                        .limitExceeded(
                            what: "open marks", value: marks.count + 1,
                            limit: Self.maximumStackDepth))
                }
                marks.append(stack.count)
            case 0x29: try push(.tuple([]))  // EMPTY_TUPLE
            case 0x74:  // TUPLE
                let (items, depth) = try popToMark()
                try pushTuple(items, itemDepth: depth)
            case 0x85:  // TUPLE1
                let first = try popWithDepth()
                try pushTuple([first.value], itemDepth: first.depth)
            case 0x86:  // TUPLE2
                let second = try popWithDepth()
                let first = try popWithDepth()
                try pushTuple([first.value, second.value], itemDepth: max(first.depth, second.depth))
            case 0x87:  // TUPLE3
                let third = try popWithDepth()
                let second = try popWithDepth()
                let first = try popWithDepth()
                try pushTuple(
                    [first.value, second.value, third.value],
                    itemDepth: max(first.depth, second.depth, third.depth))
            case 0x7D: try push(makeDictionary(isOrdered: false))  // EMPTY_DICT
            case 0x5D:  // EMPTY_LIST
                let list = PickleList()
                containers.append(list)
                try push(.list(list))
            case 0x73:  // SETITEM
                let value = try popWithDepth()
                let key = try popWithDepth()
                let dictionary = try dictionaryOnTop()
                try deepen(dictionary, holding: max(key.depth, value.depth))
                dictionary.entries.append((key.value, value.value))
            case 0x75:  // SETITEMS
                let (items, depth) = try popToMark()
                guard items.count.isMultiple(of: 2) else {
                    throw failure(.unexpectedValue(expected: "key/value pairs", found: "\(items.count) items"))
                }
                let dictionary = try dictionaryOnTop()
                try deepen(dictionary, holding: depth)
                for index in stride(from: 0, to: items.count, by: 2) {
                    dictionary.entries.append((items[index], items[index + 1]))
                }
            case 0x61:  // APPEND
                let value = try popWithDepth()
                let list = try listOnTop()
                try deepen(list, holding: value.depth)
                list.items.append(value.value)
            case 0x65:  // APPENDS
                let (items, depth) = try popToMark()
                let list = try listOnTop()
                try deepen(list, holding: depth)
                list.items.append(contentsOf: items)
            case 0x58:  // BINUNICODE
                let length = try unsignedInteger(byteCount: 4)
                let raw = try take(length)
                guard let text = String(validating: raw, as: UTF8.self) else { throw failure(.invalidUTF8) }
                try push(.string(text))
            case 0x4B: try push(.int(try unsignedInteger(byteCount: 1)))  // BININT1
            case 0x4D: try push(.int(try unsignedInteger(byteCount: 2)))  // BININT2
            case 0x4A:  // BININT (signed)
                try push(.int(Int(Int32(truncatingIfNeeded: try unsignedInteger(byteCount: 4)))))
            case 0x8A:  // LONG1
                let count = try unsignedInteger(byteCount: 1)
                let raw = Array(try take(count))
                try push(Self.integer(littleEndian: raw))
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4E: try push(.none)  // NONE
            case 0x51:  // BINPERSID
                try push(.storage(try storageReference(from: try pop())))
            case 0x52:  // REDUCE
                let arguments = try pop()
                let callable = try pop()
                // Its result is flat: a new empty OrderedDict or a tensor record.
                try push(try reduce(callable, arguments))
                if case .dictionary(let dictionary) = stack.last { containers.append(dictionary) }
            case 0x62:  // BUILD
                let state = try pop()
                let object = try popWithDepth()
                try build(object.value, state: state)
                try push(object.value, depth: object.depth)
            default:
                throw failure(.unsupportedOpcode(opcode))
            }
        }
    }

    private mutating func dictionaryOnTop() throws(LegacyTorchFormatError) -> PickleDictionary {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw failure(.stackUnderflow(opcode: opcode))
        }
        guard case .dictionary(let dictionary) = top else {
            throw failure(.unexpectedValue(expected: "a dict to set items on", found: top.typeName))
        }
        return dictionary
    }

    private mutating func listOnTop() throws(LegacyTorchFormatError) -> PickleList {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else {
            throw failure(.stackUnderflow(opcode: opcode))
        }
        guard case .list(let list) = top else {
            throw failure(.unexpectedValue(expected: "a list to append to", found: top.typeName))
        }
        return list
    }

    private static func integer(littleEndian raw: [UInt8]) -> PickleValue {
        guard raw.count <= 8 else { return .wideInteger(raw) }
        guard let last = raw.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0  // sign-extend
        for (index, byte) in raw.enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(index)))
            value |= UInt64(byte) << (8 * UInt64(index))
        }
        return .int(Int(Int64(bitPattern: value)))
    }

    // MARK: The whitelisted constructions

    /// `('storage', torch.FloatStorage, key, location, numel, None)`.
    private func storageReference(from pid: PickleValue) throws(LegacyTorchFormatError) -> StorageReference {
        guard case .tuple(let fields) = pid, fields.count == 6,
            case .string("storage") = fields[0]
        else {
            throw failure(.disallowedCall("persistent id \(pid.typeName) is not a storage record"))
        }
        guard case .global(.floatStorage) = fields[1] else {
            throw failure(.disallowedCall("storage type \(fields[1].typeName) (only torch.FloatStorage)"))
        }
        guard case .string(let key) = fields[2], !key.isEmpty else {
            throw failure(.unexpectedValue(expected: "a storage key string", found: fields[2].typeName))
        }
        guard case .string(let location) = fields[3],
            location == "cpu" || location == "cuda" || location.hasPrefix("cuda:")
        else {
            throw failure(.unexpectedValue(expected: "location 'cpu' or 'cuda:N'", found: fields[3].typeName))
        }
        guard case .int(let count) = fields[4], count >= 0 else {
            throw failure(.unexpectedValue(expected: "a storage element count >= 0", found: fields[4].typeName))
        }
        guard case .none = fields[5] else {
            throw failure(.disallowedCall("storage views (view metadata \(fields[5].typeName))"))
        }
        return StorageReference(key: key, elementCount: count)
    }

    private func reduce(_ callable: PickleValue, _ arguments: PickleValue) throws(LegacyTorchFormatError) -> PickleValue
    {
        guard case .tuple(let arguments) = arguments else {
            throw failure(.unexpectedValue(expected: "an argument tuple", found: arguments.typeName))
        }
        switch callable {
        case .global(.orderedDict) where arguments.isEmpty:
            return .dictionary(PickleDictionary(isOrdered: true))
        case .global(.rebuildTensorV2):
            return .tensor(try tensorRecord(arguments))
        default:
            throw failure(.disallowedCall("REDUCE of \(callable.typeName) with \(arguments.count) arguments"))
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)`, for
    /// a contiguous row-major tensor without hooks.
    private func tensorRecord(_ arguments: [PickleValue]) throws(LegacyTorchFormatError) -> TensorRecord {
        guard arguments.count == 6 else {
            throw failure(.disallowedCall("_rebuild_tensor_v2 with \(arguments.count) arguments (expected 6)"))
        }
        guard case .storage(let storage) = arguments[0] else {
            throw failure(.unexpectedValue(expected: "a storage", found: arguments[0].typeName))
        }
        guard case .int(let offset) = arguments[1], offset >= 0 else {
            throw failure(.unexpectedValue(expected: "a storage offset >= 0", found: arguments[1].typeName))
        }
        let shape = try integers(arguments[2], what: "size")
        let strides = try integers(arguments[3], what: "stride")
        guard shape.count <= Self.maximumTensorRank else {
            throw failure(.limitExceeded(what: "tensor rank", value: shape.count, limit: Self.maximumTensorRank))
        }
        guard strides.count == shape.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw failure(
                .unexpectedValue(
                    expected: "size and stride of equal rank, sizes >= 0",
                    found: "size \(shape), stride \(strides)"))
        }
        guard case .bool = arguments[4] else {
            throw failure(.unexpectedValue(expected: "requires_grad bool", found: arguments[4].typeName))
        }
        guard case .dictionary(let hooks) = arguments[5], hooks.isOrdered, hooks.entries.isEmpty else {
            throw failure(.disallowedCall("backward hooks \(arguments[5].typeName) (only an empty OrderedDict)"))
        }
        var count = 1
        var expectedStride = 1
        for index in shape.indices.reversed() {
            if shape[index] != 1, strides[index] != expectedStride {
                throw failure(.disallowedCall("non-contiguous tensor: size \(shape), stride \(strides)"))
            }
            let (stride, strideOverflow) = expectedStride.multipliedReportingOverflow(by: max(shape[index], 1))
            let (product, countOverflow) = count.multipliedReportingOverflow(by: shape[index])
            guard !strideOverflow, !countOverflow else {
                // value .max marks an overflow: the message says so instead of "N exceeds the limit N".
                throw failure(
                    .limitExceeded(
                        what: "element count of size \(shape)", value: .max,
                        limit: storage.elementCount))
            }
            expectedStride = stride
            count = product
        }
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= storage.elementCount else {
            throw failure(
                .storageMismatch(
                    "tensor of size \(shape) at offset \(offset) exceeds storage '\(storage.key)' of \(storage.elementCount) elements"
                ))
        }
        return TensorRecord(storage: storage, storageOffset: offset, shape: shape)
    }

    private func integers(_ value: PickleValue, what: String) throws(LegacyTorchFormatError) -> [Int] {
        guard case .tuple(let items) = value else {
            throw failure(.unexpectedValue(expected: "a \(what) tuple", found: value.typeName))
        }
        var result: [Int] = []
        for item in items {
            guard case .int(let integer) = item else {
                throw failure(.unexpectedValue(expected: "an integer in \(what)", found: item.typeName))
            }
            result.append(integer)
        }
        return result
    }

    /// The final `BUILD` of a state dict sets `_metadata` (module versions); it is accepted and ignored.
    private func build(_ object: PickleValue, state: PickleValue) throws(LegacyTorchFormatError) {
        guard case .dictionary(let target) = object, target.isOrdered,
            case .dictionary(let attributes) = state,
            attributes.entries.allSatisfy({ entry in
                if case .string("_metadata") = entry.key { return true } else { return false }
            })
        else {
            throw failure(
                .disallowedCall("BUILD of \(object.typeName) with state \(state.typeName) (only OrderedDict._metadata)")
            )
        }
    }
}
