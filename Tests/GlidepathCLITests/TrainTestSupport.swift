import Foundation
import Glidepath
import GlidepathLab
import GlidepathTestSupport
import Testing

/// The small, fast configuration the `glidepath train` tests use: adult-mlp on the first 1,024 training
/// examples (8 updates of 128 per epoch), evaluated on a seeded stratified sample of 500 validation and test examples.
func smallAdultArguments(dataDirectory: URL, epochs: Int = 3, scheduler: String = "dlrs", seed: Int = 5) -> [String] {
    [
        "train", "--task", "adult-mlp", "--scheduler", scheduler, "--epochs", "\(epochs)", "--seed", "\(seed)",
        "--data-dir", dataDirectory.path, "--train-limit", "1024", "--eval-limit", "500", "--json",
    ]
}

/// The `--json` result: the last line of standard output.
func decodeResult(_ outcome: ProcessOutcome) throws -> RunResultRecord {
    let line = try #require(
        outcome.standardOutput.split(separator: "\n").last, "no JSON line; stderr: \(outcome.standardError)")
    return try StateCoding.decoder().decode(RunResultRecord.self, from: Data(line.utf8))
}

/// A `glidepath` child whose standard error is collected as it arrives, so a test can act (signal it)
/// at a chosen point of its progress output.
final class WatchedGlidepath: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var errorText = ""
    private var outputText = ""
    private let errorPipe = Pipe(), outputPipe = Pipe()

    init(_ arguments: [String], in directory: URL) throws {
        process.executableURL = try glidepathBinary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.errorText += String(decoding: data, as: UTF8.self); self.lock.unlock()
        }
        outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.outputText += String(decoding: data, as: UTF8.self); self.lock.unlock()
        }
        try process.run()
    }

    var standardError: String { lock.lock(); defer { lock.unlock() }; return errorText }

    /// Waits until standard error contains `text` (true), or the process ended / `timeout` passed (false).
    func waitFor(_ text: String, timeout: Double = 300) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if standardError.contains(text) { return true }
            if !process.isRunning { return standardError.contains(text) }
            usleep(20_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit and returns the status.
    func finish() -> ProcessOutcome {
        process.waitUntilExit()
        usleep(100_000)
        errorPipe.fileHandleForReading.readabilityHandler = nil
        outputPipe.fileHandleForReading.readabilityHandler = nil
        lock.lock(); defer { lock.unlock() }
        return ProcessOutcome(status: process.terminationStatus, standardOutput: outputText, standardError: errorText)
    }
}

/// Everything recorded about a run that must not depend on interruptions: every step (loss, rates,
/// gradient norm) and every epoch's losses and metrics, as bit patterns. Wall times are left out.
func deterministicRecord(store path: String, run: String) throws -> [String] {
    let store = try RunStore(path: path, access: .readOnly)
    let record = try store.run(matching: run)
    var lines: [String] = []
    for step in try store.steps(of: record.id) {
        lines.append(
            "step \(step.step) epoch \(step.epoch) loss \(step.loss.bitPattern) "
                + "norm \(step.gradientNorm?.bitPattern ?? 0) rates \(step.learningRates.map(\.bitPattern))")
    }
    for epoch in try store.epochs(of: record.id) {
        lines.append(
            "epoch \(epoch.epoch) train \(epoch.trainLoss.bitPattern) val \(epoch.validationLoss.bitPattern) "
                + "acc \(epoch.validationAccuracy.bitPattern) f1 \(epoch.validationF1.bitPattern) "
                + "auc \(epoch.validationAUC?.bitPattern ?? 0) rates \(epoch.learningRates.map(\.bitPattern))")
    }
    return lines
}

/// The result's fields that must be bit-identical between an interrupted and an uninterrupted run.
func deterministicFields(_ result: RunResultRecord) -> [String] {
    [
        "\(result.epochs)", result.status.rawValue, "\(result.testLoss.bitPattern)",
        "\(result.testAccuracy.bitPattern)",
        "\(result.testF1.bitPattern)", "\(result.testAUC?.bitPattern ?? 0)", "\(result.bestValLoss.bitPattern)",
        "\(result.epochsToTarget ?? -1)",
    ]
}
