import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a file so that a crash or kill at any instant leaves either the old file or the complete new
/// one at the path, never a mixture: write a temporary file in the same directory, `fsync` it, `rename`
/// it over the target (atomic on POSIX file systems), then `fsync` the directory so the rename itself
/// is durable.
public enum AtomicFile {
    /// Prefix of the temporary files; a kill between creating and renaming one leaves it behind, and
    /// ``removeStaleTemporaries(in:)`` deletes such leftovers.
    public static let temporaryPrefix = ".glidepath-tmp-"

    /// Replaces the file at `path` with `data` atomically and durably.
    public static func write(_ data: Data, to path: String) throws(CheckpointError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/" + temporaryPrefix + url.lastPathComponent + "-\(getpid())-\(nextSerial())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: "create \(temporary): \(errorText())") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do throws(CheckpointError) {
            if let failure = writeFully(descriptor, data) {
                throw .writeFailed(path: path, reason: "write: \(failure)")
            }
            guard fsync(descriptor) == 0 else { throw .writeFailed(path: path, reason: "fsync: \(errorText())") }
            closed = true
            guard close(descriptor) == 0 else { throw .writeFailed(path: path, reason: "close: \(errorText())") }
            guard rename(temporary, path) == 0 else {
                throw .writeFailed(path: path, reason: "rename: \(errorText())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        // The data is in place; a failed directory fsync only weakens durability across a power loss.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Deletes temporary files left in `directory` by writes that were killed before their rename.
    /// Call it only when no other process is writing into `directory`.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(temporaryPrefix) {
            if unlink(directory + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    private static let serialLock = NSLock()
    nonisolated(unsafe) private static var serial = 0

    private static func nextSerial() -> Int {
        serialLock.lock()
        defer { serialLock.unlock() }
        serial += 1
        return serial
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
