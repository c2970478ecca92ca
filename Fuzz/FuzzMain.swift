// The libFuzzer entry point: dispatches to the harness named by GLIDEPATH_FUZZ_TARGET (idx, cifar,
// gzip, tar, zip, text), so one instrumented build serves every target.
import Foundation

private let fuzzTarget = ProcessInfo.processInfo.environment["GLIDEPATH_FUZZ_TARGET"] ?? "idx"

@_cdecl("LLVMFuzzerTestOneInput")
public func glidepathFuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    switch fuzzTarget {
    case "idx": return fuzzIDX(data, size)
    case "cifar": return fuzzCIFAR(data, size)
    case "gzip": return fuzzGzip(data, size)
    case "tar": return fuzzTar(data, size)
    case "zip": return fuzzZip(data, size)
    case "text": return fuzzText(data, size)
    default: fatalError("unknown GLIDEPATH_FUZZ_TARGET \(fuzzTarget)")
    }
}
