/// The seed's CIFAR-10 training transforms (its `train.py`): `RandomHorizontalFlip()`, `RandomRotation(10)`,
/// `ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.2)`, then `ToTensor()` (no `Normalize`),
/// with torchvision's parameter distributions and Glidepath's seeded generator (``ImageTransforms`` has the
/// formulas and the parity statement).
///
/// Draws per image, in order, from the generator the loader seeds per batch
/// (`[augmentation, epoch, batch]`, so a batch is reproducible and a run resumes mid-epoch bit-identically):
/// the flip `uniformUnit() < flipProbability`; the angle `−degrees + 2·degrees·uniformUnit()` (uniform in
/// [−degrees, degrees], `RandomRotation.get_params`); then `ColorJitter.get_params`: the order of the four
/// colour transforms `permutation(of: 4)` (0 brightness, 1 contrast, 2 saturation, 3 hue, `torch.randperm`),
/// the brightness, contrast and saturation factors uniform in [max(0, 1 − s), 1 + s] and the hue shift
/// uniform in [−hue, hue]. The numbers differ from torch's (another generator); the distributions are
/// torchvision's.
public struct SeedAugmentation: Equatable, Codable, Sendable {
    public var flipProbability: Double
    /// Rotation range in degrees: the angle is uniform in [−degrees, degrees].
    public var degrees: Double
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double
    /// Hue shift range, in [0, 0.5].
    public var hue: Double

    /// The seed's values.
    public static let seed = SeedAugmentation(
        uncheckedFlip: 0.5, degrees: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.2)

    private init(
        uncheckedFlip flip: Double, degrees: Double, brightness: Double, contrast: Double, saturation: Double,
        hue: Double
    ) {
        flipProbability = flip
        self.degrees = degrees
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    /// - Throws: `DataError` naming the parameter: a probability outside [0, 1], a negative range, a hue
    ///   range above 0.5 (torchvision's bounds).
    public init(
        flipProbability: Double, degrees: Double, brightness: Double, contrast: Double, saturation: Double,
        hue: Double
    ) throws(DataError) {
        func fail(_ text: String) -> DataError { DataError(file: "augmentation", problem: .invalidArgument(text)) }
        guard (0...1).contains(flipProbability) else {
            throw fail("flip probability \(flipProbability) is outside [0, 1]")
        }
        for (name, value) in [
            ("degrees", degrees), ("brightness", brightness), ("contrast", contrast), ("saturation", saturation),
        ]
        where !(value.isFinite && value >= 0) {
            throw fail("\(name) \(value) must be finite and ≥ 0")
        }
        guard (0...0.5).contains(hue) else { throw fail("hue \(hue) is outside [0, 0.5]") }
        self.init(
            uncheckedFlip: flipProbability, degrees: degrees, brightness: brightness, contrast: contrast,
            saturation: saturation, hue: hue)
    }

    /// One image's parameters.
    public struct Draw: Equatable, Sendable {
        public var flip: Bool
        public var angle: Double
        /// The colour transforms' order: 0 brightness, 1 contrast, 2 saturation, 3 hue.
        public var order: [Int]
        public var brightness: Double
        public var contrast: Double
        public var saturation: Double
        public var hue: Double

        public init(
            flip: Bool, angle: Double, order: [Int], brightness: Double, contrast: Double, saturation: Double,
            hue: Double
        ) {
            self.flip = flip
            self.angle = angle
            self.order = order
            self.brightness = brightness
            self.contrast = contrast
            self.saturation = saturation
            self.hue = hue
        }
    }

    /// The next image's parameters from `generator`.
    public func draw(using generator: inout Xoshiro256StarStar) -> Draw {
        func factor(_ spread: Double) -> Double {
            let low = max(0, 1 - spread), high = 1 + spread
            return low + (high - low) * generator.uniformUnit()
        }
        let flip = generator.uniformUnit() < flipProbability
        let angle = -degrees + 2 * degrees * generator.uniformUnit()
        let order = generator.permutation(of: 4)
        let brightness = factor(brightness), contrast = factor(contrast), saturation = factor(saturation)
        let hue = -hue + 2 * hue * generator.uniformUnit()
        return Draw(
            flip: flip, angle: angle, order: order, brightness: brightness, contrast: contrast,
            saturation: saturation, hue: hue)
    }

    /// `image` (RGB, `3 × height × width`, values in [0, 1]) flipped, rotated and colour-jittered by `draw`,
    /// in the seed's order.
    public static func apply(_ draw: Draw, to image: [Float], height: Int, width: Int) -> [Float] {
        var output =
            draw.flip ? ImageTransforms.horizontalFlip(image, channels: 3, height: height, width: width) : image
        output = ImageTransforms.rotate(output, channels: 3, height: height, width: width, degrees: draw.angle)
        return jitter(output, order: draw.order, draw: draw, height: height, width: width)
    }

    /// torchvision's `ColorJitter.forward` with its drawn parameters: the four transforms in `order`.
    public static func jitter(_ image: [Float], order: [Int], draw: Draw, height: Int, width: Int) -> [Float] {
        var output = image
        for transform in order {
            switch transform {
            case 0: output = ImageTransforms.adjustBrightness(output, factor: draw.brightness)
            case 1:
                output = ImageTransforms.adjustContrast(
                    output, channels: 3, height: height, width: width, factor: draw.contrast)
            case 2:
                output = ImageTransforms.adjustSaturation(
                    output, channels: 3, height: height, width: width, factor: draw.saturation)
            default:
                output = ImageTransforms.adjustHue(output, channels: 3, height: height, width: width, factor: draw.hue)
            }
        }
        return output
    }
}
