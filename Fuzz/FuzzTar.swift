// libFuzzer harness: the tar reader (uncompressed; gzip is fuzzed separately) walking every member
// and reading its content, as the CIFAR-10 and IMDB archive readers do.
import Foundation

func fuzzTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = NSTemporaryDirectory() + "glidepath-fuzz-tar-\(getpid())"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    guard let reader = try? TarReader(path: path) else { return 0 }
    var members = 0
    while members < 10_000, let entry = try? reader.next() {
        members += 1
        if entry.kind == .file, entry.size < (1 << 24) { _ = try? reader.readContent(of: entry) }
    }
    return 0
}
