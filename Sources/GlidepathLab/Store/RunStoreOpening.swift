import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `access(2)`'s W_OK for the effective user (outside ``RunStore``, whose `access` property would shadow it).
private func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

extension RunStore {
    /// Reads the 100-byte SQLite header without opening a connection, so a newer or foreign file is
    /// refused without SQLite touching it (no journal-mode change, no WAL files).
    static func checkHeader(path: String, access: RunStoreAccess) throws(RunStoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .database(path: path, operation: "open", message: "cannot read the file")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if header.isEmpty {
            if access == .readOnly { throw .notARunStore(path: path, reason: "the file is empty") }
            return  // an empty file becomes a new store
        }
        let magic = Array("SQLite format 3".utf8) + [0]
        guard header.count == 100, Array(header.prefix(16)) == magic else {
            throw .notARunStore(path: path, reason: "not an SQLite database")
        }
        func bigEndian(_ offset: Int) -> Int32 {
            let bytes = header.dropFirst(offset).prefix(4)
            return Int32(bitPattern: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        let version = Int(bigEndian(60))
        let applicationID = bigEndian(68)
        if applicationID != 0 && applicationID != RunStoreSchema.applicationID {
            throw .notARunStore(path: path, reason: "application id \(hex(applicationID)) belongs to another program")
        }
        if applicationID == RunStoreSchema.applicationID && version > RunStoreSchema.version {
            throw .newerSchema(path: path, found: version, supported: RunStoreSchema.version)
        }
    }

    /// Refuses to open `path` for writing when this process may not write the file (an existing one)
    /// or its directory (where SQLite creates the file, its `-wal` and `-shm`): `access(2)` with the
    /// effective user, so root, who may write anything, is never refused.
    static func checkWritable(path: String, exists: Bool) throws(RunStoreError) {
        if exists && !isWritable(path) {
            throw .notWritable(path: path, reason: "the file is read-only (\(String(cString: strerror(errno))))")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !isWritable(directory) {
            throw .notWritable(
                path: path,
                reason: "its directory \(directory) is not writable (\(String(cString: strerror(errno)))), "
                    + "and SQLite keeps the store's -wal and -shm files beside it")
        }
    }

    static func checkIdentity(
        path: String, access: RunStoreAccess, version: Int, applicationID: Int32,
        tableCount: Int, acceptingOlderSchema: Bool = false
    ) throws(RunStoreError) {
        if applicationID == 0 {
            if tableCount > 0 {
                throw .notARunStore(path: path, reason: "an SQLite database without the run store's identity")
            }
            if access == .readOnly { throw .notARunStore(path: path, reason: "the database is empty") }
            return
        }
        guard applicationID == RunStoreSchema.applicationID else {
            throw .notARunStore(path: path, reason: "application id \(hex(applicationID)) belongs to another program")
        }
        if version > RunStoreSchema.version {
            throw .newerSchema(path: path, found: version, supported: RunStoreSchema.version)
        }
        if version < RunStoreSchema.version && access == .readOnly && !acceptingOlderSchema {
            throw .outdatedSchema(path: path, found: version, supported: RunStoreSchema.version)
        }
    }

    /// A read-only connection that creates no file: SQLite's `immutable` mode when the store has no
    /// `-wal` file (nothing is being written: no `-shm` is needed, and a store in a read-only directory
    /// opens), else an ordinary read-only connection, which reads the WAL's newer pages.
    static func openReadOnly(_ path: String) throws(RunStoreError) -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "GlidepathRunStore"
        let walExists = FileManager.default.fileExists(atPath: path + "-wal")
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        // SQLite is built with URI file names (SQLITE_USE_URI); `file:` + the percent-encoded path.
        let location = walExists ? path : absolute.absoluteString + "?immutable=1"
        do {
            return try DatabaseQueue(path: location, configuration: configuration)
        } catch {
            throw mapOpenError(error, path: path)
        }
    }

    /// `user_version`, `application_id` and the number of schema objects, read without writing.
    static func identity(of database: some DatabaseReader, path: String)
        throws(RunStoreError) -> (version: Int, applicationID: Int32, tableCount: Int)
    {
        do {
            return try database.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                )
            }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
                throw .notARunStore(path: path, reason: error.message ?? "not an SQLite database")
            }
            throw .database(
                path: path, operation: "read the schema version", message: error.message ?? "\(error.resultCode)")
        } catch {
            throw .database(path: path, operation: "read the schema version", message: "\(error)")
        }
    }

    static func mapOpenError(_ error: any Error, path: String) -> RunStoreError {
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                return .notARunStore(path: path, reason: "not an SQLite database")
            }
            return .database(path: path, operation: "open", message: error.message ?? "\(error.resultCode)")
        }
        return .database(path: path, operation: "open", message: "\(error)")
    }

    private static func hex(_ value: Int32) -> String {
        "0x" + String(UInt32(bitPattern: value), radix: 16, uppercase: true)
    }
}
