// libFuzzer harness: the zip reader (central directory and every member's content).

func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let archive = try? ZipArchive(bytes: bytes, path: "input.zip") else { return 0 }
    for member in archive.members.prefix(100) where member.uncompressedSize < (1 << 24) {
        _ = try? archive.content(of: member.name)
    }
    return 0
}
