import Foundation
import GRDB

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

    static func checkIdentity(path: String, access: RunStoreAccess, version: Int, applicationID: Int32,
                              tableCount: Int) throws(RunStoreError) {
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
        if version < RunStoreSchema.version && access == .readOnly {
            throw .outdatedSchema(path: path, found: version, supported: RunStoreSchema.version)
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
