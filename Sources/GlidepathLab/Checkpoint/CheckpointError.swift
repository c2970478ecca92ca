/// Every error reading or writing a checkpoint. Each names the file and what is wrong with it.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file cannot be read (missing, permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file does not start with the checkpoint magic bytes.
    case notACheckpoint(path: String)
    /// The file is a checkpoint of a format version this build does not read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The file ends before the length its header promises (or before a header is complete).
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The fixed header or the section table fails its checksum or holds impossible values.
    case corruptHeader(path: String, reason: String)
    /// A section's bytes fail their checksum.
    case corruptSection(path: String, section: String)
    /// The trailer is damaged: wrong end marker, or bytes after the end.
    case corruptTrailer(path: String, reason: String)
    /// The whole-file checksum does not match (or differs from the checksum the run store expects).
    case checksumMismatch(path: String, expected: String, actual: String)
    /// A section every checkpoint has is absent.
    case missingSection(path: String, section: String)
    /// A section is present and intact but its content cannot be used (undecodable JSON, a reserved name).
    case invalidSection(path: String, section: String, reason: String)
    /// Writing the file failed; the previous file at the path, if any, is unchanged.
    case writeFailed(path: String, reason: String)
    /// Another live process (or another recorder in this one) holds the run's lock file at `path`:
    /// the run is being trained now and cannot be resumed or written twice (``RunLease``).
    case runInUse(path: String, owner: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read checkpoint \(path): \(reason)"
        case .notACheckpoint(let path):
            return "\(path) is not a Glidepath checkpoint (wrong magic bytes)"
        case let .unsupportedVersion(path, found, supported):
            return "checkpoint \(path) has format version \(found); this build reads version \(supported)"
        case let .truncated(path, expectedBytes, actualBytes):
            return "checkpoint \(path) is truncated: \(actualBytes) bytes, expected at least \(expectedBytes)"
        case let .corruptHeader(path, reason):
            return "checkpoint \(path) has a corrupt header: \(reason)"
        case let .corruptSection(path, section):
            return "checkpoint \(path) has a corrupt section '\(section)' (checksum mismatch)"
        case let .corruptTrailer(path, reason):
            return "checkpoint \(path) has a corrupt trailer: \(reason)"
        case let .checksumMismatch(path, expected, actual):
            return "checkpoint \(path) checksum is \(actual), expected \(expected)"
        case let .missingSection(path, section):
            return "checkpoint \(path) has no '\(section)' section"
        case let .invalidSection(path, section, reason):
            return "checkpoint \(path) section '\(section)': \(reason)"
        case let .writeFailed(path, reason):
            return "cannot write checkpoint \(path): \(reason)"
        case let .runInUse(path, owner):
            return "the run is being trained by \(owner) (it holds \(path)); wait for it to finish, or stop it "
                + "(Ctrl-C checkpoints it) and resume then"
        }
    }
}
