import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a whole input named on the command line (`--config FILE`, `--scheduler-config FILE`):
/// a regular file, a pipe or FIFO, a process substitution (`<(echo …)`, which the shell passes as a
/// `/dev/fd/N` path), or `-` for standard input.
///
/// Unlike `Data(contentsOf:)`, which asks for the file's size first and so reads nothing from a pipe,
/// the input is read until end of file — at most ``maximumBytes``, so `--config /dev/zero` is refused
/// instead of filling memory.
public enum InputFile {
    /// The largest input read: 16 MiB (a configuration is a few hundred bytes; a `glidepath schedule`
    /// signal list of 100,000 losses is about 2 MB).
    public static let maximumBytes = 1 << 24

    /// The path that names standard input.
    public static let standardInputPath = "-"

    /// Why an input could not be read.
    public struct ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// The bytes of `path` (`-`: standard input), read to the end.
    ///
    /// - Throws: ``ReadError`` naming the path: missing, unreadable, a directory, or longer than `limit`.
    public static func read(_ path: String, limit: Int = maximumBytes) throws(ReadError) -> Data {
        if path == standardInputPath { return try read(descriptor: STDIN_FILENO, path: "standard input", limit: limit) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw ReadError(path: path, reason: "it is a directory")
        }
        return try read(descriptor: descriptor, path: path, limit: limit)
    }

    private static func read(descriptor: Int32, path: String, limit: Int) throws(ReadError) -> Data {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in posixRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return Data(bytes) }
            guard bytes.count + count <= limit else {
                throw ReadError(path: path, reason: "longer than the limit of \(limit) bytes")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
    #else
        return Darwin.read(descriptor, buffer, count)
    #endif
}
