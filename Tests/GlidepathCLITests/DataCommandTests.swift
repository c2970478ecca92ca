import Foundation
import GlidepathTestSupport
import Testing

/// Runs the built `glidepath` binary without `GLIDEPATH_DATA_DIR` (unless `environment` sets it).
enum DataCLI {
    typealias Output = ProcessOutcome

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        var variables: [String: String?] = ["GLIDEPATH_DATA_DIR": nil]
        for (key, value) in environment { variables[key] = value }
        return try runGlidepath(arguments, environment: variables)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("glidepath data")
struct DataCommandTests {
    @Test func unknownDatasetNameIsAUsageError() throws {
        let output = runInProcess(["data", "info", "cifar100"])
        #expect(output.status == 64)  // ArgumentParser's EX_USAGE
        #expect(output.message.contains("cifar100"))
    }

    /// A directory with Adult's training file but not its test file: the training split is printed, the
    /// test split is named unavailable, and the exit status says the dataset is incomplete.
    @Test func infoFailsWhenAnySplitIsUnreadable() throws {
        let root = try DataCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let adult = root.appendingPathComponent("adult")
        try FileManager.default.createDirectory(at: adult, withIntermediateDirectories: true)
        let row =
            "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, "
        try Data((row + "<=50K\n" + row + ">50K\n").utf8).write(to: adult.appendingPathComponent("adult.data"))
        let info = try DataCLI.run(["data", "info", "adult", "--data-dir", root.path])
        #expect(info.status == 1)
        #expect(info.standardOutput.contains("train: 2 examples\n    <=50K: 1 (50.00%)\n    >50K: 1 (50.00%)"))
        #expect(info.standardOutput.contains("test: unavailable: "), "\(info.standardOutput)")
        #expect(info.standardError.isEmpty, "\(info.standardError)")
    }

    /// A hand-made Adult directory: info reads it; verify refuses its unknown checksum and counts.
    @Test func infoAndVerifyOnAGeneratedDirectory() throws {
        let root = try DataCLI.temporaryDirectory()
        let adult = root.appendingPathComponent("adult")
        try FileManager.default.createDirectory(at: adult, withIntermediateDirectories: true)
        let row =
            "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, "
        try Data((row + "<=50K\n" + row + ">50K\n" + row + "<=50K\n").utf8).write(
            to: adult.appendingPathComponent("adult.data"))
        try Data(("|1x3 Cross validator\n" + row + ">50K.\n").utf8).write(
            to: adult.appendingPathComponent("adult.test"))
        let info = try DataCLI.run(["data", "info", "adult", "--data-dir", root.path])
        #expect(info.status == 0)
        // 3 training rows (2 <=50K, 1 >50K) and 1 test row, as written above.
        #expect(info.standardOutput.contains("train: 3 examples\n    <=50K: 2 (66.67%)\n    >50K: 1 (33.33%)"))
        #expect(info.standardOutput.contains("test: 1 examples"))
        let verify = try DataCLI.run(["data", "verify", "adult", "--data-dir", root.path])
        #expect(verify.status == 1)
        #expect(verify.standardOutput.contains("is not a known checksum"))
        #expect(verify.standardOutput.contains("class counts [2, 1], expected [24720, 7841]"))
        // The environment variable is the default data directory.
        let fromEnvironment = try DataCLI.run(
            ["data", "info", "adult"], environment: ["GLIDEPATH_DATA_DIR": root.path])
        #expect(fromEnvironment.standardOutput == info.standardOutput)
        try? FileManager.default.removeItem(at: root)
    }

    @Test func missingDatasetFailsWithTheFileName() throws {
        let root = try DataCLI.temporaryDirectory()
        let absent = try DataCLI.run(["data", "info", "mnist", "--data-dir", root.path])
        #expect(absent.status == 1)
        #expect(absent.standardOutput.contains("train: unavailable: \(root.path)/mnist: file not found"))
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        let empty = try DataCLI.run(["data", "info", "mnist", "--data-dir", root.path])
        #expect(empty.status == 1)
        #expect(empty.standardOutput.contains("mnist/train-images-idx3-ubyte.gz: file not found"))
        try? FileManager.default.removeItem(at: root)
    }

    /// `fetch` with a local mirror holding a tampered file: the checksum check refuses it.
    @Test func fetchRefusesAWrongChecksum() throws {
        let root = try DataCLI.temporaryDirectory()
        let mirror = root.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: mirror, withIntermediateDirectories: true)
        try Data("not the real adult.data\n".utf8).write(to: mirror.appendingPathComponent("adult.data"))
        let output = try DataCLI.run([
            "data", "fetch", "adult", "--data-dir", root.appendingPathComponent("data").path,
            "--mirror", mirror.path,
        ])
        #expect(output.status == 1)
        #expect(output.standardError.contains("checksum mismatch"))
        // adult.data's canonical md5:
        #expect(output.standardError.contains("expected 5d7c39d7b8804f071cdd1f2a7c460872"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("data/adult/adult.data").path))
        try? FileManager.default.removeItem(at: root)
    }

    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func fetchAndVerifyRealAdultFromALocalMirror() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let root = try DataCLI.temporaryDirectory()
        let fetch = try DataCLI.run([
            "data", "fetch", "adult", "--data-dir", root.path,
            "--mirror", data.appendingPathComponent("adult").path,
        ])
        #expect(fetch.status == 0, "\(fetch.standardError)")
        let verify = try DataCLI.run(["data", "verify", "adult", "--data-dir", root.path])
        #expect(verify.status == 0, "\(verify.standardOutput)")
        #expect(verify.standardOutput.hasSuffix("verified\n"))
        let shared = try DataCLI.run(["data", "verify", "mnist", "--data-dir", data.path])
        #expect(shared.status == 0, "\(shared.standardOutput)")
        try? FileManager.default.removeItem(at: root)
    }
}
