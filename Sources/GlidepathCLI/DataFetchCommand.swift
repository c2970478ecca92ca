import ArgumentParser
import Foundation
import GlidepathData

/// `glidepath data fetch NAME`: download from the canonical URLs, verifying checksums.
struct DataFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a dataset from its canonical URLs and verify its checksums.",
        discussion: """
            Files go to DATA_DIR/NAME. A file already present with the right checksum is kept. A download \
            whose checksum differs is deleted and the next URL is tried. CIFAR-10 and IMDB stay as their \
            canonical archives (the readers read them directly); SST-2's zip is extracted to train.tsv, \
            dev.tsv and test.tsv.
            """)

    @Argument(help: "The dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: DatasetName

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "A directory or URL holding the same file names, tried before the canonical URLs.")
    var mirror: String?

    func run() throws {
        let directory = (data.resolved as NSString).appendingPathComponent(name.rawValue)
        do {
            for file in try DatasetFetcher().fetch(name, into: directory, mirror: mirror) {
                switch file.outcome {
                case .alreadyPresent: print("present  \(file.path) (checksum ok)")
                case let .downloaded(url): print("fetched  \(file.path) from \(url) (checksum ok)")
                }
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
