import Foundation

extension SafeTensorsFile {
    /// The largest header this reader accepts (the reference implementation's limit is 100 MB).
    static let maximumHeaderLength = 100_000_000

    /// The encoded file: header keys sorted, the header padded with spaces to a multiple of 8 bytes (as
    /// the reference writer does), tensors stored in entry order.
    /// - Throws: ``SafeTensorsError/duplicateName(_:)`` or ``SafeTensorsError/invalidOffsets(name:reason:)``
    ///   when an entry's bytes do not match its shape.
    public func encoded() throws(SafeTensorsError) -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for entry in entries {
            guard header[entry.name] == nil, entry.name != "__metadata__" else { throw .duplicateName(entry.name) }
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.bytes.count == entry.count * entry.dataType.size else {
                throw .invalidOffsets(
                    name: entry.name, reason: "hold \(entry.bytes.count) bytes for shape \(entry.shape)")
            }
            header[entry.name] =
                [
                    "dtype": entry.dataType.rawValue, "shape": entry.shape,
                    "data_offsets": [offset, offset + entry.bytes.count],
                ] as [String: Any]
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .invalidHeader(field: "(root)", reason: "cannot encode: \(error)")
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in entries { data.append(entry.bytes) }
        return data
    }

    /// Decodes and validates a whole file.
    public static func decode(_ data: Data) throws(SafeTensorsError) -> SafeTensorsFile {
        guard data.count >= 8 else { throw .truncated(expectedBytes: 8, actualBytes: data.count) }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | (UInt64($1.element) << (8 * UInt64($1.offset)))
        }
        guard length <= UInt64(min(maximumHeaderLength, data.count - 8)) else {
            throw .truncated(
                expectedBytes: length > UInt64(Int.max / 2) ? Int.max : 8 + Int(length), actualBytes: data.count)
        }
        let headerEnd = 8 + Int(length)
        let headerData = data.subdata(in: data.startIndex + 8..<data.startIndex + headerEnd)
        guard let object = try? JSONSerialization.jsonObject(with: headerData), let header = object as? [String: Any]
        else {
            throw .invalidHeader(field: "(root)", reason: "not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else {
                throw .invalidHeader(field: "__metadata__", reason: "not an object")
            }
            for (key, value) in map {
                guard let text = value as? String else {
                    throw .invalidHeader(field: "__metadata__.\(key)", reason: "values must be strings")
                }
                metadata[key] = text
            }
        }
        let bufferLength = data.count - headerEnd
        var located: [(entry: Entry, begin: Int, end: Int)] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let info = raw as? [String: Any] else { throw .invalidHeader(field: name, reason: "not an object") }
            guard let dtypeText = info["dtype"] as? String else {
                throw .invalidHeader(field: "\(name).dtype", reason: "missing")
            }
            guard let dataType = DataType(rawValue: dtypeText) else {
                throw .unsupportedDataType(name: name, dataType: dtypeText)
            }
            guard let shapeValues = info["shape"] as? [Any] else {
                throw .invalidHeader(field: "\(name).shape", reason: "missing")
            }
            var shape: [Int] = []
            var count = 1
            for value in shapeValues {
                guard let number = value as? NSNumber, let dimension = Int(exactly: number.doubleValue), dimension >= 0,
                    dimension <= bufferLength
                else { throw .invalidHeader(field: "\(name).shape", reason: "\(shapeValues) is not a list of sizes") }
                shape.append(dimension)
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw .invalidHeader(field: "\(name).shape", reason: "\(shapeValues) overflows")
                }
                count = product
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                let beginNumber = offsets[0] as? NSNumber, let endNumber = offsets[1] as? NSNumber,
                let begin = Int(exactly: beginNumber.doubleValue), let end = Int(exactly: endNumber.doubleValue)
            else { throw .invalidHeader(field: "\(name).data_offsets", reason: "must be [begin, end]") }
            guard begin >= 0, begin <= end, end <= bufferLength else {
                throw .invalidOffsets(
                    name: name, reason: "[\(begin), \(end)] lie outside the \(bufferLength)-byte buffer")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dataType.size)
            guard !overflow, end - begin == bytes else {
                throw .invalidOffsets(
                    name: name, reason: "[\(begin), \(end)] do not hold shape \(shape) of \(dtypeText)")
            }
            let slice = data.subdata(in: data.startIndex + headerEnd + begin..<data.startIndex + headerEnd + end)
            located.append((Entry(name: name, dataType: dataType, shape: shape, bytes: slice), begin, end))
        }
        located.sort { ($0.begin, $0.end, $0.entry.name) < ($1.begin, $1.end, $1.entry.name) }
        var position = 0
        for item in located {
            guard item.begin == position else {
                throw .invalidOffsets(
                    name: item.entry.name, reason: "start at \(item.begin), expected \(position) (overlap or gap)")
            }
            position = item.end
        }
        guard position == bufferLength else {
            throw .invalidOffsets(
                name: located.last?.entry.name ?? "(none)",
                reason: "cover \(position) of the \(bufferLength) bytes after the header")
        }
        return SafeTensorsFile(metadata: metadata, entries: located.map(\.entry))
    }

    /// Reads and decodes `url`.
    public static func read(from url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data)
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws(SafeTensorsError) {
        let data = try encoded()
        do { try data.write(to: url, options: .atomic) } catch {
            throw .unwritableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
