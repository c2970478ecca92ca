import ArgumentParser
import Foundation
import GlidepathLab

/// `GlidepathLabProbe`: helper modes that let the CLI tests exercise signal handling and atomic
/// checkpoint writes in a real child process. A test-only executable: not part of the shipped
/// `glidepath`.
@main
struct LabProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "GlidepathLabProbe",
        abstract: "Test helpers for signal handling and checkpoint writes.",
        subcommands: [InterruptProbe.self, CheckpointWritesProbe.self])
}

/// Writes a line to standard output immediately (a test waits for it through a pipe).
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The training-loop shape: steps until SIGINT/SIGTERM, then checkpoints and exits with 128 + signal.
struct InterruptProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interrupt",
        abstract: "Step until SIGINT or SIGTERM, then write a checkpoint and exit with 128 + the signal number.")

    @Option(help: "Checkpoint file to write on interruption.")
    var checkpoint: String

    @Option(help: "Give up (exit 3) after this many steps without a signal.")
    var maximumSteps = 200_000

    @Option(help: "Milliseconds to stall before writing the checkpoint (a hanging write).")
    var checkpointDelayMilliseconds = 0

    func run() throws {
        let monitor = InterruptMonitor()
        monitor.start()
        say("ready")
        var step = 0
        while step < maximumSteps {
            step += 1
            usleep(1_000)  // one "training step"
            guard let signal = monitor.requestedSignal else { continue }
            say("stopping on \(signal)")
            if checkpointDelayMilliseconds > 0 { usleep(UInt32(checkpointDelayMilliseconds) * 1_000) }
            let state = Checkpoint(
                counters: TrainingCounters(completedEpochs: 0, stepsIntoEpoch: step, completedSteps: step),
                modelState: Data(), optimizerState: Data(), schedulerState: .object(["stepCount": .int(step)]),
                randomState: Data(), loaderState: .object(["signal": .string(signal.description)]))
            try CheckpointFile.write(state, to: checkpoint)
            say("stopped by \(signal) at step \(step)")
            monitor.stop()
            throw ExitCode(signal.exitStatus)
        }
        say("no signal after \(step) steps")
        throw ExitCode(3)
    }
}

/// Overwrites one checkpoint file again and again, for a test that kills it with SIGKILL mid-write.
struct CheckpointWritesProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint-writes",
        abstract: "Write checkpoints 1…8 in turn to the same file until killed or --count writes are done.")

    @Option(help: "Checkpoint file to overwrite.")
    var checkpoint: String

    @Option(help: "Bytes of model state per checkpoint.")
    var modelBytes = 1 << 20

    @Option(help: "Number of checkpoints to write.")
    var count = 100_000

    func run() throws {
        // Encode checkpoints 1…8 once and cycle through them, so the loop's time goes into the atomic
        // file replacement itself and a kill most likely lands mid-write.
        let base = Self.basePattern(modelBytes: modelBytes)
        let files = try (1...8).map { try CheckpointFile.encode(Self.checkpoint(number: $0, base: base)) }
        for iteration in 0..<max(1, count) {
            try AtomicFile.write(files[iteration % files.count], to: checkpoint)
            if iteration == 0 { say("ready") }
        }
    }

    /// Byte i of the base model state: (31·i) mod 256.
    static func basePattern(modelBytes: Int) -> [UInt8] {
        (0..<modelBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    }

    /// Checkpoint `number`: the base pattern with every 4096th byte XORed with the number's low byte, so
    /// a reader can check that the file it sees is one complete checkpoint and not a mixture of two.
    static func checkpoint(number: Int, base: [UInt8]) -> Checkpoint {
        var bytes = base
        for index in stride(from: 0, to: bytes.count, by: 4096) { bytes[index] ^= UInt8(truncatingIfNeeded: number) }
        let model = Data(bytes)
        return Checkpoint(
            counters: TrainingCounters(completedEpochs: number, stepsIntoEpoch: 0, completedSteps: number),
            modelState: model, optimizerState: Data(), schedulerState: .int(number), randomState: Data(),
            loaderState: .null)
    }
}
