import Foundation

/// Examples per class in one part of a dataset, as read.
public struct PartSummary: Equatable, Sendable {
    /// "train", "test", or a single file such as "data_batch_1".
    public var part: String
    public var classNames: [String]
    public var classCounts: [Int]
    public var total: Int { classCounts.reduce(0, +) }
}

/// The result of checking one file's checksum.
public struct FileCheck: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        /// The checksum matches a known copy.
        case verified(copy: String, coverage: KnownChecksum.Coverage)
        /// The file's checksum is not one Glidepath knows for this name.
        case unrecognised(md5: String)
        /// The file could not be read or decompressed.
        case failed(DataError)
    }

    public var file: String
    public var status: Status
}

/// What `glidepath data verify` found.
public struct VerificationReport: Equatable, Sendable {
    public var dataset: DatasetName
    public var directory: String
    public var files: [FileCheck]
    /// Per expected split: what was read, or the error that stopped reading it.
    public var splits: [(expected: ExpectedSplit, actual: Result<PartSummary, DataError>)]
    public var allowUnrecognised: Bool

    /// Problems that make verification fail, one line each (empty when it passes).
    public var problems: [String] {
        var lines: [String] = []
        for check in files {
            switch check.status {
            case .verified: break
            case let .unrecognised(md5) where !allowUnrecognised:
                lines.append("\(check.file): md5 \(md5) is not a known checksum for this file")
            case .unrecognised: break
            case let .failed(error): lines.append(error.description)
            }
        }
        for (expected, actual) in splits {
            switch actual {
            case let .failure(error): lines.append("\(expected.split): \(error)")
            case let .success(summary) where summary.classCounts != expected.classCounts:
                lines.append("\(expected.split): class counts \(summary.classCounts), expected \(expected.classCounts)")
            case .success: break
            }
        }
        return lines
    }

    public var passed: Bool { problems.isEmpty }

    public static func == (lhs: VerificationReport, rhs: VerificationReport) -> Bool {
        lhs.dataset == rhs.dataset && lhs.directory == rhs.directory && lhs.files == rhs.files
            && lhs.problems == rhs.problems
    }
}

/// Reads datasets by name for `glidepath data info` and `verify`.
public enum DatasetInspector {
    /// Class counts of each official split (train, then test; for SST-2 the test split is GLUE dev),
    /// plus, for CIFAR-10, each batch file present when the training split is incomplete.
    public static func summarise(_ name: DatasetName, directory: String) -> [(
        part: String, result: Result<PartSummary, DataError>
    )] {
        var parts: [(part: String, result: Result<PartSummary, DataError>)] = []
        for split in Split.allCases {
            parts.append(
                (
                    split.rawValue,
                    Result { () throws(DataError) in try summary(name, split: split, directory: directory) }
                ))
        }
        if name == .cifar10, case .failure = parts[0].result,
            case let .directory(folder) = CIFAR10.locate(in: directory)
        {
            for batch in 1...5 {
                let stem = "data_batch_\(batch).bin"
                guard let path = [stem, stem + ".gz"].map({ "\(folder)/\($0)" }).first(where: FileAccess.exists) else {
                    continue
                }
                parts.append(
                    (
                        "data_batch_\(batch)",
                        Result { () throws(DataError) in
                            let dataset = try CIFAR10.readBatch(at: path)
                            return PartSummary(
                                part: "data_batch_\(batch)", classNames: dataset.classNames,
                                classCounts: dataset.classCounts())
                        }
                    ))
            }
        }
        return parts
    }

    static func summary(_ name: DatasetName, split: Split, directory: String) throws(DataError) -> PartSummary {
        func image(_ dataset: ImageDataset) -> PartSummary {
            PartSummary(part: split.rawValue, classNames: dataset.classNames, classCounts: dataset.classCounts())
        }
        func text(_ dataset: TextDataset) -> PartSummary {
            PartSummary(part: split.rawValue, classNames: dataset.classNames, classCounts: dataset.classCounts())
        }
        guard FileAccess.isDirectory(directory) else {
            throw DataError(
                file: directory, problem: FileAccess.exists(directory) ? .unreadable("not a directory") : .missingFile)
        }
        switch name {
        case .mnist: return image(try MNIST.load(split, from: directory, variant: .digits))
        case .fashionMNIST: return image(try MNIST.load(split, from: directory, variant: .fashion))
        case .cifar10: return image(try CIFAR10.load(split, from: CIFAR10.locate(in: directory)))
        case .imdb: return text(try IMDB.load(split, from: IMDB.locate(split, in: directory)))
        case .sst2:
            let format: SST2.Format =
                (try? FileAccess.firstExisting(in: directory, SST2.candidates(SST2.glueName(split), format: .tsv)))
                    != nil
                ? .tsv : .jsonLines
            return text(try SST2.load(split, from: directory, format: format))
        case .adult:
            let records = try Adult.read(split, from: directory)
            var counts = [0, 0]
            for record in records { counts[Int(record.label)] += 1 }
            return PartSummary(part: split.rawValue, classNames: Adult.classNames, classCounts: counts)
        }
    }

    /// Checks the checksum of every file in `directory` whose name the catalog knows, then reads
    /// every split and compares its class counts with the catalog's.
    public static func verify(_ name: DatasetName, directory: String, allowUnrecognised: Bool = false)
        -> VerificationReport
    {
        let entry = DatasetCatalog.entry(name)
        var checks: [FileCheck] = []
        for fileName in entry.knownFiles.keys.sorted() {
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard FileAccess.exists(path), let known = entry.knownFiles[fileName] else { continue }
            checks.append(FileCheck(file: path, status: check(path, known: known)))
        }
        let splits = summarise(name, directory: directory).prefix(2)
        return VerificationReport(
            dataset: name, directory: directory, files: checks,
            splits: zip(entry.expected, splits).map { ($0, $1.result) }, allowUnrecognised: allowUnrecognised)
    }

    /// Compares a file with its known checksums: the stored bytes first, then (for gzip files with
    /// content checksums) the decompressed content.
    public static func check(_ path: String, known: [KnownChecksum]) -> FileCheck.Status {
        do throws(DataError) {
            let stored = try MD5.hexDigest(ofFile: path)
            if let match = known.first(where: { $0.coverage == .storedBytes && $0.md5 == stored }) {
                return .verified(copy: match.copy, coverage: .storedBytes)
            }
            let contentSums = known.filter { $0.coverage == .content }
            if !contentSums.isEmpty {
                let content = try FileAccess.readContent(at: path)
                let digest = MD5.hexDigest(of: content)
                if let match = contentSums.first(where: { $0.md5 == digest }) {
                    return .verified(copy: match.copy, coverage: .content)
                }
            }
            return .unrecognised(md5: stored)
        } catch {
            return .failed(error)
        }
    }
}
