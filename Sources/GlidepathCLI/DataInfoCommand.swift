import ArgumentParser
import GlidepathData

/// `glidepath data info NAME`: split sizes and class balance.
struct DataInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print split sizes and class balance of a dataset.")

    @Argument(help: "The dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: DatasetName

    @OptionGroup var data: DataDirectoryOptions

    func run() throws {
        let directory = data.directory(for: name)
        let entry = DatasetCatalog.entry(name)
        print("\(name.rawValue): \(entry.summary)")
        print("directory: \(directory)")
        var readable = 0
        for (rawPart, result) in DatasetInspector.summarise(name, directory: directory) {
            // SST-2's test split is GLUE's dev set (GLUE's test labels are private): say so.
            let part = name == .sst2 && rawPart == "test" ? "test (GLUE dev)" : rawPart
            switch result {
            case let .success(summary):
                readable += 1
                print("\(part): \(summary.total) examples")
                formatClassCounts(names: summary.classNames, counts: summary.classCounts).forEach { print($0) }
            case let .failure(error):
                print("\(part): unavailable: \(error)")
            }
        }
        // Nothing readable at all is a failure; a partly present dataset is information.
        if readable == 0 { throw ExitCode.failure }
    }
}
