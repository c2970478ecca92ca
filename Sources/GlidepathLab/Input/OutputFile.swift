import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes an output a user names on the command line (`runs export -o FILE`) without ever destroying
/// what is at the path: written in chunks (so an export streams), and put in place in the way the
/// kind of file at the path allows.
///
/// | at the path                            | what happens                                                       |
/// |----------------------------------------|--------------------------------------------------------------------|
/// | nothing                                | temporary file, `fsync`, `rename` (mode 0666 less the umask)        |
/// | a regular file, one link               | the same, the temporary taking the file's mode (and owner, as root) |
/// | a regular file with hard links         | written in place (truncated, then written), so no link is split    |
/// | a symbolic link                        | the same rules for the file it points to; the link stays a link    |
/// | a FIFO or character device (`/dev/null`, `/dev/full`) | written through, never renamed over or created |
/// | `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N` | written to that open descriptor     |
/// | a directory, socket, block device, dangling link, read-only file | refused before anything is written |
///
/// A failed or abandoned write leaves a replaced file as it was (its temporary is removed); only an
/// in-place write (hard links, FIFOs, devices) can be left partial, as with the shell's `>`.
public final class OutputFile {
    /// Why an output could not be written; names the path and the operation.
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "cannot write the output file \(path): \(reason)" }
    }

    /// How the bytes reach the path.
    enum Strategy: Equatable {
        /// Into `temporary`, renamed over `target` on ``commit()``.
        case replace(target: String, temporary: String)
        /// Into the file itself (hard links, FIFOs, devices).
        case inPlace
        /// Into an already open descriptor, which this object does not close.
        case descriptor
    }

    /// The path as given.
    public let path: String
    let strategy: Strategy
    private let descriptor: Int32
    private var finished = false

    /// Decides how to write `path` and opens it (or its temporary); nothing at the path changes yet
    /// except for in-place writes, which truncate a regular file as `>` does.
    public init(path: String) throws(WriteError) {
        self.path = path
        func fail(_ reason: String) -> WriteError { WriteError(path: path, reason: reason) }
        if let inherited = Self.inheritedDescriptor(path) {
            var info = stat()
            guard fstat(inherited, &info) == 0 else { throw fail("descriptor \(inherited) is not open") }
            descriptor = inherited
            strategy = .descriptor
            return
        }
        var linkInfo = stat()
        var target = path
        if lstat(path, &linkInfo) == 0, linkInfo.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = CheckpointPaths.realPath(path) else {
                throw fail("it is a symbolic link to a file that does not exist")
            }
            target = resolved
        }
        var info = stat()
        guard stat(target, &info) == 0 else {
            guard errno == ENOENT else { throw fail(Self.errorText()) }
            (descriptor, strategy) = try Self.openTemporary(for: target, mode: 0o666, owner: nil, path: path)
            return
        }
        switch FileKind.kind(mode: info.st_mode) {
        case .regular:
            guard access(target, W_OK) == 0 else { throw fail("it is not writable (\(Self.errorText()))") }
            if info.st_nlink > 1 {
                let opened = open(target, O_WRONLY | O_TRUNC | O_CLOEXEC)
                guard opened >= 0 else { throw fail(Self.errorText()) }
                descriptor = opened
                strategy = .inPlace
            } else {
                (descriptor, strategy) = try Self.openTemporary(
                    for: target, mode: info.st_mode & 0o7777, owner: (info.st_uid, info.st_gid), path: path)
            }
        case .fifo, .characterDevice:
            let opened = open(target, O_WRONLY | O_CLOEXEC)
            guard opened >= 0 else { throw fail(Self.errorText()) }
            descriptor = opened
            strategy = .inPlace
        case let kind:
            throw fail("it is \(kind); give a file name")
        }
    }

    deinit {
        guard !finished else { return }
        if strategy != .descriptor { close(descriptor) }
        if case let .replace(_, temporary) = strategy { unlink(temporary) }
    }

    /// Appends `data`.
    public func write(_ data: Data) throws(WriteError) {
        precondition(!finished, "OutputFile.write after commit")
        if let failure = writeFully(descriptor, data) { throw WriteError(path: path, reason: failure) }
    }

    /// Appends `text` as UTF-8.
    public func write(_ text: String) throws(WriteError) { try write(Data(text.utf8)) }

    /// Makes the output complete: `fsync` and `rename` for a replaced file, `fsync` where it applies.
    public func commit() throws(WriteError) {
        precondition(!finished, "OutputFile.commit twice")
        finished = true
        switch strategy {
        case .descriptor:
            return
        case .inPlace:
            let closed = close(descriptor)
            guard closed == 0 else { throw WriteError(path: path, reason: "close: \(Self.errorText())") }
        case let .replace(target, temporary):
            defer { unlink(temporary) }  // a no-op once renamed
            guard fsync(descriptor) == 0 else {
                close(descriptor)
                throw WriteError(path: path, reason: "fsync: \(Self.errorText())")
            }
            guard close(descriptor) == 0 else { throw WriteError(path: path, reason: "close: \(Self.errorText())") }
            guard rename(temporary, target) == 0 else {
                throw WriteError(path: path, reason: "rename: \(Self.errorText())")
            }
        }
    }

    /// Writes all of `data` to `path` (``init(path:)``, ``write(_:)-(Data)``, ``commit()``).
    public static func write(_ data: Data, to path: String) throws(WriteError) {
        let file = try OutputFile(path: path)
        try file.write(data)
        try file.commit()
    }

    // MARK: - Implementation

    /// `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: the descriptor they name.
    static func inheritedDescriptor(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let number = Int32(path.dropFirst(prefix.count)), number >= 0 { return number }
            }
            return nil
        }
    }

    private static func openTemporary(for target: String, mode: mode_t, owner: (uid_t, gid_t)?, path: String)
        throws(WriteError) -> (Int32, Strategy)
    {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent().path
        let temporary =
            directory + "/" + AtomicFile.temporaryPrefix + url.lastPathComponent + "-\(getpid())-"
            + UUID().uuidString.prefix(8)
        let opened = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard opened >= 0 else { throw WriteError(path: path, reason: "create \(temporary): \(errorText())") }
        if let owner {
            // Keep the replaced file's exact mode (open applied the umask) and, where allowed, its owner.
            fchmod(opened, mode)
            if geteuid() == 0 { _ = fchown(opened, owner.0, owner.1) }
        }
        return (opened, .replace(target: target, temporary: temporary))
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
