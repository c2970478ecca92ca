// libFuzzer harness: whole-buffer gzip decompression and the streaming reader over the same bytes;
// both must agree on success and content.
import Foundation

func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count >= 2 { bytes[0] = 0x1F; bytes[1] = 0x8B }  // reach past the magic check
    let whole = try? Gzip.decompress(bytes, file: "input.gz")
    let path = FuzzScratch.write(bytes)
    var streamed: [UInt8]?
    if let stream = try? ContentStream(path: path) {
        streamed = try? stream.read(upTo: 1 << 26)
    }
    if let whole, let streamed, whole != streamed, bytes.count >= 2 {
        fatalError("whole-buffer and streaming gzip disagree")
    }
    return 0
}

enum FuzzScratch {
    static let path = NSTemporaryDirectory() + "glidepath-fuzz-\(getpid())"
    static func write(_ bytes: [UInt8]) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}
