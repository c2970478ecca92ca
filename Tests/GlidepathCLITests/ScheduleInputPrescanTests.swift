import Foundation
import Glidepath
import Testing

@testable import GlidepathCLI

/// `glidepath schedule` counts `lrs` and `momentum` in the raw bytes before decoding (issue 17: a 16 MiB
/// `lrs` of 8 million zeros was decoded — 574 MB peak RSS — before being refused). Expected counts
/// are the arrays' lengths as written in each document.
@Suite("schedule --config: group counts from the raw bytes, before decoding")
struct ScheduleInputPrescanTests {
    func lengths(_ text: String) -> [String: Int] {
        ScheduleInput.topLevelArrayLengths(Data(text.utf8), names: ["lrs", "momentum"])
    }

    @Test("counts only the top-level fields, skipping strings, escapes and nested arrays")
    func counts() {
        #expect(lengths(#"{"lrs": [0.1, 0.2, 0.3], "scheduler": {"name": "cosine"}}"#) == ["lrs": 3])
        #expect(lengths(#"{"lrs": [], "momentum": [0.9]}"#) == ["lrs": 0, "momentum": 1])
        #expect(lengths(#"{"lrs":[1]}"#) == ["lrs": 1])
        // Nested arrays, objects and strings with commas, brackets and escaped quotes are one element each.
        #expect(lengths(#"{"lrs": [[1, 2], {"a": [3, 4]}, "x,]\"[", 5]}"#) == ["lrs": 4])
        // A nested field called lrs, a string value "lrs", and a key inside a string are not the field.
        #expect(lengths(#"{"scheduler": {"lrs": [1, 2, 3]}, "steps": 1}"#) == [:])
        #expect(lengths(#"{"name": "lrs", "x": [1, 2]}"#) == [:])
        #expect(lengths(#"{"a": "\"lrs\": [1, 2]", "lrs": [7]}"#) == ["lrs": 1])
        // Not an object, or malformed: nothing found, and the decoder reports it.
        #expect(lengths("[1, 2, 3]") == [:])
        #expect(lengths(#"{"lrs": [1, 2"#) == [:])
    }

    @Test("more than 10,000 groups are refused before decoding, naming the field and the count")
    func refusal() throws {
        let many = "{\"lrs\": [" + Array(repeating: "0", count: 10_001).joined(separator: ",") + "]}"
        #expect(
            throws: SchedulerError.invalidArgument(
                name: "lrs", value: "[10001 rates]", reason: "at most 10000 parameter groups")
        ) { try ScheduleInput.checkGroupCounts(Data(many.utf8)) }
        let momentum =
            "{\"lrs\": [0.1], \"momentum\": [" + Array(repeating: "0.9", count: 10_001).joined(separator: ",")
            + "]}"
        #expect(throws: SchedulerError.self) { try ScheduleInput.checkGroupCounts(Data(momentum.utf8)) }
        let exactly = "{\"lrs\": [" + Array(repeating: "0", count: 10_000).joined(separator: ",") + "]}"
        try ScheduleInput.checkGroupCounts(Data(exactly.utf8))
    }
}
