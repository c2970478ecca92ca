import Foundation

/// Reading whole files, transparently decompressing gzip.
public enum FileAccess {
    /// The bytes of the file at `path`, or a ``DataError`` naming the file.
    public static func readBytes(at path: String) throws(DataError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(file: path, problem: .missingFile)
        }
        if isDirectory.boolValue {
            throw DataError(file: path, problem: .unreadable("is a directory"))
        }
        // A FIFO or device (`/dev/zero`) would block or never end: only regular files are data.
        let target = (path as NSString).resolvingSymlinksInPath
        if let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType,
            type != .typeRegular
        {
            throw DataError(file: path, problem: .unreadable("not a regular file (\(type.rawValue))"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, problem: .unreadable("permission denied or I/O error"))
        }
        return [UInt8](data)
    }

    /// The content of the file at `path`: decompressed when it starts with the gzip magic number
    /// (`1f 8b`), as stored otherwise.
    public static func readContent(at path: String) throws(DataError) -> [UInt8] {
        let bytes = try readBytes(at: path)
        if Gzip.hasMagic(bytes) {
            return try Gzip.decompress(bytes, file: path)
        }
        return bytes
    }

    /// The first of `candidates` (file names inside `directory`) that exists, as a full path; or a
    /// ``DataError/Problem/missingFile`` error naming the first candidate.
    public static func firstExisting(
        in directory: String, _ candidates: [String]
    ) throws(DataError) -> String {
        for name in candidates {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        let expected = (directory as NSString).appendingPathComponent(candidates.first ?? "")
        throw DataError(file: expected, problem: .missingFile)
    }

    /// Whether a file or directory exists at `path`.
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Whether a directory exists at `path`.
    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
