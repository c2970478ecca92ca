import Foundation

/// Where tests find the real datasets and pretrained weights: the only way tests reach files outside
/// the repository.
///
/// `GLIDEPATH_DATA_DIR` (CI sets it to `../shared/data`) and `GLIDEPATH_WEIGHTS_DIR`
/// (`../shared/weights`). When a directory is missing, tests that need it are disabled with a reason
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

    private static func directory(_ variable: String) -> URL? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return URL(fileURLWithPath: path, isDirectory: true)
    }
}
