import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

/// Issue 17 follow-up: `lr-find --output`, `runs export-model -o`, `probe --save-inputs` and `meta-train
/// --output` replaced their output by an atomic rename, like `runs export -o` before it. All now write
/// through `OutputFile` (`writeOutput`): a symbolic link stays a link and its target gets the bytes, an
/// existing file keeps its mode, a hard-linked file keeps its links, a directory is refused. Checked
/// here on the two that are cheap to run end to end (a 5-update range test and a 1-epoch run on 256
/// Adult rows); `probe` and `meta-train` call the same `writeOutput`.
@Suite("lr-find and runs export-model outputs: links, modes and hard links kept")
struct OutputPathTests {
    func mode(_ path: String) -> mode_t {
        var status = stat()
        _ = stat(path, &status)
        return status.st_mode & 0o7777
    }

    func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    func links(_ path: String) -> Int {
        var status = stat()
        _ = stat(path, &status)
        return Int(status.st_nlink)
    }

    /// A symbolic link `link` → `target` (holding "old"), a mode-600 file, a hard-linked pair and a
    /// directory in `directory`.
    func makeTargets(_ directory: TemporaryDirectory, suffix: String) throws {
        try Data("old".utf8).write(to: directory.url.appendingPathComponent("target.\(suffix)"))
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("link.\(suffix)"), withDestinationPath: "target.\(suffix)")
        #expect(
            FileManager.default.createFile(
                atPath: directory.path("secret.\(suffix)"), contents: Data("old".utf8),
                attributes: [.posixPermissions: 0o600]))
        try Data("old".utf8).write(to: directory.url.appendingPathComponent("first.\(suffix)"))
        try FileManager.default.linkItem(
            atPath: directory.path("first.\(suffix)"), toPath: directory.path("second.\(suffix)"))
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("folder.\(suffix)"), withIntermediateDirectories: false)
    }

    /// Runs `command(output)` for each target and checks the output-file rules.
    func check(
        _ directory: TemporaryDirectory, suffix: String, name: String, isOutput: (Data) -> Bool,
        _ command: (String) throws -> ProcessOutcome
    ) throws {
        try makeTargets(directory, suffix: suffix)
        let viaLink = try command(directory.path("link.\(suffix)"))
        #expect(viaLink.status == 0, "\(viaLink.standardError)")
        #expect(isSymbolicLink(directory.path("link.\(suffix)")), "\(name): the link stays a link")
        #expect(isOutput(try Data(contentsOf: directory.url.appendingPathComponent("target.\(suffix)"))))

        let secret = try command(directory.path("secret.\(suffix)"))
        #expect(secret.status == 0, "\(secret.standardError)")
        #expect(mode(directory.path("secret.\(suffix)")) == 0o600, "\(name): the file keeps its mode")
        #expect(isOutput(try Data(contentsOf: directory.url.appendingPathComponent("secret.\(suffix)"))))

        let hardLinked = try command(directory.path("first.\(suffix)"))
        #expect(hardLinked.status == 0, "\(hardLinked.standardError)")
        #expect(links(directory.path("first.\(suffix)")) == 2, "\(name): the hard link is not split")
        #expect(isOutput(try Data(contentsOf: directory.url.appendingPathComponent("second.\(suffix)"))))

        let folder = directory.path("folder.\(suffix)")
        let refused = try command(folder)
        #expect(refused.status == 1)
        #expect(
            refused.standardError.contains("error: \(name): cannot write the output file \(folder): it is a directory"),
            "\(refused.standardError)")
    }

    @Test(
        "lr-find --output and runs export-model -o follow OutputFile's rules",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func outputs() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let isSVG = { (bytes: Data) in bytes.starts(with: Data("<svg".utf8)) }
        try check(directory, suffix: "svg", name: "lr-find", isOutput: isSVG) {
            try runGlidepath(
                [
                    "lr-find", "--task", "adult-mlp", "--data-dir", data.path, "--train-limit", "256", "--updates", "5",
                    "--output", $0,
                ], in: directory.url)
        }
        let train = try runGlidepath(
            [
                "train", "--task", "adult-mlp", "--scheduler", "cosine", "--epochs", "1", "--train-limit", "256",
                "--eval-limit", "64", "--data-dir", data.path, "--json",
            ], in: directory.url)
        #expect(train.status == 0, "\(train.standardError)")
        let run = try #require(
            train.lines.last.flatMap { $0.split(separator: "\"").dropFirst().first(where: { $0.hasPrefix("20") }) })
        // A safetensors file starts with its 8-byte little-endian header length, then the JSON header.
        let isSafeTensors = { (bytes: Data) in bytes.count > 9 && bytes[8] == UInt8(ascii: "{") }
        try check(directory, suffix: "safetensors", name: "runs export-model", isOutput: isSafeTensors) {
            try runGlidepath(["runs", "export-model", String(run), "-o", $0], in: directory.url)
        }
    }
}
