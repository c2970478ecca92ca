// libFuzzer entry point for the legacy torch.save reader (LegacyTorchFile), compiled together with
// its three source files by scripts/fuzz-pth.sh. Any input must either parse or throw
// LegacyTorchFormatError with an offset inside the input; a crash, a sanitizer report, a hang or
// an out-of-memory is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacyTorch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let tensors = try LegacyTorchFile.readStateDictionary(bytes)
        for tensor in tensors where tensor.values.count != tensor.shape.reduce(1, *) {
            fatalError("tensor \(tensor.name): \(tensor.values.count) values for shape \(tensor.shape)")
        }
    } catch {
        if error.offset < 0 || error.offset > size { fatalError("offset \(error.offset) outside 0...\(size)") }
    }
    return 0
}
