import ArgumentParser
import Foundation
import GlidepathData

/// `glidepath data`: dataset information, verification and download.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, verify and download the datasets.",
        subcommands: [DataInfoCommand.self, DataVerifyCommand.self, DataFetchCommand.self])
}

extension DatasetName: ExpressibleByArgument {}

/// `--data-dir`, shared by every data subcommand.
struct DataDirectoryOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory holding one folder per dataset (mnist/, cifar10/, …).",
            discussion:
                "Default: $GLIDEPATH_DATA_DIR if set, else ~/.glidepath/data. Fashion-MNIST falls back to Debian's /usr/share/datasets/fashion-mnist."
        ),
        completion: .directory)
    var dataDirectory: String?

    /// The data directory: the option, else `$GLIDEPATH_DATA_DIR`, else `~/.glidepath/data`.
    var resolved: String { Self.resolve(dataDirectory) }

    /// `given`, else `$GLIDEPATH_DATA_DIR`, else `~/.glidepath/data`.
    static func resolve(_ given: String?) -> String {
        if let dataDirectory = given { return dataDirectory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["GLIDEPATH_DATA_DIR"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".glidepath/data").path
    }

    /// The folder of one dataset (see `DatasetCatalog.directory(for:in:)`).
    func directory(for name: DatasetName) -> String {
        DatasetCatalog.directory(for: name, in: resolved)
    }
}

/// Formats class counts as `name count (share%)`, one class per line.
func formatClassCounts(names: [String], counts: [Int]) -> [String] {
    let total = max(counts.reduce(0, +), 1)
    return zip(names, counts).map { name, count in
        let share = String(format: "%.2f", 100 * Double(count) / Double(total))
        return "    \(name): \(count) (\(share)%)"
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
