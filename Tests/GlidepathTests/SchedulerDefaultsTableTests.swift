import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// The defaults table in `docs/schedulers.md` is generated from the configuration types, where the
/// defaults are stated once (the initial values of their properties); this test fails when the two
/// differ. To accept a change, run it with `GLIDEPATH_RECORD_GOLDEN=1` (it rewrites the table and still
/// fails once), then review the diff.
@Suite("docs/schedulers.md defaults table")
struct SchedulerDefaultsTableTests {
    static let begin = "<!-- BEGIN generated from SchedulerRegistry by SchedulerDefaultsTableTests -->"
    static let end = "<!-- END generated -->"

    /// One row per registered configuration type: its defaults and the fields it has none for.
    static func table() throws -> String {
        var lines = ["| name | configuration type | defaults | no default |", "|---|---|---|---|"]
        for type in SchedulerRegistry.types {
            func row<T: SchedulerParameters>(_ type: T.Type) throws -> String {
                let defaults = try T.defaultFields()
                let given = defaults.keys.sorted().map { "`\($0)` \(defaults[$0]?.jsonText ?? "")" }
                let absent = try T.fieldNames().filter { defaults[$0] == nil }.map { "`\($0)`" }
                let typeName = String(reflecting: T.self).replacingOccurrences(of: "Glidepath.", with: "")
                return "| `\(T.name)` | `\(typeName)` | \(given.isEmpty ? "—" : given.joined(separator: ", ")) | "
                    + "\(absent.isEmpty ? "—" : absent.joined(separator: ", ")) |"
            }
            lines.append(try row(type))
        }
        return lines.joined(separator: "\n")
    }

    @Test("the table matches the configuration types")
    func tableIsCurrent() throws {
        let url = TestEnvironment.repositoryRoot.appendingPathComponent("docs/schedulers.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let start = text.range(of: Self.begin),
            let stop = text.range(of: Self.end, range: start.upperBound..<text.endIndex)
        else {
            Issue.record("docs/schedulers.md has no generated defaults table (markers \(Self.begin) … \(Self.end))")
            return
        }
        let current = text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try Self.table()
        guard current != expected else { return }
        if ProcessInfo.processInfo.environment["GLIDEPATH_RECORD_GOLDEN"] == "1" {
            let rewritten = text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: "\n\(expected)\n")
            try rewritten.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("rewrote the defaults table in \(url.path); review the diff and run the test again")
        } else {
            Issue.record(
                """
                the defaults table in \(url.path) is out of date; expected:
                \(expected)
                (re-record with GLIDEPATH_RECORD_GOLDEN=1 and review the diff)
                """)
        }
    }
}
