import Foundation

/// The store files this process has open, counted by canonical path, so that ``RunStore`` never opens and
/// closes a plain descriptor of a file SQLite has open: on POSIX, closing any descriptor of a file releases
/// all of the process's `fcntl` locks on it, SQLite's included (SQLite's documentation, "How To Corrupt An
/// SQLite Database File", §2.2). A process with several stores of one file open at once — a study runs
/// every cell through its own session — would otherwise let another process delete the WAL under it.
final class OpenStoreFiles: @unchecked Sendable {
    static let shared = OpenStoreFiles()

    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    /// The canonical path of `path` (absolute, standardised, symbolic links resolved).
    static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    func isOpen(_ key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return (counts[key] ?? 0) > 0
    }

    func opened(_ key: String) {
        lock.lock()
        counts[key, default: 0] += 1
        lock.unlock()
    }

    func closed(_ key: String) {
        lock.lock()
        counts[key, default: 1] -= 1
        if counts[key] == 0 { counts[key] = nil }
        lock.unlock()
    }
}
