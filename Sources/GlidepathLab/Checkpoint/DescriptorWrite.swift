import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes all of `data` to `descriptor`, retrying short writes and `EINTR` (POSIX `write(2)` may write
/// fewer bytes than asked). Shared by ``AtomicFile`` (checkpoints) and ``OutputFile`` (`-o` outputs).
///
/// - Returns: nil when every byte was written, else `strerror(errno)` of the failing call.
func writeFully(_ descriptor: Int32, _ data: Data) -> String? {
    data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            guard let base = buffer.baseAddress else { break }
            #if canImport(Glibc)
                let written = Glibc.write(descriptor, base.advanced(by: offset), buffer.count - offset)
            #else
                let written = Darwin.write(descriptor, base.advanced(by: offset), buffer.count - offset)
            #endif
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}
