import Foundation

/// CIFAR-10 in its binary distribution (Krizhevsky 2009, "Learning Multiple Layers of Features from
/// Tiny Images"; https://www.cs.toronto.edu/~kriz/cifar.html, "Binary version").
///
/// Each batch file is a sequence of 3,073-byte records: one label byte (0…9), then 1,024 red, 1,024
/// green and 1,024 blue bytes, each plane 32×32 row-major. The training split is `data_batch_1.bin`
/// … `data_batch_5.bin`, the test split `test_batch.bin`. Accepted sources: a directory holding the
/// batches (`.bin` or `.bin.gz`, directly or in a `cifar-10-batches-bin/` subfolder) or the
/// canonical archive `cifar-10-binary.tar.gz` read in one streaming pass.
public enum CIFAR10 {
    /// Bytes per record: 1 label + 3 × 32 × 32 pixels.
    public static let recordSize = 3_073
    /// Bytes of pixels per record.
    public static let imageSize = 3_072
    /// The class names in label order, as in the distribution's `batches.meta.txt`.
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]
    /// The canonical archive's file name.
    public static let archiveName = "cifar-10-binary.tar.gz"
    /// The folder inside the canonical archive.
    public static let archiveFolder = "cifar-10-batches-bin"

    /// Where the batches are.
    public enum Source: Equatable, Sendable {
        /// A directory holding `data_batch_K.bin[.gz]` and `test_batch.bin[.gz]` (or a
        /// `cifar-10-batches-bin/` subfolder holding them).
        case directory(String)
        /// The canonical `cifar-10-binary.tar.gz` (or an uncompressed `.tar`).
        case archive(String)
    }

    /// The batch file names (without `.gz`) making up a split. `trainingBatches` selects among
    /// `data_batch_1` … `data_batch_5`.
    public static func batchNames(_ split: Split, trainingBatches: [Int] = Array(1...5)) -> [String] {
        switch split {
        case .train: return trainingBatches.map { "data_batch_\($0).bin" }
        case .test: return ["test_batch.bin"]
        }
    }

    /// The source to use for a dataset directory: its batch files if there are any (directly or in
    /// `cifar-10-batches-bin/`), else the canonical archive if present, else the directory itself (so
    /// that loading reports the missing batch file).
    public static func locate(in directory: String) -> Source {
        let nested = (directory as NSString).appendingPathComponent(archiveFolder)
        for folder in [directory, nested] {
            for name in ["test_batch.bin", "test_batch.bin.gz", "data_batch_1.bin", "data_batch_1.bin.gz"]
            where FileAccess.exists((folder as NSString).appendingPathComponent(name)) {
                return .directory(folder)
            }
        }
        let archive = (directory as NSString).appendingPathComponent(archiveName)
        if FileAccess.exists(archive) { return .archive(archive) }
        return .directory(directory)
    }

    /// Parses one batch file's (decompressed) bytes.
    public static func parseBatch(_ bytes: [UInt8], file: String) throws(DataError) -> ImageDataset {
        // An empty file (a 0-byte `test_batch.bin`) is a multiple of the record size, but no batch of the
        // distribution is empty: refused here, at setup, rather than read as a split of 0 examples.
        guard !bytes.isEmpty else {
            throw DataError(file: file, location: .byteOffset(0), problem: .truncated(expected: recordSize, actual: 0))
        }
        guard bytes.count % recordSize == 0 else {
            throw DataError(
                file: file, location: .byteOffset(bytes.count - bytes.count % recordSize),
                problem: .sizeNotMultipleOfRecord(size: bytes.count, recordSize: recordSize))
        }
        let count = bytes.count / recordSize
        var labels = [Int32](repeating: 0, count: count)
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        try bytes.withUnsafeBufferPointer { (source) throws(DataError) in
            try pixels.withUnsafeMutableBufferPointer { (destination) throws(DataError) in
                // Both buffers are empty exactly when there are no records.
                guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
                for record in 0..<count {
                    let offset = record * recordSize
                    let label = source[offset]
                    guard label < 10 else {
                        throw DataError(
                            file: file, location: .byteOffset(offset),
                            problem: .labelOutOfRange(label: Int(label), classCount: 10))
                    }
                    labels[record] = Int32(label)
                    UnsafeMutableRawPointer(destinationBase + record * imageSize)
                        .copyMemory(from: sourceBase + offset + 1, byteCount: imageSize)
                }
            }
        }
        return ImageDataset(
            pixels: pixels, labels: labels, channels: 3, height: 32, width: 32,
            classNames: classNames)
    }

    /// Reads one batch file (`.bin` or `.bin.gz`).
    public static func readBatch(at path: String) throws(DataError) -> ImageDataset {
        try parseBatch(try FileAccess.readContent(at: path), file: path)
    }

    /// Loads a split. For the training split every batch in `trainingBatches` must be present; a
    /// missing one is an error naming it (never a silently smaller training set).
    public static func load(
        _ split: Split, from source: Source, trainingBatches: [Int] = Array(1...5)
    ) throws(DataError) -> ImageDataset {
        for batch in trainingBatches where !(1...5).contains(batch) {
            throw DataError(
                file: "data_batch_\(batch).bin", problem: .invalidArgument("CIFAR-10 has training batches 1 to 5"))
        }
        let names = batchNames(split, trainingBatches: trainingBatches)
        let parts: [ImageDataset]
        switch source {
        case let .directory(directory):
            var paths: [String] = []
            for name in names {
                paths.append(try FileAccess.firstExisting(in: directory, [name, name + ".gz"]))
            }
            parts = try parallelMap(paths) { (path) throws(DataError) in try readBatch(at: path) }
        case let .archive(archive):
            let members = try readArchiveMembers(archive, names: names)
            parts = try names.map { (name) throws(DataError) in
                try parseBatch(members[name] ?? [], file: "\(archive)#\(name)")
            }
        }
        // `parts` is non-empty: `names` has at least the test batch or one training batch.
        guard let dataset = ImageDataset.concatenating(parts) else {
            throw DataError(file: "\(source)", problem: .invalidArgument("no batches selected"))
        }
        return dataset
    }

    /// The contents of the archive members whose base names are in `names` (one streaming pass);
    /// throws naming the first one absent from the archive.
    static func readArchiveMembers(_ archive: String, names: [String]) throws(DataError) -> [String: [UInt8]] {
        let reader = try TarReader(path: archive)
        var found: [String: [UInt8]] = [:]
        let wanted = Set(names)
        while let entry = try reader.next() {
            guard entry.kind == .file else { continue }
            let base = (entry.name as NSString).lastPathComponent
            if wanted.contains(base), found[base] == nil {
                found[base] = try reader.readContent(of: entry)
                if found.count == wanted.count { break }
            }
        }
        for name in names where found[name] == nil {
            throw DataError(
                file: archive, location: .member("\(archiveFolder)/\(name)", byteOffset: nil),
                problem: .missingFile)
        }
        return found
    }
}
