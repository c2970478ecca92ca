import ArgumentParser
import Foundation
import GlidepathLab
import GlidepathNN

/// `glidepath runs export-model`: a run's model at its last checkpoint as a safetensors file.
struct RunsExportModelCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case safetensors }

    static let configuration = CommandConfiguration(
        commandName: "export-model",
        abstract: "Write a run's model parameters and buffers (last checkpoint) as safetensors.",
        discussion: """
            Tensors carry PyTorch's state_dict names and layouts (docs/tasks.md), so \
            model.load_state_dict(safetensors.torch.load_file(FILE)) loads them into the equivalent module.
            """)

    @Argument(help: ArgumentHelp("The run's identifier, or a unique prefix.", valueName: "run"))
    var runReference: String

    @Option(help: "The file format.")
    var format: Format = .safetensors

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The file to write (a symbolic link, FIFO or device is written through; an existing file keeps its mode and links).",
            valueName: "file"))
    var output: String

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let loaded = try CheckpointedModel.load(run: runReference, storePath: storeOptions.store)
        let file = loaded.model.module.safeTensors(metadata: [
            "run": loaded.record.id.rawValue, "task": loaded.configuration.task.rawValue,
            "step": "\(loaded.checkpoint.step)", "format": "pt",
        ])
        try writeOutput(try file.encoded(), to: output, command: "runs export-model")
    }
}
