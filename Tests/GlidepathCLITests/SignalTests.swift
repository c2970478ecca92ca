import Foundation
import GlidepathLab
import GlidepathTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of the test-only `GlidepathLabProbe` whose standard output is read line by line.
final class ChildProcess {
    let process = Process()
    private let output = Pipe()
    private var buffer = ""

    init(_ arguments: [String]) throws {
        process.executableURL = try builtExecutable("GlidepathLabProbe")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Reads until a line equal to `line` arrives; false if the child closed its output first.
    func waitForLine(_ line: String) -> Bool {
        while !buffer.split(separator: "\n").contains(Substring(line)) {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return false }
            buffer += String(decoding: data, as: UTF8.self)
        }
        return true
    }

    /// Everything the child wrote, after it exited.
    func finish() -> (status: Int32, reason: Process.TerminationReason, output: String) {
        buffer += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, buffer)
    }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }
}

@Suite("Signals and kills")
struct SignalTests {
    @Test(
        "SIGINT and SIGTERM set the flag: the loop checkpoints and exits with 128 + signal",
        arguments: [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))])
    func gracefulStop(signal: Int32, name: String, exitStatus: Int32) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoint = directory.path("interrupt.gpck")
        let child = try ChildProcess(["interrupt", "--checkpoint", checkpoint])
        #expect(child.waitForLine("ready"))
        // Sent right after "ready": start() returns only once the signal sources are armed.
        child.send(signal)
        let (status, reason, output) = child.finish()
        #expect(reason == .exit, "the process must exit by itself, not die of the signal")
        #expect(status == exitStatus)  // 128 + 2 or 128 + 15
        #expect(output.contains("stopped by \(name) at step "))
        let state = try CheckpointFile.read(from: checkpoint)
        #expect(state.counters.completedSteps >= 1)
        #expect(state.loaderState == .object(["signal": .string(name)]))
        #expect(output.contains("at step \(state.counters.completedSteps)\n"))
    }

    @Test("a second signal while the checkpoint is pending exits at once with 128 + signal")
    func secondSignal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoint = directory.path("never.gpck")
        // The probe stalls 20 s before writing its checkpoint, like a hanging write.
        let child = try ChildProcess([
            "interrupt", "--checkpoint", checkpoint,
            "--checkpoint-delay-milliseconds", "20000",
        ])
        #expect(child.waitForLine("ready"))
        child.send(SIGTERM)
        #expect(child.waitForLine("stopping on SIGTERM"))
        child.send(SIGTERM)
        let (status, reason, output) = child.finish()
        #expect(reason == .exit && status == 143)
        #expect(!output.contains("stopped by"))
        // It exited during the stall, before any checkpoint was written.
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
    }

    @Test("control: with no signal the probe runs out its steps and exits 3 without a checkpoint")
    func noSignal() throws {
        // Control: the probe exits 3 after a few steps when no signal comes, proving the loop and the
        // exit path work without a signal (so the graceful-stop test's exit codes come from the signal).
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try ChildProcess(["interrupt", "--checkpoint", directory.path("x.gpck"), "--maximum-steps", "5"])
        let (status, reason, output) = child.finish()
        #expect(reason == .exit && status == 3)
        #expect(output.contains("no signal after 5 steps"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("x.gpck")))
    }

    @Test("SIGKILL during checkpoint writes never leaves a corrupt or mixed checkpoint")
    func killDuringWrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("latest.gpck")
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let child = try ChildProcess(["checkpoint-writes", "--checkpoint", path, "--model-bytes", "1048576"])
            #expect(child.waitForLine("ready"))
            // Kill at a random moment within 0.3 s, while the child replaces the 1 MiB file again and again.
            usleep(UInt32.random(in: 1_000...300_000, using: &generator))
            child.send(SIGKILL)
            let (_, reason, _) = child.finish()
            #expect(reason == .uncaughtSignal, "round \(round): the child should have been killed")
            let checkpoint = try CheckpointFile.read(from: path)
            let number = checkpoint.counters.completedSteps
            #expect(number >= 1)
            // The model bytes must be exactly those of checkpoint `number`: one complete write, not a mixture.
            // Base byte i = 31·i mod 256, every 4096th byte XORed with the number (the probe's definition).
            var expectedBytes = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            for index in stride(from: 0, to: expectedBytes.count, by: 4096) {
                expectedBytes[index] ^= UInt8(truncatingIfNeeded: number)
            }
            let expectedModel = Data(expectedBytes)
            #expect(
                checkpoint.modelState == expectedModel, "round \(round): checkpoint \(number) has foreign model bytes")
            #expect(checkpoint.schedulerState == .int(number))
            let leftovers = AtomicFile.removeStaleTemporaries(in: directory.url.path)
            if ProcessInfo.processInfo.environment["GLIDEPATH_VERBOSE_TESTS"] == "1" {
                print("kill round \(round): checkpoint \(number) intact, \(leftovers) interrupted write(s) left behind")
            }
        }
    }
}
