import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the run store writes and reads the `checkpoints.path` column, and which files the recorder may
/// delete.
///
/// - A checkpoint inside the store's directory is stored **relative to that directory**
///   (`glidepath-checkpoints/runs.sqlite/<run>/step-00000004-epoch.gpck`), so a copied or moved project
///   directory (`cp -a projA projB`) resumes from its own files and never touches the original's.
/// - Rows written by earlier builds hold absolute paths. They are still read; when the file they name
///   is not in the run's own checkpoint directory but a file of the same name is, that one is read (the
///   store was copied or moved with its checkpoints). Its checksum is verified either way.
/// - Deleting (retention) is confined: a file is unlinked only when its resolved real path
///   (`realpath(3)`, symbolic links followed) lies inside the run's own checkpoint directory's real
///   path. A tampered row (`path = '/etc/passwd'`, `'../../x'`) is never unlinked.
enum CheckpointPaths {
    /// `path` as the store records it: relative to `storeDirectory` when it lies inside it, else as given
    /// (a relative `path` is already relative to the store's directory).
    static func stored(_ path: String, storeDirectory: String) -> String {
        guard path.hasPrefix("/") else { return path }
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        let prefix = storeDirectory.hasSuffix("/") ? storeDirectory : storeDirectory + "/"
        guard standardized.hasPrefix(prefix), standardized.count > prefix.count else { return path }
        return String(standardized.dropFirst(prefix.count))
    }

    /// The file a recorded `checkpoints.path` names, for a store in `storeDirectory` whose run keeps its
    /// checkpoints in `runDirectory`.
    static func resolved(_ stored: String, storeDirectory: String, runDirectory: String) -> String {
        guard stored.hasPrefix("/") else {
            return URL(fileURLWithPath: storeDirectory, isDirectory: true).appendingPathComponent(stored)
                .standardizedFileURL.path
        }
        // An absolute row of an earlier build: prefer the same file name in this run's own directory.
        let name = URL(fileURLWithPath: stored).lastPathComponent
        let local = URL(fileURLWithPath: runDirectory, isDirectory: true).appendingPathComponent(name).path
        if local != stored, !name.isEmpty, name != "..", FileManager.default.fileExists(atPath: local) {
            return local
        }
        return stored
    }

    /// The canonical absolute path of an existing file or directory (symbolic links resolved), or `nil`.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` exists and, with every symbolic link resolved, lies strictly inside `directory`
    /// (itself resolved). A path that does not exist, or the directory itself, is not inside.
    static func isInside(_ path: String, directory: String) -> Bool {
        guard let file = realPath(path), let root = realPath(directory) else { return false }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return file.hasPrefix(prefix) && file.count > prefix.count
    }
}
