/// A labelled image dataset held as raw 8-bit pixels.
///
/// `pixels` holds `count × channels × height × width` bytes in NCHW order (for CIFAR-10 this is the
/// file's own R plane, G plane, B plane layout). Pixels stay bytes until a batch is built, where
/// ``ImageBatchSource`` converts them to `Float` in [0, 1] and normalises: CIFAR-10's training set is
/// 150 MB as bytes and would be 600 MB as `Float`.
public struct ImageDataset: Equatable, Sendable {
    public var pixels: [UInt8]
    /// One class index per image, in `0..<classNames.count`.
    public var labels: [Int32]
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classNames: [String]

    public init(pixels: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int, classNames: [String]) {
        precondition(
            pixels.count == labels.count * channels * height * width,
            "ImageDataset: \(pixels.count) pixels for \(labels.count) images of \(channels)×\(height)×\(width)")
        self.pixels = pixels
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
    }

    /// The number of images.
    public var count: Int { labels.count }
    /// Bytes per image: channels × height × width.
    public var imageSize: Int { channels * height * width }

    /// Images per class, indexed by label.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        for index in indices {
            precondition(index >= 0 && index < count, "ImageDataset.subset: index \(index) outside 0..<\(count)")
        }
        var newPixels = [UInt8](repeating: 0, count: indices.count * imageSize)
        let size = imageSize
        pixels.withUnsafeBufferPointer { source in
            newPixels.withUnsafeMutableBufferPointer { destination in
                guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    UnsafeMutableRawPointer(destinationBase + row * size)
                        .copyMemory(from: sourceBase + index * size, byteCount: size)
                }
            }
        }
        return ImageDataset(
            pixels: newPixels, labels: indices.map { labels[$0] }, channels: channels,
            height: height, width: width, classNames: classNames)
    }

    /// The concatenation of datasets with the same image shape and classes.
    public static func concatenating(_ parts: [ImageDataset]) -> ImageDataset? {
        guard let first = parts.first else { return nil }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(parts.reduce(0) { $0 + $1.pixels.count })
        var labels: [Int32] = []
        for part in parts {
            precondition(
                part.channels == first.channels && part.height == first.height && part.width == first.width,
                "ImageDataset.concatenating: image shapes differ")
            pixels.append(contentsOf: part.pixels)
            labels.append(contentsOf: part.labels)
        }
        return ImageDataset(
            pixels: pixels, labels: labels, channels: first.channels, height: first.height,
            width: first.width, classNames: first.classNames)
    }
}
