import Foundation
import GlidepathTestSupport
import Testing

/// Runs the built `glidepath` executable (``runGlidepath(_:in:environment:standardInput:)``), as a user
/// would.
enum BuiltBinary {
    typealias Result = ProcessOutcome

    static func run(_ arguments: [String]) throws -> Result {
        try runGlidepath(arguments)
    }

    /// Writes `json` to a fresh temporary file and runs `glidepath schedule --config FILE` plus `extra`.
    static func schedule(_ json: String, _ extra: [String] = []) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: file)
        return try run(["schedule", "--config", file.path] + extra)
    }
}
