import Foundation
import GlidepathData
import GlidepathTestSupport
import Testing

/// The seed's CIFAR-10 transforms (`SeedAugmentation`, `ImageTransforms`) against torchvision's own outputs
/// for the same parameters: `Fixtures/torchvision_augmentation.json`, written by
/// `scripts/fixtures/torchvision_augmentation.py` (torch 2.15, torchvision 0.29, float32 CHW tensors).
///
/// Tolerance: 2·10⁻⁶ absolute on values in [0, 1] (a few Float32 ulps: torch's mean and its `einsum` in
/// `_hsv2rgb` sum in another order); rotation and flip move pixels and must be exact.
@Suite("Seed augmentation: torchvision parity")
struct AugmentationParityTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            struct Parameters: Decodable {
                var flip: Bool?
                var angle: Double?
                var order: [Int]?
                var brightness: Double?
                var contrast: Double?
                var saturation: Double?
                var hue: Double?
            }
            var name: String
            var parameters: Parameters
            var output: [Float]
        }
        var shape: [Int]
        var pixels: [Int]
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/torchvision_augmentation.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func matchesTorchvision() throws {
        let fixture = try Self.fixture()
        let (height, width) = (fixture.shape[1], fixture.shape[2])
        let image = fixture.pixels.map { Float($0) / 255 }
        #expect(fixture.cases.count == 24)
        for entry in fixture.cases {
            let p = entry.parameters
            let draw = SeedAugmentation.Draw(
                flip: p.flip ?? false, angle: p.angle ?? 0, order: p.order ?? [], brightness: p.brightness ?? 1,
                contrast: p.contrast ?? 1, saturation: p.saturation ?? 1, hue: p.hue ?? 0)
            let output: [Float]
            if p.angle == nil && p.order == nil {
                output = ImageTransforms.horizontalFlip(image, channels: 3, height: height, width: width)
            } else if p.order == nil {
                output = ImageTransforms.rotate(image, channels: 3, height: height, width: width, degrees: draw.angle)
            } else if p.angle == nil {
                output = SeedAugmentation.jitter(image, order: draw.order, draw: draw, height: height, width: width)
            } else {
                output = SeedAugmentation.apply(draw, to: image, height: height, width: width)
            }
            let exact = p.order == nil
            let worst = zip(output, entry.output).map { abs($0 - $1) }.max() ?? .infinity
            #expect(output.count == entry.output.count)
            #expect(exact ? worst == 0 : worst <= 2e-6, "\(entry.name): largest difference \(worst)")
        }
    }

    /// Draws follow torchvision's distributions: factors in [0.8, 1.2], hue in [−0.2, 0.2], angle in
    /// [−10, 10], the order a permutation of 0…3, flips about half; and the same generator state gives the
    /// same draw (determinism per seed).
    @Test func drawsAreSeededAndInRange() throws {
        var generator = Xoshiro256StarStar(seed: 5, stream: [9])
        var flips = 0
        for _ in 0..<2000 {
            let draw = SeedAugmentation.seed.draw(using: &generator)
            if draw.flip { flips += 1 }
            #expect((-10...10).contains(draw.angle) && (-0.2...0.2).contains(draw.hue))
            #expect([draw.brightness, draw.contrast, draw.saturation].allSatisfy { (0.8...1.2).contains($0) })
            #expect(draw.order.sorted() == [0, 1, 2, 3])
        }
        // 2000 fair flips: mean 1000, sd √500 ≈ 22.4; ±5 sd.
        #expect(abs(flips - 1000) < 112)
        var first = Xoshiro256StarStar(seed: 5, stream: [1, 2])
        var second = Xoshiro256StarStar(seed: 5, stream: [1, 2])
        #expect(SeedAugmentation.seed.draw(using: &first) == SeedAugmentation.seed.draw(using: &second))
        #expect(throws: DataError.self) {
            try SeedAugmentation(
                flipProbability: 0.5, degrees: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.7)
        }
    }

    /// In the loader: a batch's images are `SeedAugmentation.apply` of the draws replayed from the loader's
    /// per-batch stream `[3, epoch, batch]` (`docs/data.md`), so a batch is a pure function of (seed, epoch,
    /// batch): a second loader — a run resumed mid-epoch — serves bit-identical batches, another seed
    /// others.
    @Test func loaderBatchesAreSeededAndResumable() throws {
        let count = 6, height = 5, width = 4
        let pixels = (0..<(count * 3 * height * width)).map { UInt8(($0 * 37) % 256) }
        let dataset = ImageDataset(
            pixels: pixels, labels: (0..<count).map { Int32($0 % 2) }, channels: 3, height: height, width: width,
            classNames: ["a", "b"])
        let source = try ImageBatchSource(dataset: dataset, normalisation: nil, seedAugmentation: .seed)
        let options = try BatchingOptions(batchSize: 3, shuffle: true, seed: 8)
        let first = DataLoader(source: source, options: options)
        let batch = first.batch(epoch: 1, index: 1)
        var generator = Xoshiro256StarStar(seed: 8, stream: [3, 1, 1])
        let size = 3 * height * width
        for (row, index) in batch.indices.enumerated() {
            let image = pixels[(index * size)..<((index + 1) * size)].map { Float($0) / 255 }
            let expected = SeedAugmentation.apply(
                SeedAugmentation.seed.draw(using: &generator), to: image, height: height, width: width)
            #expect(Array(batch.features[(row * size)..<((row + 1) * size)]) == expected)
        }
        let resumed = DataLoader(source: source, options: options)
        #expect(resumed.batch(epoch: 1, index: 1) == batch)
        let other = DataLoader(source: source, options: try BatchingOptions(batchSize: 3, shuffle: true, seed: 9))
        #expect(other.batch(epoch: 1, index: 1).features != batch.features)
        #expect(throws: DataError.self) {
            try ImageBatchSource(
                dataset: dataset, normalisation: nil, augmentation: try ImageAugmentation(), seedAugmentation: .seed)
        }
    }
}
