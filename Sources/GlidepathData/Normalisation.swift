/// Per-channel normalisation of images: `x = (pixel / 255 − mean[c]) / standardDeviation[c]`, the
/// transform of torchvision's `ToTensor()` followed by `Normalize(mean, std)`.
public struct ChannelNormalisation: Equatable, Codable, Sendable {
    public var mean: [Float]
    public var standardDeviation: [Float]

    /// - Parameters:
    ///   - mean: one value per channel, on the [0, 1] pixel scale.
    ///   - standardDeviation: one positive value per channel.
    public init(mean: [Float], standardDeviation: [Float]) throws(DataError) {
        guard mean.count == standardDeviation.count, !mean.isEmpty else {
            throw DataError(
                file: "normalisation",
                problem: .invalidArgument(
                    "\(mean.count) means for \(standardDeviation.count) standard deviations"))
        }
        for value in standardDeviation where !(value > 0 && value.isFinite) {
            throw DataError(
                file: "normalisation", problem: .invalidArgument("standard deviation \(value) is not positive"))
        }
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The statistics of `dataset` itself (population standard deviation over all pixels of each
    /// channel). Compute them on the training split and apply them to every split.
    public static func statistics(of dataset: ImageDataset) throws(DataError) -> ChannelNormalisation {
        let plane = dataset.height * dataset.width
        var sums = [Double](repeating: 0, count: dataset.channels)
        var squares = [Double](repeating: 0, count: dataset.channels)
        dataset.pixels.withUnsafeBufferPointer { pixels in
            for image in 0..<dataset.count {
                for channel in 0..<dataset.channels {
                    let start = (image * dataset.channels + channel) * plane
                    // Integer sums per plane are exact; doubles only accumulate plane totals.
                    var sum = 0, square = 0
                    for value in pixels[start..<(start + plane)] {
                        let v = Int(value)
                        sum += v
                        square += v * v
                    }
                    sums[channel] += Double(sum)
                    squares[channel] += Double(square)
                }
            }
        }
        let n = Double(dataset.count * plane)
        guard n > 0 else {
            throw DataError(file: "normalisation", problem: .invalidArgument("statistics of an empty dataset"))
        }
        var mean: [Float] = [], deviation: [Float] = []
        for channel in 0..<dataset.channels {
            let m = sums[channel] / n
            let variance = max(squares[channel] / n - m * m, 0)
            mean.append(Float(m / 255))
            deviation.append(Float(variance.squareRoot() / 255))
        }
        return try ChannelNormalisation(mean: mean, standardDeviation: deviation.map { max($0, 1e-8) })
    }

    /// MNIST's customary constants (0.1307, 0.3081), as in PyTorch's `examples/mnist/main.py`.
    public static let mnist = ChannelNormalisation(uncheckedMean: [0.1307], standardDeviation: [0.3081])
    /// CIFAR-10's customary per-channel constants (mean 0.4914, 0.4822, 0.4465; std 0.2470, 0.2435,
    /// 0.2616: population statistics of the 50,000 original training images).
    public static let cifar10 = ChannelNormalisation(
        uncheckedMean: [0.4914, 0.4822, 0.4465], standardDeviation: [0.2470, 0.2435, 0.2616])

    private init(uncheckedMean mean: [Float], standardDeviation: [Float]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }
}
