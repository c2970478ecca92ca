/// Every error the data layer throws: the file, where in it (a byte offset, a line, an archive
/// member), and what was wrong.
///
/// Readers validate everything they read (magic numbers, dimensions, counts, labels, row shapes) and
/// throw instead of returning a short or partly decoded dataset.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in ``file`` the problem was found.
    public enum Location: Equatable, Sendable {
        /// The whole file (or no single position applies).
        case file
        /// A byte offset into the file's content (after decompression for gzip files, unless the
        /// problem is in the compressed stream itself).
        case byteOffset(Int)
        /// A 1-based line number.
        case line(Int)
        /// A member of an archive (tar or zip), optionally at a byte offset inside that member.
        case member(String, byteOffset: Int?)
    }

    /// What was wrong.
    public enum Problem: Equatable, Sendable {
        /// The file does not exist (or a required file of a dataset is absent).
        case missingFile
        /// The file exists but could not be read (permissions, I/O error).
        case unreadable(String)
        /// The gzip stream ends before its final block and trailer.
        case truncatedGzip
        /// The gzip stream is corrupt (zlib's message: bad header, invalid code, CRC mismatch…).
        case corruptGzip(String)
        /// The content ends before the `expected` number of bytes; `actual` were present.
        case truncated(expected: Int, actual: Int)
        /// There are bytes after the last complete record or array.
        case trailingBytes(count: Int)
        /// The file does not start with the expected magic number.
        case badMagic(expected: String, found: String)
        /// The dimensions in a header do not describe the data the reader expects.
        case badDimensions(String)
        /// Two files that must describe the same examples disagree on how many there are.
        case countMismatch(String)
        /// The size is not a whole number of fixed-size records.
        case sizeNotMultipleOfRecord(size: Int, recordSize: Int)
        /// A class label outside the dataset's classes.
        case labelOutOfRange(label: Int, classCount: Int)
        /// A CSV, TSV or JSON-lines row that cannot be parsed.
        case malformedRow(String)
        /// A tar or zip archive that cannot be parsed.
        case malformedArchive(String)
        /// A downloaded or local file whose checksum is not the expected one.
        case checksumMismatch(expected: String, actual: String)
        /// A download failed.
        case downloadFailed(String)
        /// An argument given to a reader or loader is invalid (for example a validation fraction
        /// outside [0, 1)).
        case invalidArgument(String)
        /// The content would exceed a memory budget (`docs/limits.md`): `what` and the limit in bytes.
        case exceedsLimit(what: String, limit: Int)
    }

    /// The file's path (or an archive's path).
    public var file: String
    /// Where in the file.
    public var location: Location
    /// What was wrong.
    public var problem: Problem

    public init(file: String, location: Location = .file, problem: Problem) {
        self.file = file
        self.location = location
        self.problem = problem
    }

    public var description: String {
        let place: String
        switch location {
        case .file: place = ""
        case let .byteOffset(offset): place = " at byte \(offset)"
        case let .line(line): place = " line \(line)"
        case let .member(name, offset?): place = " member \(name) at byte \(offset)"
        case let .member(name, nil): place = " member \(name)"
        }
        return "\(file)\(place): \(problemDescription)"
    }

    private var problemDescription: String {
        switch problem {
        case .missingFile: return "file not found"
        case let .unreadable(reason): return "cannot read: \(reason)"
        case .truncatedGzip: return "truncated gzip stream (ends before its final block and trailer)"
        case let .corruptGzip(message): return "corrupt gzip stream: \(message)"
        case let .truncated(expected, actual):
            return "truncated: expected \(expected) bytes, found \(actual)"
        case let .trailingBytes(count): return "\(count) unexpected trailing bytes"
        case let .badMagic(expected, found): return "bad magic number \(found) (expected \(expected))"
        case let .badDimensions(message): return "bad dimensions: \(message)"
        case let .countMismatch(message): return "count mismatch: \(message)"
        case let .sizeNotMultipleOfRecord(size, recordSize):
            return "size \(size) is not a multiple of the \(recordSize)-byte record"
        case let .labelOutOfRange(label, classCount):
            return "label \(label) is outside 0..<\(classCount)"
        case let .malformedRow(message): return "malformed row: \(message)"
        case let .malformedArchive(message): return "malformed archive: \(message)"
        case let .checksumMismatch(expected, actual):
            return "checksum mismatch: md5 \(actual), expected \(expected)"
        case let .downloadFailed(message): return "download failed: \(message)"
        case let .exceedsLimit(what, limit): return "\(what) exceeds the limit of \(limit) bytes"
        case let .invalidArgument(message): return "invalid argument: \(message)"
        }
    }
}
