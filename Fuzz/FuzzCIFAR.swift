// libFuzzer harness: CIFAR-10 batch parsing, raw and through gzip.

func fuzzCIFAR(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? CIFAR10.parseBatch(bytes, file: "batch")
    if Gzip.hasMagic(bytes), let content = try? Gzip.decompress(bytes, file: "batch.gz") {
        _ = try? CIFAR10.parseBatch(content, file: "batch.gz")
    }
    return 0
}
