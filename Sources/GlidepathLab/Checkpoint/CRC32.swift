import CZlib
import Foundation

/// CRC-32 (IEEE 802.3 polynomial, as in zlib, PNG and ZIP) computed by zlib.
///
/// Detects every error burst up to 32 bits and so every single corrupted byte; it guards against
/// damage, not tampering.
enum CRC32 {
    static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = buffer.baseAddress else { return 0 }
        var crc = crc32(0, nil, 0)
        var offset = 0
        // zlib's length is a 32-bit uInt: feed large buffers in chunks.
        while offset < buffer.count {
            let length = min(buffer.count - offset, 1 << 30)
            crc = crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// 8 lowercase hex digits.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
