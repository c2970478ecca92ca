import Foundation

/// Line-oriented parsing shared by the TSV and JSON-lines readers.
enum LineReader {
    /// Calls `body` with each line (without `\n` or a trailing `\r`) and its 1-based number. A final
    /// empty line (the file ends with a newline) is not reported.
    static func forEachLine(
        _ bytes: [UInt8], _ body: (Int, ArraySlice<UInt8>) throws(DataError) -> Void
    ) throws(DataError) {
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var line = bytes[start..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            try body(number, line)
            start = end + 1
        }
    }

    /// Decodes one JSON-lines row, mapping any decoding failure to a typed error at `line`.
    static func decodeJSON<Row: Decodable>(
        _ type: Row.Type, _ line: ArraySlice<UInt8>, file: String, lineNumber: Int, decoder: JSONDecoder
    ) throws(DataError) -> Row {
        do {
            return try decoder.decode(Row.self, from: Data(line))
        } catch let DecodingError.keyNotFound(key, _) {
            throw DataError(
                file: file, location: .line(lineNumber), problem: .malformedRow("missing field \"\(key.stringValue)\""))
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DataError(
                file: file, location: .line(lineNumber), problem: .malformedRow("field \"\(field)\" has the wrong type")
            )
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DataError(
                file: file, location: .line(lineNumber), problem: .malformedRow("field \"\(field)\" is null"))
        } catch {
            throw DataError(file: file, location: .line(lineNumber), problem: .malformedRow("not a JSON object"))
        }
    }
}
