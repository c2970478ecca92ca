import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exclusive ownership of one run by one process: an advisory `flock(2)` on `run.lock` in the run's
/// checkpoint directory, held for as long as the lease lives.
///
/// Why: a run killed with SIGKILL stays `running` in the store, so the store alone cannot tell a dead
/// run from a live one. Two processes training the same run (a `--resume` while the run is still
/// going) would rewind and append to the same rows and overwrite each other's checkpoints. The kernel
/// drops a `flock` when its holder exits for any reason, SIGKILL included, so a held lock means a live
/// owner and a free lock means the run may be taken over. The lock file holds the owner's PID, for the
/// error message only.
public final class RunLease {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// The name of the lock file inside a run's checkpoint directory.
    public static let fileName = "run.lock"

    /// Takes the lease on the run whose checkpoints live in `directory` (which must exist), without waiting.
    ///
    /// - Throws: ``CheckpointError/runInUse(path:owner:)`` when another lease on the same directory is
    ///   held — by another process, or by another ``RunLease`` of this process;
    ///   ``CheckpointError/writeFailed(path:reason:)`` when the lock file cannot be created.
    public init(directory: URL) throws(CheckpointError) {
        let path = directory.appendingPathComponent(Self.fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .writeFailed(
                path: path, reason: "cannot open the run's lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            let owner = Self.recordedOwner(descriptor)
            close(descriptor)
            if busy { throw .runInUse(path: path, owner: owner) }
            throw .writeFailed(path: path, reason: "cannot lock the run's lock file: \(reason)")
        }
        // Record the owner: truncate, then write "<pid>\n". Best effort: the lock, not the text, is the lease.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the lock. The file stays: deleting it would race with a
        // process that has opened it and is about to lock it.
        close(descriptor)
    }

    /// The owner recorded in a held lock file, e.g. "pid 1234", or "another process" when unreadable.
    private static func recordedOwner(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0,
            let text = String(bytes: buffer.prefix(count), encoding: .utf8)?
                .trimmingCharacters(in: .whitespacesAndNewlines),
            let pid = Int32(text)
        else { return "another process" }
        return pid == getpid() ? "this process (pid \(pid))" : "pid \(pid)"
    }
}
