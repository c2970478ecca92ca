import GlidepathTensor

/// Whether a forward pass records the network's activation pattern or replays a recorded one.
public enum ActivationPatternMode: Sendable, Equatable {
    /// Evaluate normally and remember each ReLU's mask and each max-pool's selected positions.
    case record
    /// Use the remembered masks and positions instead of recomputing them.
    case replay
}

/// The activation pattern of a piecewise-linear network (ReLU masks, max-pool selections) per probe
/// batch, frozen at the probe's parameters θ.
///
/// **Why.** A ReLU or max-pool network is piecewise smooth; its Hessian at θ (what PyTorch's double
/// backprop returns, the R-operator of Pearlmutter 1994) is the Hessian of the network with the pattern
/// fixed at θ, where the masks are constants. A finite difference of the *unfrozen* gradient at θ ± r·v̂
/// instead crosses kinks: one unit of one example switching adds an O(1) jump divided by 2r, and on
/// the study's CNN the error along the gradient was 1.5e1 at r = 1e-3 and still 0.6 at r = 1e-4
/// (`docs/landscape.md`, "Choosing the step"). Replaying the pattern makes the difference see exactly
/// the function whose Hessian double backprop computes, leaving only the smooth parts' truncation
/// (softmax, LSTM gates) and Float32 rounding.
public final class ActivationPatterns {
    enum Pattern {
        case mask(Tensor)
        case pool(indices: [Int32], planes: Int, outputShape: [Int])
    }

    private var patterns: [Int: [Pattern]] = [:]

    public init() {}

    /// Forgets every recorded pattern.
    public func removeAll() { patterns.removeAll() }

    /// Whether a pattern for `batch` has been recorded.
    public func hasPattern(for batch: Int) -> Bool { patterns[batch] != nil }

    /// Applies `sequential` to `input` for probe batch `batch`, recording or replaying the ReLU masks and
    /// max-pool selections. Other layers run as usual.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` when replaying a batch with no recorded
    ///   pattern or with a pattern of other shapes.
    public func apply(_ sequential: Sequential, to input: Tensor, batch: Int, mode: ActivationPatternMode)
        throws(NNError) -> Tensor
    {
        var recorded: [Pattern] = []
        let replayed: [Pattern]
        switch mode {
        case .record: replayed = []
        case .replay:
            guard let stored = patterns[batch] else {
                throw .invalidInput(name: "activationPattern", value: "batch \(batch)", reason: "none recorded")
            }
            replayed = stored
        }
        var position = 0
        func next() throws(NNError) -> Pattern {
            guard position < replayed.count else {
                throw .invalidInput(name: "activationPattern", value: "batch \(batch)", reason: "has fewer layers")
            }
            defer { position += 1 }
            return replayed[position]
        }
        var value = input
        for layer in sequential.layers {
            if let activation = layer as? Activation, activation.function == .relu {
                switch mode {
                case .record:
                    let mask = try Self.tensor(value.shape, value.scalars.map { $0 > 0 ? 1 : 0 })
                    recorded.append(.mask(mask))
                    value = value.relu()
                case .replay:
                    guard case let .mask(mask) = try next(), mask.shape == value.shape else {
                        throw .invalidInput(
                            name: "activationPattern", value: "batch \(batch)", reason: "ReLU shape differs")
                    }
                    value = value * mask
                }
            } else if let pool = layer as? MaxPool2d {
                let shape = value.shape
                guard shape.count == 4 else { value = pool(value); continue }
                let planes = shape[0] * shape[1], plane = shape[2] * shape[3]
                switch mode {
                case .record:
                    let output = pool(value)
                    let indices = Self.selections(
                        value.scalars, shape: shape, pool: pool, outputHeight: output.shape[2],
                        outputWidth: output.shape[3])
                    recorded.append(.pool(indices: indices, planes: planes, outputShape: output.shape))
                    value = output
                case .replay:
                    guard case let .pool(indices, storedPlanes, outputShape) = try next(), storedPlanes == planes else {
                        throw .invalidInput(
                            name: "activationPattern", value: "batch \(batch)", reason: "pool shape differs")
                    }
                    let outputPlane = outputShape[2] * outputShape[3]
                    value = value.reshaped(to: [planes, plane])
                        .gathering(alongAxis: 1, indices: indices, indexShape: [planes, outputPlane])
                        .reshaped(to: outputShape)
                }
            } else if let inner = layer as? Sequential {
                // Nested sequences would need their own slots; the task models have none.
                value = inner(value)
            } else {
                value = layer(value)
            }
        }
        if mode == .record { patterns[batch] = recorded }
        return value
    }

    /// The first maximal position (row-major, padding never selected) of each pooling window, as an
    /// index into its plane — the position PyTorch's `max_pool2d` and the engine route the gradient to.
    static func selections(_ x: [Float], shape: [Int], pool: MaxPool2d, outputHeight: Int, outputWidth: Int) -> [Int32]
    {
        let planes = shape[0] * shape[1], height = shape[2], width = shape[3]
        var result = [Int32](repeating: 0, count: planes * outputHeight * outputWidth)
        var k = 0
        for p in 0..<planes {
            let base = p * height * width
            for oh in 0..<outputHeight {
                let h0 = oh * pool.stride.0 - pool.padding.0
                let hStart = max(h0, 0), hEnd = min(h0 + pool.kernelSize.0, height)
                for ow in 0..<outputWidth {
                    let w0 = ow * pool.stride.1 - pool.padding.1
                    let wStart = max(w0, 0), wEnd = min(w0 + pool.kernelSize.1, width)
                    var best = -Float.infinity, bestIndex = hStart * width + wStart
                    for h in hStart..<hEnd {
                        for w in wStart..<wEnd {
                            let value = x[base + h * width + w]
                            if value > best || value.isNaN {
                                best = value
                                bestIndex = h * width + w
                            }
                        }
                    }
                    result[k] = Int32(bestIndex)
                    k += 1
                }
            }
        }
        return result
    }

    static func tensor(_ shape: [Int], _ values: [Float]) throws(NNError) -> Tensor {
        do { return try Tensor(shape: shape, scalars: values) } catch {
            throw .invalidInput(name: "activationPattern", value: "\(shape)", reason: "\(error)")
        }
    }
}
