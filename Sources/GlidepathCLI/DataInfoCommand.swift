import ArgumentParser
import GlidepathData

/// `glidepath data info NAME`: split sizes and class balance.
struct DataInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print split sizes and class balance of a dataset.",
        discussion: "Exits with status 1 when any split cannot be read (after printing the splits that could).")

    @Argument(help: "The dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: DatasetName

    @OptionGroup var data: DataDirectoryOptions

    func run() throws {
        let directory = data.directory(for: name)
        let entry = DatasetCatalog.entry(name)
        print("\(name.rawValue): \(entry.summary)")
        print("directory: \(directory)")
        var unavailable = 0
        for (rawPart, result) in DatasetInspector.summarise(name, directory: directory) {
            // SST-2's test split is GLUE's dev set (GLUE's test labels are private): say so.
            let part = name == .sst2 && rawPart == "test" ? "test (GLUE dev)" : rawPart
            switch result {
            case let .success(summary):
                print("\(part): \(summary.total) examples")
                for line in formatClassCounts(names: summary.classNames, counts: summary.classCounts) { print(line) }
            case let .failure(error):
                unavailable += 1
                print("\(part): unavailable: \(error)")
            }
        }
        // Every split that could be read is printed; any that could not makes the command fail, so a
        // script can tell a complete dataset from a partial one.
        if unavailable > 0 { throw ExitCode.failure }
    }
}
