import Foundation
import Testing

@testable import GlidepathCLI

/// Argument parsing and validation of `glidepath`, in process (``runInProcess(_:)``): what a mistyped
/// command line gets, without starting a child process.
@Suite("glidepath arguments")
struct ArgumentTests {
    @Test("the test helper lab-probe is not part of the shipped binary")
    func labProbeIsNotShipped() {
        let result = runInProcess(["lab-probe"])
        #expect(result.status == 64)  // EX_USAGE: an unknown subcommand
        #expect(result.message.contains("Unexpected argument 'lab-probe'"), "\(result.message)")
        #expect(!GlidepathCommandNames.subcommands.contains("lab-probe"))
    }

    @Test("a new training run needs --task and --scheduler; --resume takes neither")
    func trainNeedsTaskAndScheduler() {
        let noTask = runInProcess(["train", "--scheduler", "cosine"])
        #expect(noTask.status == 64 && noTask.message.contains("missing --task (one of mnist-cnn"), "\(noTask.message)")
        let noScheduler = runInProcess(["train", "--task", "adult-mlp"])
        #expect(noScheduler.status == 64 && noScheduler.message.contains("missing --scheduler NAME"))
        let both = runInProcess(["train", "--resume", "2026", "--task", "adult-mlp"])
        #expect(both.status == 64 && both.message.contains("--resume continues a run with its recorded configuration"))
        let batching = runInProcess(["train", "--resume", "2026", "--text-batching", "padded"])
        #expect(
            batching.status == 64
                && batching.message.contains("--resume continues a run with its recorded configuration"))
    }

    @Test("enumerated options refuse values outside their cases, naming them")
    func enumeratedOptions() {
        let format = runInProcess(["schedule", "--config", "c.json", "--format", "png"])
        #expect(format.status == 64 && format.message.contains("png"), "\(format.message)")
        let optimizer = runInProcess(["train", "--task", "adult-mlp", "--scheduler", "cosine", "--optimizer", "lion"])
        #expect(optimizer.status == 64 && optimizer.message.contains("lion"), "\(optimizer.message)")
        let convention = runInProcess(["meta-train", "--task", "adult-mlp", "--gate-convention", "sideways"])
        #expect(convention.status == 64 && convention.message.contains("sideways"), "\(convention.message)")
        let batching = runInProcess([
            "train", "--task", "sst2-bilstm", "--scheduler", "cosine", "--text-batching", "sorted",
        ])
        #expect(batching.status == 64 && batching.message.contains("sorted"), "\(batching.message)")
    }
}

/// The shipped binary's subcommand names.
enum GlidepathCommandNames {
    static var subcommands: [String] {
        GlidepathCommand.configuration.subcommands.map { $0.configuration.commandName ?? "\($0)" }
    }
}
