import ArgumentParser
import GlidepathData

/// `glidepath data verify NAME`: checksums and counts.
struct DataVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a dataset's files against the known checksums and its splits against the known counts.",
        discussion:
            "Exits with status 1 when a file has an unknown checksum, a split cannot be read, or a class count differs."
    )

    @Argument(help: "The dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: DatasetName

    @OptionGroup var data: DataDirectoryOptions

    @Flag(
        help:
            "Accept files whose checksum Glidepath does not know (for example CIFAR-10 batches extracted by hand); counts are still checked."
    )
    var allowUnrecognised = false

    func run() throws {
        let directory = data.directory(for: name)
        let report = DatasetInspector.verify(name, directory: directory, allowUnrecognised: allowUnrecognised)
        print("\(name.rawValue): \(directory)")
        if report.files.isEmpty { print("  no file with a known checksum found; checking counts only") }
        for check in report.files {
            switch check.status {
            case let .verified(copy, coverage):
                print(
                    "  ok      \(check.file) (md5 of \(coverage == .content ? "decompressed content" : "file") matches \(copy))"
                )
            case let .unrecognised(md5):
                print(
                    "  \(allowUnrecognised ? "unknown" : "FAILED ") \(check.file) (md5 \(md5) is not a known checksum)")
            case let .failed(error):
                print("  FAILED  \(error)")
            }
        }
        for (expected, actual) in report.splits {
            switch actual {
            case let .success(summary) where summary.classCounts == expected.classCounts:
                print("  ok      \(expected.split): \(summary.total) examples, class counts \(summary.classCounts)")
            case let .success(summary):
                print(
                    "  FAILED  \(expected.split): class counts \(summary.classCounts), expected \(expected.classCounts)"
                )
            case let .failure(error):
                print("  FAILED  \(expected.split): \(error)")
            }
        }
        if report.passed {
            print("verified")
        } else {
            printError(
                "\(name.rawValue): verification failed (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))"
            )
            throw ExitCode.failure
        }
    }
}
