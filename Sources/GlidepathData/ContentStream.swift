import CZlib
import Foundation

/// A forward-only reader over a file's content, decompressing gzip on the fly when the file starts
/// with the gzip magic number. Used by the tar reader so a 170 MB `cifar-10-binary.tar.gz` is never
/// held in memory whole.
public final class ContentStream {
    /// The file being read.
    public let path: String
    /// Bytes of content (after decompression) delivered so far.
    public private(set) var position = 0

    private let handle: FileHandle
    private let isGzip: Bool
    private var stream: UnsafeMutablePointer<z_stream>?
    private var compressed: [UInt8] = []
    private var compressedOffset = 0  // next unread byte in `compressed`
    private var compressedConsumedTotal = 0
    private var endOfFile = false
    private var endOfStream = false
    private var pending: [UInt8] = []  // decompressed, not yet delivered
    private var pendingOffset = 0
    private static let chunkSize = 1 << 20

    /// Opens `path`; throws a ``DataError`` naming the file when it is missing or unreadable.
    public init(path: String) throws(DataError) {
        self.path = path
        guard FileAccess.exists(path) else { throw DataError(file: path, problem: .missingFile) }
        guard !FileAccess.isDirectory(path) else {
            throw DataError(file: path, problem: .unreadable("is a directory, not a file"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(file: path, problem: .unreadable("cannot open"))
        }
        self.handle = handle
        let headData: Data? = (try? handle.read(upToCount: 2)) ?? nil
        let head = headData.map { [UInt8]($0) } ?? []
        isGzip = Gzip.hasMagic(head)
        compressed = head
        if isGzip {
            let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            pointer.initialize(to: z_stream())
            guard inflateInit2_(pointer, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
            else {
                pointer.deallocate()
                throw DataError(file: path, problem: .corruptGzip("zlib inflateInit2 failed"))
            }
            stream = pointer
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        try? handle.close()
    }

    /// Up to `count` bytes; fewer only at the end of the content (empty at the end).
    public func read(upTo count: Int) throws(DataError) -> [UInt8] {
        var result: [UInt8] = []
        // `count` may come from an untrusted header (a tar member size): reserve what is already
        // decompressed plus one chunk, and let the array grow beyond that.
        result.reserveCapacity(min(count, pending.count - pendingOffset + Self.chunkSize))
        while result.count < count {
            if pendingOffset == pending.count {
                guard try refill() else { break }
            }
            let take = min(count - result.count, pending.count - pendingOffset)
            result.append(contentsOf: pending[pendingOffset..<(pendingOffset + take)])
            pendingOffset += take
        }
        position += result.count
        return result
    }

    /// Exactly `count` bytes, or a ``DataError/Problem/truncated(expected:actual:)`` error at the current position.
    public func readExactly(_ count: Int, member: String? = nil) throws(DataError) -> [UInt8] {
        let start = position
        let bytes = try read(upTo: count)
        guard bytes.count == count else {
            let location: DataError.Location = member.map { .member($0, byteOffset: bytes.count) } ?? .byteOffset(start)
            throw DataError(file: path, location: location, problem: .truncated(expected: count, actual: bytes.count))
        }
        return bytes
    }

    /// Skips `count` bytes; throws when the content ends first.
    public func skip(_ count: Int, member: String? = nil) throws(DataError) {
        var remaining = count
        while remaining > 0 {
            if pendingOffset == pending.count {
                guard try refill() else {
                    let location: DataError.Location =
                        member.map { .member($0, byteOffset: count - remaining) } ?? .byteOffset(position)
                    throw DataError(
                        file: path, location: location,
                        problem: .truncated(expected: count, actual: count - remaining))
                }
            }
            let take = min(remaining, pending.count - pendingOffset)
            pendingOffset += take
            remaining -= take
            position += take
        }
    }

    /// Refills `pending`; false at the end of the content.
    private func refill() throws(DataError) -> Bool {
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if !isGzip {
            if compressedOffset < compressed.count {
                pending = Array(compressed[compressedOffset...])
                compressedOffset = compressed.count
                return !pending.isEmpty
            }
            guard let chunk = try readChunk() else { return false }
            pending = chunk
            return true
        }
        guard let stream else { return false }
        if endOfStream { return false }
        var output = [UInt8](repeating: 0, count: Self.chunkSize)
        var produced = 0
        inflating: while produced == 0 {
            if compressedOffset == compressed.count {
                if let chunk = try readChunk() {
                    compressed = chunk
                    compressedOffset = 0
                } else {
                    compressed = []
                    compressedOffset = 0
                }
            }
            let availableIn = compressed.count - compressedOffset
            var status: Int32 = Z_OK
            var usedIn = 0
            compressed.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.pointee.next_in = availableIn > 0 ? inBuffer.baseAddress.map { $0 + compressedOffset } : nil
                    stream.pointee.avail_in = UInt32(availableIn)
                    stream.pointee.next_out = outBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(outBuffer.count)
                    status = inflate(stream, Z_NO_FLUSH)
                    produced = outBuffer.count - Int(stream.pointee.avail_out)
                    usedIn = availableIn - Int(stream.pointee.avail_in)
                }
            }
            compressedOffset += usedIn
            compressedConsumedTotal += usedIn
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow; anything else is trailing garbage.
                if compressedOffset == compressed.count, let chunk = try readChunk() {
                    compressed = chunk
                    compressedOffset = 0
                }
                if compressedOffset == compressed.count {
                    endOfStream = true
                } else if compressed.count - compressedOffset >= 2,
                    compressed[compressedOffset] == 0x1F, compressed[compressedOffset + 1] == 0x8B
                {
                    inflateReset(stream)
                } else {
                    throw DataError(
                        file: path, location: .byteOffset(compressedConsumedTotal),
                        problem: .trailingBytes(count: compressed.count - compressedOffset))
                }
                if endOfStream { break inflating }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if availableIn == 0 && endOfFile {
                    throw DataError(file: path, location: .byteOffset(compressedConsumedTotal), problem: .truncatedGzip)
                }
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DataError(
                    file: path, location: .byteOffset(compressedConsumedTotal),
                    problem: .corruptGzip(message))
            }
        }
        output.removeSubrange(produced...)
        pending = output
        return produced > 0
    }

    private func readChunk() throws(DataError) -> [UInt8]? {
        if endOfFile { return nil }
        let data: Data?
        do {
            data = try handle.read(upToCount: Self.chunkSize)
        } catch {
            throw DataError(file: path, problem: .unreadable(String(describing: error)))
        }
        guard let data, !data.isEmpty else {
            endOfFile = true
            return nil
        }
        return [UInt8](data)
    }
}
