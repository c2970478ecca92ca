import Foundation

/// Where tests find the real datasets and pretrained weights: the only way tests reach files outside
/// the repository.
///
/// `GLIDEPATH_DATA_DIR` and `GLIDEPATH_WEIGHTS_DIR` (`make test` sets both, from the Makefile's
/// `DATA_DIR` and `WEIGHTS_DIR`). When a directory is missing, tests that need it are disabled with a reason
/// on a developer machine, and fail under `CI=true`, so CI can never pass by silently skipping them.
public enum TestEnvironment {
    /// The data directory, if set and present.
    public static var dataDirectory: URL? { directory("GLIDEPATH_DATA_DIR") }

    /// The pretrained-weights directory, if set and present.
    public static var weightsDirectory: URL? { directory("GLIDEPATH_WEIGHTS_DIR") }

    /// Whether the tests run under CI (`CI=true`), where a missing directory is a failure.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The repository root (the directory holding Package.swift), found from this source file.
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// Whether tests that need the data directory should run: it is present, or we are under CI (where
    /// ``requireDataDirectory()`` then fails loudly). Use as `.enabled(if: TestEnvironment.dataTestsEnabled, …)`.
    public static var dataTestsEnabled: Bool { dataDirectory != nil || isCI }

    /// Whether tests that need the weights directory should run (see ``dataTestsEnabled``).
    public static var weightsTestsEnabled: Bool { weightsDirectory != nil || isCI }

    /// The data directory, or a thrown error naming the variable to set.
    public static func requireDataDirectory() throws -> URL {
        guard let url = dataDirectory else { throw MissingDirectory(variable: "GLIDEPATH_DATA_DIR") }
        return url
    }

    /// The weights directory, or a thrown error naming the variable to set.
    public static func requireWeightsDirectory() throws -> URL {
        guard let url = weightsDirectory else { throw MissingDirectory(variable: "GLIDEPATH_WEIGHTS_DIR") }
        return url
    }

    /// Thrown when a test needs a directory that is not configured.
    public struct MissingDirectory: Error, CustomStringConvertible {
        public var variable: String
        public var description: String { "\(variable) is not set to an existing directory (make test sets it)" }
    }

    private static func directory(_ variable: String) -> URL? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return URL(fileURLWithPath: path, isDirectory: true)
    }
}
