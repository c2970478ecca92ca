import Foundation

/// MD5 (RFC 1321), used only to compare files with the checksums datasets are published with. Not
/// for security: MD5 is broken for collision resistance, but it is what the canonical dataset
/// pages and torchvision/torchtext list.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    // K[i] = floor(2^32 · |sin(i + 1)|), RFC 1321 §3.4.
    private static let constants: [UInt32] = (0..<64).map {
        UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296))
    }

    /// Feeds `bytes` to the hash.
    public mutating func update(_ bytes: [UInt8]) {
        var start = 0
        length &+= UInt64(bytes.count)
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, bytes.count)
            buffer += bytes[0..<take]
            start = take
            guard buffer.count == 64 else { return }
            process(buffer[...])
            buffer.removeAll(keepingCapacity: true)
        }
        while start + 64 <= bytes.count {
            process(bytes[start..<(start + 64)])
            start += 64
        }
        buffer = Array(bytes[start...])
    }

    /// The digest as 32 lower-case hex digits.
    public func hexDigest() -> String {
        var copy = self
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        let remainder = (buffer.count + 1) % 64
        padding += [UInt8](repeating: 0, count: remainder <= 56 ? 56 - remainder : 120 - remainder)
        for shift in stride(from: 0, to: 64, by: 8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedLength = copy.length
        copy.update(padding)
        copy.length = savedLength
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    private mutating func process(_ block: ArraySlice<UInt8>) {
        var m:
            (
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &m) { words in
            block.withUnsafeBytes { source in words.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<64])) }
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            // Words are little-endian in the block, and so is x86-64/arm64 memory, so the copy above is
            // already the RFC's decoding.
            let word = withUnsafeBytes(of: &m) { $0.load(fromByteOffset: g * 4, as: UInt32.self) }
            f = f &+ a &+ Self.constants[i] &+ UInt32(littleEndian: word)
            a = d
            d = c
            c = b
            let s = Self.shifts[i]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }

    /// The MD5 of a byte buffer.
    public static func hexDigest(of bytes: [UInt8]) -> String {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.hexDigest()
    }

    /// The MD5 of a file, read in 4 MiB chunks.
    public static func hexDigest(ofFile path: String) throws(DataError) -> String {
        guard FileAccess.exists(path), !FileAccess.isDirectory(path) else {
            throw DataError(file: path, problem: .missingFile)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(file: path, problem: .unreadable("cannot open"))
        }
        defer { try? handle.close() }
        var hasher = MD5()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 4 << 20) } catch {
                throw DataError(file: path, problem: .unreadable("\(error)"))
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update([UInt8](chunk))
        }
        return hasher.hexDigest()
    }
}
