import CZlib

/// gzip (RFC 1952) through zlib: whole-buffer decompression and compression.
///
/// Decompression accepts concatenated members (as `gzip` does) and checks every member's CRC-32 and
/// length trailer (zlib does this for `windowBits = 16 + 15`). A stream that ends early is a
/// ``DataError/Problem/truncatedGzip`` error; anything zlib rejects is ``DataError/Problem/corruptGzip(_:)``
/// with zlib's message; bytes after the last member that are not another member are an error too.
public enum Gzip {
    /// Whether `bytes` starts with the gzip magic number `1f 8b`.
    public static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most bytes a gzip file may decompress to (`docs/limits.md`): 2 GiB, four times the largest
    /// archive the catalogue reads. A bomb is stopped here, not by the allocator.
    public static let maximumOutputBytes = 1 << 31

    /// Decompresses a complete gzip file. `file` names the file in errors.
    ///
    /// - Parameters:
    ///   - limit: the most bytes of output; more is ``DataError/Problem/exceedsLimit(what:limit:)``.
    ///   - prefix: when given, stop (without error, and without checking the trailer) once this many
    ///     bytes are out: a header read before the whole file is trusted.
    public static func decompress(
        _ input: [UInt8], file: String, limit: Int = maximumOutputBytes,
        prefix: Int? = nil
    ) throws(DataError) -> [UInt8] {
        guard hasMagic(input) else {
            throw DataError(
                file: file, location: .byteOffset(0),
                problem: .badMagic(expected: "1f 8b", found: hexPrefix(input, count: 2)))
        }
        // The trailer's ISIZE (length mod 2^32 of the last member) is a good first guess of the output size.
        var capacity = 1 << 16
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            // ISIZE is untrusted: beyond deflate's expansion bound it is a lie (or a multi-member file);
            // then start from 4× the input and let the buffer grow.
            // Even a plausible ISIZE is only trusted up to 16× the input (a truncated file's last four
            // bytes are arbitrary): beyond that the buffer starts at 4× and doubles as output arrives.
            let plausible = isize <= input.count * Deflate.maximumExpansion && isize <= input.count * 16
            capacity = max(capacity, min(plausible ? isize + 1 : input.count * 4, 1 << 30))
        }
        if let prefix { capacity = min(capacity, prefix) }
        capacity = max(1, min(capacity, limit + 1))
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: file, problem: .corruptGzip("zlib inflateInit2 failed"))
        }
        defer { inflateEnd(&stream) }

        var consumed = 0
        try input.withUnsafeBufferPointer { (inputBuffer) throws(DataError) in
            guard let inputBase = inputBuffer.baseAddress else { return }
            while true {
                if let prefix, produced >= prefix { return }
                if produced == output.count {
                    guard output.count <= limit else {
                        throw DataError(
                            file: file, problem: .exceedsLimit(what: "the decompressed content", limit: limit))
                    }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit + 1 - output.count)))
                }
                let remainingIn = input.count - consumed
                stream.next_in = UnsafeMutablePointer(mutating: inputBase + consumed)
                stream.avail_in = UInt32(min(remainingIn, Int(UInt32.max)))
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress.map { $0 + produced }
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = Int(stream.avail_out)
                    let beforeIn = Int(stream.avail_in)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced += before - Int(stream.avail_out)
                    consumed += beforeIn - Int(stream.avail_in)
                    return result
                }
                switch status {
                case Z_STREAM_END:
                    if consumed == input.count { return }
                    // Another member follows (concatenated gzip), or trailing garbage.
                    let rest = Array(input[consumed..<min(consumed + 2, input.count)])
                    guard rest.count == 2, rest[0] == 0x1F, rest[1] == 0x8B else {
                        throw DataError(
                            file: file, location: .byteOffset(consumed),
                            problem: .trailingBytes(count: input.count - consumed))
                    }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 && consumed == input.count {
                        throw DataError(file: file, location: .byteOffset(consumed), problem: .truncatedGzip)
                    }
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DataError(file: file, location: .byteOffset(consumed), problem: .corruptGzip(message))
                }
            }
        }
        if let prefix { return Array(output[..<min(produced, prefix)]) }
        guard produced <= limit else {
            throw DataError(file: file, problem: .exceedsLimit(what: "the decompressed content", limit: limit))
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Compresses `input` as one gzip member (used to write fixtures and caches). `level` is zlib's
    /// 0…9 (6 is zlib's default trade-off).
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // deflateInit2 fails only for invalid parameters or out of memory; both are programmer errors here.
        let initStatus = deflateInit2_(
            &stream, max(0, min(level, 9)), Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initStatus == Z_OK, "deflateInit2 failed with \(initStatus)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 64
        var output = [UInt8](repeating: 0, count: bound)
        var input = input
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate with a deflateBound-sized buffer returned \(status)")
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    static func hexPrefix(_ bytes: [UInt8], count: Int) -> String {
        bytes.prefix(count).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: " ")
    }
}
