import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

/// The built `glidepath` binary: beside the test bundle (`.build/<triple>/debug/`), else
/// `<repository>/.build/debug/glidepath`.
func glidepathBinary() throws -> URL { try builtExecutable("glidepath") }

/// A product built next to the test bundle (or in `.build/debug`): `glidepath`, or the test-only
/// `GlidepathLabProbe`.
func builtExecutable(_ name: String) throws -> URL {
    var candidates: [URL] = []
    if let executable = Bundle.main.executableURL {
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent(name))
    }
    candidates.append(
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name))
    candidates.append(TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/\(name)"))
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw BinaryNotFound(name: name, searched: candidates.map(\.path))
    }
    return found
}

struct BinaryNotFound: Error, CustomStringConvertible {
    var name: String
    var searched: [String]
    var description: String {
        "\(name) not found (run swift build --build-tests); searched \(searched.joined(separator: ", "))"
    }
}

/// What a finished `glidepath` process printed and returned.
struct ProcessOutcome {
    var status: Int32
    var standardOutput: String
    var standardError: String
    /// The non-empty lines of standard output.
    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

/// Runs `glidepath arguments…` to completion: in `directory` (nil: the test process's), with the
/// variables of `environment` set (a nil value removes one), reading `standardInput` (nil: none).
func runGlidepath(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:],
    standardInput: Data? = nil
) throws -> ProcessOutcome {
    let process = Process()
    process.executableURL = try glidepathBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if !environment.isEmpty {
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
    }
    let output = Pipe()
    let error = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput == nil ? FileHandle.nullDevice : input
    try process.run()
    if let standardInput {
        input.fileHandleForWriting.write(standardInput)
        try input.fileHandleForWriting.close()
    }
    // Read both pipes before waiting, so a large output cannot fill a pipe and block the child.
    let errorData = LockedData()
    let errorReader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
    errorReader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.isSet { usleep(1_000) }
    return ProcessOutcome(
        status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData.value, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}

/// A fresh temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Builds `glidepath-runs.sqlite` in `directory` through the library: a completed two-epoch run of
/// `adult-mlp` and a running `mnist-cnn` run with no epochs yet, on a manual clock starting at
/// 2026-11-23T07:17:49.250Z, with a fixed machine and code version.
@discardableResult
func makeFixtureStore(in directory: URL) throws -> (completed: RunIdentifier, running: RunIdentifier) {
    let clock = ManualClock(start: Date(timeIntervalSince1970: 1_795_418_269.25))
    let store = try RunStore(path: directory.appendingPathComponent(RunStore.defaultFileName).path, clock: clock)
    let machine = MachineDescription(
        cpuModel: "Test CPU", logicalCores: 2, memoryBytes: 1 << 34, operatingSystem: "Test OS",
        kernel: "6.1", loadAverages: [0.5, 0.25, 0.125],
        threads: ThreadSettings(computeThreads: 2, environment: ["OMP_NUM_THREADS": "1"]))
    let code = CodeVersion(package: "0.1.0", commit: String(repeating: "a", count: 40), dirty: false)
    let configuration = RunConfiguration(
        task: .adultMLP, scheduler: "cosine",
        schedulerConfiguration: .object(["totalSteps": .int(6)]), epochs: 2, seed: 7,
        dataDirectory: "/data", targetValidationLoss: 0.4, threads: 2)
    let completed = try store.createRun(configuration: configuration, codeVersion: code, machine: machine)
    for epoch in 1...2 {
        clock.advance(by: 10)
        let steps = (1...3).map { index in
            let step = 3 * (epoch - 1) + index
            return StepRecord(
                step: step, epoch: epoch, loss: 0.7 - 0.05 * Double(step), learningRates: [1e-3 / Double(step)],
                gradientNorm: Double(step) / 4)
        }
        try store.commit(
            RunCommit(
                steps: steps,
                epoch: EpochRecord(
                    epoch: epoch, trainLoss: 0.6 / Double(epoch), validationLoss: 0.5 / Double(epoch),
                    validationAccuracy: 0.75 + 0.05 * Double(epoch), validationF1: 0.7, validationAUC: 0.8,
                    learningRates: [1e-3 / Double(3 * epoch)], trainSeconds: 9.5, evaluationSeconds: 0.5),
                checkpoint: CheckpointRecord(
                    step: 3 * epoch, epoch: epoch, reason: .epoch, path: "checkpoints/epoch-\(epoch).gpck",
                    checksum: "0000000\(epoch)", byteCount: 1000 + epoch, createdAt: clock.now())),
            to: completed)
    }
    let result = RunResultRecord(
        runId: completed.rawValue, task: .adultMLP, scheduler: "cosine", seed: 7, epochs: 2,
        status: .completed, testLoss: 0.3, testAccuracy: 0.85, testF1: 0.75, testAUC: 0.9,
        bestValLoss: 0.25, epochsToTarget: 2, secondsToTarget: 19, trainSeconds: 19,
        evaluationSeconds: 1)
    try store.commit(RunCommit(status: .completed, result: result), to: completed)
    clock.advance(by: 30)
    let running = try store.createRun(
        configuration: RunConfiguration(
            task: .mnistCNN, scheduler: "dlrs", schedulerConfiguration: .object([:]), seed: 1,
            dataDirectory: "/data", threads: 2),
        codeVersion: CodeVersion.build, machine: machine)
    return (completed, running)
}
