// libFuzzer harness: IDX parsing and MNIST assembly (compiled with the GlidepathData sources by
// scripts/fuzz-data.sh). Any input must produce a dataset or a DataError, never a crash.

func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Split the input into an image file and a label file at a position chosen by the first byte.
    let cut = bytes.isEmpty ? 0 : min(Int(bytes[0]) * 4, bytes.count - 1)
    let images = Array(bytes.dropFirst().prefix(max(cut - 1, 0)))
    let labels = Array(bytes.dropFirst(max(cut, 1)))
    do {
        let imageArray = try IDX.parse(images, file: "images")
        let labelArray = try IDX.parse(labels, file: "labels")
        _ = try MNIST.assemble(
            images: imageArray, imagesFile: "images", labels: labelArray, labelsFile: "labels", variant: .digits)
    } catch {}
    return 0
}
