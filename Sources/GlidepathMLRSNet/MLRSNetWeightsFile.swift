import Foundation

/// Why MLR-SNet weights could not be loaded: the file (when there is one) and the problem.
public struct MLRSNetWeightsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// The file could not be read.
        case unreadable(String)
        /// Neither a JSON object nor a legacy `torch.save` stream (first byte shown).
        case unknownFormat(String)
        /// The JSON is malformed or not `{name: {"shape", "dtype", "data"}}`.
        case invalidJSON(String)
        /// The `.pth` stream was refused by ``LegacyTorchFile``.
        case legacyTorch(LegacyTorchFormatError)
        /// An expected tensor is absent.
        case missingTensor(String)
        /// A tensor that is not part of the MLR-SNet architecture.
        case unexpectedTensor(String)
        /// A tensor name given twice.
        case duplicateTensor(String)
        case wrongShape(name: String, expected: [Int], found: [Int])
        case wrongElementCount(name: String, expected: Int, found: Int)
        /// A JSON `dtype` other than `float32`.
        case unsupportedDataType(name: String, dataType: String)
        case nonFiniteValue(name: String, index: Int, value: String)
    }

    /// The file being read, when loading from a file.
    public var path: String?
    public var problem: Problem

    public init(path: String? = nil, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let detail: String
        switch problem {
        case .unreadable(let reason): detail = "cannot read: \(reason)"
        case .unknownFormat(let start): detail = "neither JSON weights nor a legacy .pth file (starts with \(start))"
        case .invalidJSON(let reason): detail = "invalid weights JSON: \(reason)"
        case .legacyTorch(let error): detail = error.description
        case .missingTensor(let name): detail = "missing tensor '\(name)'"
        case .unexpectedTensor(let name): detail = "unexpected tensor '\(name)' (not part of MLR-SNet)"
        case .duplicateTensor(let name): detail = "tensor '\(name)' given twice"
        case let .wrongShape(name, expected, found):
            detail = "tensor '\(name)' has shape \(found), expected \(expected)"
        case let .wrongElementCount(name, expected, found):
            detail = "tensor '\(name)' has \(found) values, its shape needs \(expected)"
        case let .unsupportedDataType(name, dataType):
            detail = "tensor '\(name)' has dtype '\(dataType)', expected 'float32'"
        case let .nonFiniteValue(name, index, value): detail = "tensor '\(name)' value \(index) is \(value)"
        }
        return (path.map { "\($0): " } ?? "") + detail
    }
}

extension MLRSNetWeights {
    /// The largest weights file read (`docs/limits.md`): 64 MiB, over 1,000 times the published nets.
    public static let maximumFileBytes = 1 << 26

