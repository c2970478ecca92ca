import Foundation
import Glidepath

extension ScheduleInput {
    /// The element counts of the top-level array fields `names` (`lrs`, `momentum`) of the JSON object in
    /// `bytes`, found by one pass over the bytes that builds nothing: strings (with their escapes) are
    /// skipped, brackets counted, and an array's elements are its commas at its own depth plus one.
    ///
    /// `glidepath schedule` refuses an `lrs` of more than ``maximumGroups`` groups from this count, before
    /// the document is decoded: decoding a 16 MiB `lrs` of 8 million zeros built 8 million `StateValue`s
    /// (574 MB peak RSS, 12 s of CPU in a debug build) only to refuse them. The scan validates nothing — a
    /// malformed document is reported by the decoder afterwards — and a field it cannot find is absent
    /// from the result.
    static func topLevelArrayLengths(_ bytes: Data, names: Set<String>) -> [String: Int] {
        let wanted = Set(names.map { Array($0.utf8) })
        return bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [String: Int] in
            var lengths: [String: Int] = [:]
            var depth = 0
            var index = 0
            let count = buffer.count
            // The last string read at depth 1 (a key, once its ':' follows) and the key whose value comes next.
            var lastString: ArraySlice<UInt8> = []
            var key: [UInt8]?
            // The array being counted: its key, its depth, its commas, whether it holds anything.
            var counting: (key: [UInt8], depth: Int, commas: Int, nonEmpty: Bool)?
            let bytes = buffer.bindMemory(to: UInt8.self)
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let start = index + 1
                    index += 1
                    while index < count && bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    if depth == 1 { lastString = ArraySlice(bytes[start..<min(index, count)]) }
                    if let current = counting, depth == current.depth { counting?.nonEmpty = true }
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if let current = counting, depth == current.depth { counting?.nonEmpty = true }
                    depth += 1
                    if byte == UInt8(ascii: "["), depth == 2, counting == nil, let named = key, wanted.contains(named) {
                        counting = (named, depth, 0, false)
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if let current = counting, depth == current.depth {
                        lengths[String(decoding: current.key, as: UTF8.self)] =
                            current.nonEmpty ? current.commas + 1 : 0
                        counting = nil
                    }
                    depth -= 1
                    if depth == 1 { key = nil }
                case UInt8(ascii: ":") where depth == 1:
                    key = Array(lastString)
                case UInt8(ascii: ",") where depth == 1:
                    key = nil
                case UInt8(ascii: ","):
                    if let current = counting, depth == current.depth { counting?.commas += 1 }
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    break
                default:
                    if let current = counting, depth == current.depth { counting?.nonEmpty = true }
                }
                index += 1
            }
            return lengths
        }
    }

    /// Refuses an `lrs` or `momentum` of more than ``maximumGroups`` entries from the raw bytes.
    static func checkGroupCounts(_ bytes: Data) throws(SchedulerError) {
        let lengths = topLevelArrayLengths(bytes, names: ["lrs", "momentum"])
        for name in ["lrs", "momentum"] {
            if let length = lengths[name], length > maximumGroups {
                throw .invalidArgument(
                    name: name, value: "[\(length) rates]", reason: "at most \(maximumGroups) parameter groups")
            }
        }
    }
}
