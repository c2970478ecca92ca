import Foundation
import Testing

/// Compares `text` with the golden file `Golden/<name>` beside the calling test file
/// (ARCHITECTURE.md, "Tests": every text artefact has a golden file, as swift-argument-parser's
/// `assertSnapshot`).
///
/// Never passes silently on a change: a missing golden file is recorded and the test fails with
/// "recorded new baseline"; a difference fails with the first differing line. To accept an intended
/// change, run the test with `GLIDEPATH_RECORD_GOLDEN=1` (which rewrites the file and still fails once),
/// then review the diff in git.
public func expectGolden(
    _ text: String, named name: String, filePath: String = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(name)
    let recording = ProcessInfo.processInfo.environment["GLIDEPATH_RECORD_GOLDEN"] == "1"
    guard let golden = try? String(contentsOf: url, encoding: .utf8), !recording else {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            Issue.record(
                "recorded new baseline \(url.path); review it and run the test again",
                sourceLocation: sourceLocation)
        } catch {
            Issue.record(
                "golden file \(url.path) is missing and could not be recorded: \(error)",
                sourceLocation: sourceLocation)
        }
        return
    }
    guard golden != text else { return }
    let expectedLines = golden.components(separatedBy: "\n")
    let actualLines = text.components(separatedBy: "\n")
    let index =
        zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(expectedLines.count, actualLines.count)
    let expected = index < expectedLines.count ? expectedLines[index] : "<end of file>"
    let actual = index < actualLines.count ? actualLines[index] : "<end of output>"
    Issue.record(
        """
        output differs from golden file \(url.path) at line \(index + 1):
          expected: \(expected.debugDescription)
          actual:   \(actual.debugDescription)
        If the change is intended, re-record with GLIDEPATH_RECORD_GOLDEN=1 and review the diff.
        """, sourceLocation: sourceLocation)
}
