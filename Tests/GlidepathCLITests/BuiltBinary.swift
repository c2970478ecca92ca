import Foundation
import GlidepathTestSupport
import Testing

/// Runs the built `glidepath` executable (next to the test bundle, or in `.build/debug`) with
/// Foundation `Process`, as a user would.
enum BuiltBinary {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var lines: [String] { standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = try glidepathBinary()
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// Writes `json` to a fresh temporary file and runs `glidepath schedule --config FILE` plus `extra`.
    static func schedule(_ json: String, _ extra: [String] = []) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: file)
        return try run(["schedule", "--config", file.path] + extra)
    }
}
