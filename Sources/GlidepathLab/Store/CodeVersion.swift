import Foundation

/// Which code produced a run: the package version compiled into the binary, and the git commit of the
/// source tree when one can be read at run time.
public struct CodeVersion: Sendable, Equatable, Codable {
    /// The package version constant compiled into this build (``CodeVersion/packageVersion``).
    public var package: String
    /// The git commit (40 hex digits) of the repository the binary was run from or built in, if found.
    public var commit: String?
    /// Whether tracked files differed from that commit; `nil` when no commit was found.
    public var dirty: Bool?

    public init(package: String, commit: String?, dirty: Bool?) {
        self.package = package
        self.commit = commit
        self.dirty = dirty
    }

    /// The build-time version of the package; bumped with each release.
    public static let packageVersion = "0.1.0"

    /// The version with no git information: what a binary reports outside any repository.
    public static let build = CodeVersion(package: packageVersion, commit: nil, dirty: nil)

    /// The code version read at run time: the commit of the git work tree containing `directory`
    /// (by default the running executable's directory, e.g. `<repo>/.build/debug`), else ``build``.
    ///
    /// Runs `git rev-parse HEAD` and `git status --porcelain --untracked-files=no` there; when git is
    /// missing or the directory is not in a work tree, the result has no commit.
    public static func detect(in directory: URL? = nil) -> CodeVersion {
        let start =
            directory ?? Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        guard let head = git(["rev-parse", "HEAD"], in: start)?.trimmingCharacters(in: .whitespacesAndNewlines),
            head.count == 40, head.allSatisfy(\.isHexDigit)
        else { return build }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: start)
        return CodeVersion(package: packageVersion, commit: head, dirty: status.map { !$0.isEmpty })
    }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
