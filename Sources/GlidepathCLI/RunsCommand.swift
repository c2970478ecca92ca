import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab

/// `glidepath runs`: inspect and export the run store.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show and export recorded training runs.",
        discussion: """
            Runs are recorded in one SQLite file, by default ./\(RunStore.defaultFileName) in the working \
            directory; pass --store FILE to read another. These commands only read the store.
            """,
        subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsExportCommand.self, RunsExportModelCommand.self])
}

/// The `--store` option shared by every command that reads or writes the run store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The run store file.", valueName: "file"))
    var store: String = RunStore.defaultFileName

    /// The store opened read-only (never created or migrated; no file is created beside it).
    func openForReading() throws -> RunStore {
        try RunStore(path: store, access: .readOnly)
    }

    /// The store opened read-only and checked (`PRAGMA quick_check`), for a command that reads a
    /// whole run: a damaged store is an error, never a shorter output.
    func openVerified() throws -> RunStore {
        let opened = try RunStore(path: store, access: .readOnly)
        try opened.verifyIntegrity()
        return opened
    }
}

struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the runs in the store, oldest first.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openForReading()
        print(RunsText.list(try store.runs(), storePath: store.path), terminator: "")
    }
}

struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: configuration, provenance, epochs, checkpoints and result.")

    @Argument(help: ArgumentHelp("The run's identifier, or a prefix of it that matches one run.", valueName: "run"))
    var runReference: String

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openVerified()
        let record = try store.run(matching: runReference)
        let epochs = try store.epochs(of: record.id)
        // Steps are aggregated through a database cursor, one row in memory at a time (as `runs export`
        // streams them): a run of millions of steps is summarised in constant memory.
        var steps = try StepSummary()
        try store.forEachStep(of: record.id) { try steps.add($0) }
        let target = (try? record.configuration())?.targetValidationLoss
        let analysis = try RunAnalysis(epochs: epochs, steps: steps, target: target)
        // Paths as recorded (relative to the store's directory), not resolved against this machine.
        let checkpoints = try store.checkpoints(of: record.id).map { checkpoint in
            var shown = checkpoint
            shown.path = store.recordedPath(of: checkpoint)
            return shown
        }
        print(
            try RunsText.show(
                record, epochs: epochs, checkpoints: checkpoints,
                analysis: analysis, target: target),
            terminator: "")
        print(RunsText.probes(try store.probes(of: record.id), epochs: epochs), terminator: "")
    }
}

extension RunExport.Format: ExpressibleByArgument {}
extension RunExport.Table: ExpressibleByArgument {}

struct RunsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export one run's steps, epochs or landscape probes as CSV or JSON lines.",
        discussion: """
            One row per step (or epoch) with the run id, task, scheduler and seed on every row, so exports \
            of many runs concatenate. Numbers are written in shortest round-trip form.
            """)

    @Argument(help: ArgumentHelp("The run's identifier, or a prefix of it that matches one run.", valueName: "run"))
    var runReference: String

    @Option(help: "Output format: csv or jsonl.")
    var format: RunExport.Format = .csv

    @Option(name: [.customLong("table"), .customLong("what")], help: "Rows: steps, epochs or probes.")
    var table: RunExport.Table = .steps

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Write to this file instead of standard output (a symbolic link, FIFO or device is written through; an existing file keeps its mode and links).",
            valueName: "file"))
    var output: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openVerified()
        let record = try store.run(matching: runReference)
        guard let output else {
            // Streamed: one row at a time from a database cursor (a run of millions of steps is never in memory).
            try RunExport.export(record, from: store, table: table, format: format) { print($0, terminator: "") }
            return
        }
        // Never replaces a symlink, device, FIFO or hard link, and keeps a file's mode (OutputFile); a
        // replaced file is put in place only once the whole export is written.
        do {
            let file = try OutputFile(path: output)
            var buffer = Data()
            try RunExport.export(record, from: store, table: table, format: format) { line in
                buffer.append(contentsOf: line.utf8)
                if buffer.count >= 1 << 16 {
                    try file.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try file.write(buffer)
            try file.commit()
        } catch let error as OutputFile.WriteError {
            throw reportFailure("error: runs export: \(error)")
        }
    }
}