    /// Loads a net from a JSON weights file or a legacy `.pth` file; the format is recognised from
    /// the content (a `{` opens JSON, the pickle `PROTO 2` opcode opens `.pth`).
    public init(contentsOf url: URL) throws(MLRSNetWeightsError) {
        let data: Data
        // What is at the path is named plainly: a directory was "NSCocoaErrorDomain error 256", a FIFO or
        // `/dev/zero` "You don't have permission" (or a read that never ends).
        let target = url.resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            throw MLRSNetWeightsError(path: url.path, problem: .unreadable("no such file"))
        }
        if isDirectory.boolValue {
            throw MLRSNetWeightsError(path: url.path, problem: .unreadable("it is a directory, not a weights file"))
        }
        if let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType,
            type != .typeRegular
        {
            throw MLRSNetWeightsError(path: url.path, problem: .unreadable("not a regular file (\(type.rawValue))"))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int,
            size > Self.maximumFileBytes
        {
            throw MLRSNetWeightsError(
                path: url.path,
                problem: .unreadable(
                    "\(size) bytes; a weights file has at most \(Self.maximumFileBytes) (the published nets are 49 KB)")
            )
        }
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw MLRSNetWeightsError(path: url.path, problem: .unreadable(error.localizedDescription))
        }
        do throws(MLRSNetWeightsError) {
            let first = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            switch first {
            case UInt8(ascii: "{"): try self.init(jsonData: data)
            case 0x80, 0x50: try self.init(legacyTorchBytes: [UInt8](data))
            default:
                throw MLRSNetWeightsError(
                    problem: .unknownFormat(first.map { "0x" + String($0, radix: 16) } ?? "nothing"))
            }
        } catch {
            throw MLRSNetWeightsError(path: url.path, problem: error.problem)
        }
    }

    /// Reads a legacy (pre-1.6) `torch.save` state dict, such as the published `mlr_snet 1.pth`.
    public init(legacyTorchBytes bytes: [UInt8]) throws(MLRSNetWeightsError) {
        let tensors: [StoredTensor]
        do {
            tensors = try LegacyTorchFile.readStateDictionary(bytes)
        } catch {
            throw MLRSNetWeightsError(problem: .legacyTorch(error))
        }
        try self.init(tensors: tensors)
    }

    /// Reads the JSON form `{name: {"shape": [...], "dtype": "float32", "data": [...]}}` (data flattened
    /// row-major; every number a float32 value written as a decimal). A top-level `"_provenance"`
    /// object, if present, is skipped.
    public init(jsonData data: Data) throws(MLRSNetWeightsError) {
        let file: JSONWeightsFile
        do {
            file = try JSONWeightsFile.decoder().decode(JSONWeightsFile.self, from: data)
        } catch {
            throw MLRSNetWeightsError(problem: .invalidJSON(JSONWeightsFile.describe(error)))
        }
        var tensors: [StoredTensor] = []
        for (name, entry) in file.entries {
            guard entry.dtype == "float32" else {
                throw MLRSNetWeightsError(problem: .unsupportedDataType(name: name, dataType: entry.dtype))
            }
            // Each number is a float32 written as its shortest binary64 decimal, so Double → Float is exact.
            tensors.append(StoredTensor(name: name, shape: entry.shape, values: entry.data.map { Float($0) }))
        }
        try self.init(tensors: tensors)
    }

    /// The JSON form read by ``init(jsonData:)``: keys in state-dict order, each float32 value written as
    /// the shortest decimal that reads back as the same binary64 (hence the same float32), and an
    /// optional `"_provenance"` object of strings.
    public func jsonData(provenance: [String: String]? = nil) -> Data {
        func quoted(_ text: String) -> String {
            var result = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
                default: result.unicodeScalars.append(scalar)
                }
            }
            return result + "\""
        }
        var parts: [String] = []
        if let provenance {
            let fields = provenance.keys.sorted().map { "\(quoted($0)): \(quoted(provenance[$0] ?? ""))" }
            parts.append("\"_provenance\": {\(fields.joined(separator: ", "))}")
        }
        for tensor in tensors {
            let shape = tensor.shape.map(String.init).joined(separator: ", ")
            let values = tensor.values.map { "\(Double($0))" }.joined(separator: ", ")
            parts.append(
                "\(quoted(tensor.name)): {\"shape\": [\(shape)], \"dtype\": \"float32\", \"data\": [\(values)]}")
        }
        return Data(("{" + parts.joined(separator: ", ") + "}\n").utf8)
    }
}

/// The decoded JSON weights file: name → entry, with `_provenance` skipped.
private struct JSONWeightsFile: Decodable {
    struct Entry: Decodable {
        var shape: [Int]
        var dtype: String
        var data: [Double]
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var entries: [(String, Entry)] = []

    /// Numbers may be written `"NaN"`, `"Infinity"`, `"-Infinity"` (as the run store writes them), so such a
    /// file is refused as a non-finite weight, naming the tensor, rather than as malformed JSON.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// Where decoding failed (`layer3.bias.dtype`) and why, in one line.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func location(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let path = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the document" : path
        }
        switch error {
        case let .keyNotFound(key, context): return "\(location(context, key)): missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(location(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys where key.stringValue != "_provenance" {
            entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
        }
    }
}
