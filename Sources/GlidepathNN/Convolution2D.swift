import GlidepathTensor

/// A 2-D convolution over `[N, C, H, W]` input (PyTorch `nn.Conv2d` with groups = 1, dilation = 1,
/// zero padding): `y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]`.
///
/// Parameters `weight` `[outputChannels, inputChannels, kh, kw]` and `bias` `[outputChannels]`, both
/// U(±1/√fan_in) with `fan_in = inputChannels·kh·kw` (see ``Initialization``). Runs as im2col + GEMM
/// with the batch split over the engine's threads (`Tensor.convolved2D`).
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for channels or kernel sizes < 1,
    ///   strides < 1 or negative padding.
    public init<G: RandomNumberGenerator>(
        inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int),
        stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), bias: Bool = true,
        using generator: inout G
    ) throws(NNError) {
        try NNError.require(inputChannels >= 1, "inputChannels", inputChannels, "must be ≥ 1")
        try NNError.require(outputChannels >= 1, "outputChannels", outputChannels, "must be ≥ 1")
        try NNError.require(kernelSize.0 >= 1 && kernelSize.1 >= 1, "kernelSize", kernelSize, "must be ≥ 1")
        try NNError.require(stride.0 >= 1 && stride.1 >= 1, "stride", stride, "must be ≥ 1")
        try NNError.require(padding.0 >= 0 && padding.1 >= 0, "padding", padding, "must be ≥ 0")
        let fanIn = inputChannels * kernelSize.0 * kernelSize.1
        weight = Initialization.uniformFanIn(
            shape: [outputChannels, inputChannels, kernelSize.0, kernelSize.1], fanIn: fanIn, using: &generator)
        self.bias = bias ? Initialization.uniformFanIn(shape: [outputChannels], fanIn: fanIn, using: &generator) : nil
        self.stride = stride
        self.padding = padding
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convolved2D(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// `relu(maxPool2d(self(input), 2×2, stride 2))` as one fused op (``Sequential`` uses it for a
    /// Conv2d → ReLU → MaxPool2d block); the same values and gradients as the three layers.
    func withReLUAndTwoByTwoMaxPool(_ input: Tensor) -> Tensor {
        input.convolvedReLUMaxPooled2D(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// 2-D max pooling (PyTorch `nn.MaxPool2d`, `ceil_mode=False`, dilation 1); `stride` defaults to the
/// kernel size.
public final class MaxPool2d: Layer {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public var isTraining = true

    /// - Throws: ``NNError/invalidArgument(name:value:reason:)`` for sizes < 1 or padding outside
    ///   `0...kernel/2` (PyTorch's rule).
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws(NNError) {
        try PoolingValidation.validate(kernelSize: kernelSize, stride: stride, padding: padding)
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.maxPooled2D(kernel: kernelSize, stride: stride, padding: padding)
    }

    /// A 2×2 window, stride 2, no padding: the pool ``Sequential`` fuses into a preceding convolution.
    var isPlainTwoByTwo: Bool {
        kernelSize == (2, 2) && stride == (2, 2) && padding == (0, 0)
    }
}

/// 2-D average pooling (PyTorch `nn.AvgPool2d`, `ceil_mode=False`); `stride` defaults to the kernel size.
public final class AvgPool2d: Layer {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let countIncludingPadding: Bool
    public var isTraining = true

    /// - Throws: as ``MaxPool2d/init(kernelSize:stride:padding:)``.
    public init(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludingPadding: Bool = true
    ) throws(NNError) {
        try PoolingValidation.validate(kernelSize: kernelSize, stride: stride, padding: padding)
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludingPadding = countIncludingPadding
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.averagePooled2D(
            kernel: kernelSize, stride: stride, padding: padding,
            countIncludingPadding: countIncludingPadding)
    }
}

enum PoolingValidation {
    static func validate(kernelSize: (Int, Int), stride: (Int, Int)?, padding: (Int, Int)) throws(NNError) {
        try NNError.require(kernelSize.0 >= 1 && kernelSize.1 >= 1, "kernelSize", kernelSize, "must be ≥ 1")
        if let stride { try NNError.require(stride.0 >= 1 && stride.1 >= 1, "stride", stride, "must be ≥ 1") }
        try NNError.require(
            padding.0 >= 0 && padding.1 >= 0 && 2 * padding.0 <= kernelSize.0 && 2 * padding.1 <= kernelSize.1,
            "padding", padding, "must lie in 0...kernelSize/2")
    }
}
