/// Seeded training-time augmentation for CIFAR-10 style images: the standard recipe of He et al.
/// 2016 ("Deep Residual Learning for Image Recognition", §4.2): zero-pad 4 pixels on each side, take
/// a random 32×32 crop, flip horizontally with probability ½. Equivalent to torchvision's
/// `RandomCrop(32, padding=4)` + `RandomHorizontalFlip()` applied before `ToTensor`/`Normalize`, so
/// padded pixels are raw 0 and become `−mean/std` after normalisation.
///
/// Draws per image, in order: the vertical offset `uniform(below: 2·padding+1)`, the horizontal
/// offset, then one `uniformUnit() < flipProbability` for the flip. The generator is seeded per batch
/// by the loader, so augmentation is reproducible and independent of earlier batches.
public struct ImageAugmentation: Equatable, Codable, Sendable {
    /// Zero padding on each side before cropping back to the original size; 0 disables cropping.
    public var padding: Int
    /// Probability of a horizontal flip, in [0, 1].
    public var flipProbability: Double

    public init(padding: Int = 4, flipProbability: Double = 0.5) throws(DataError) {
        guard padding >= 0 else {
            throw DataError(file: "augmentation", problem: .invalidArgument("padding \(padding) is negative"))
        }
        guard (0...1).contains(flipProbability) else {
            throw DataError(
                file: "augmentation", problem: .invalidArgument("flip probability \(flipProbability) is outside [0, 1]")
            )
        }
        self.padding = padding
        self.flipProbability = flipProbability
    }

    /// One image's draw: crop offsets into the padded image and the flip.
    public struct Draw: Equatable, Sendable {
        public var top: Int
        public var left: Int
        public var flip: Bool
    }

    /// The next image's draw from `generator`.
    public func draw(using generator: inout Xoshiro256StarStar) -> Draw {
        let top = padding > 0 ? generator.uniform(below: 2 * padding + 1) : 0
        let left = padding > 0 ? generator.uniform(below: 2 * padding + 1) : 0
        let flip = flipProbability > 0 && generator.uniformUnit() < flipProbability
        return Draw(top: top, left: left, flip: flip)
    }

    /// Writes the augmented, normalised image into `destination` (`channels × height × width`).
    /// Output pixel (y, x) takes padded pixel (y + top, x' + left) with x' = width − 1 − x when
    /// flipped, x otherwise; padded coordinates outside the image read 0.
    func apply(
        _ draw: Draw, source: UnsafeBufferPointer<UInt8>, channels: Int, height: Int, width: Int,
        scale: [Float], shift: [Float], destination: UnsafeMutableBufferPointer<Float>
    ) {
        for channel in 0..<channels {
            let plane = channel * height * width
            let a = scale[channel], b = shift[channel]
            for y in 0..<height {
                let sourceY = y + draw.top - padding
                let rowOut = plane + y * width
                guard sourceY >= 0, sourceY < height else {
                    for x in 0..<width { destination[rowOut + x] = b }
                    continue
                }
                let rowIn = plane + sourceY * width
                for x in 0..<width {
                    let column = draw.flip ? width - 1 - x : x
                    let sourceX = column + draw.left - padding
                    let value: Float = (sourceX >= 0 && sourceX < width) ? Float(source[rowIn + sourceX]) : 0
                    destination[rowOut + x] = value * a + b
                }
            }
        }
    }
}
