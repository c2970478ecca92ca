/// Batch normalisation (Ioffe & Szegedy 2015, arXiv:1502.03167) as one fused op, matching PyTorch's
/// `torch.nn.functional.batch_norm`.
extension Tensor {
    /// Normalises each channel (axis 1) of `[N, C]` or `[N, C, …]` input:
    /// `y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c`.
    ///
    /// In training, `μ_c` and `σ²_c` are the batch statistics over all axes but 1 (the variance is the
    /// biased one, divided by M = N·…), and the running statistics are updated in place as in PyTorch:
    /// `running ← (1 − momentum)·running + momentum·batch`, the variance with the unbiased batch
    /// variance `σ²·M/(M − 1)`. In evaluation the running statistics are used (and the op is affine in
    /// `x`). Without running statistics, batch statistics are used in both modes
    /// (PyTorch `track_running_stats=False`).
    ///
    /// - Parameters:
    ///   - weight, bias: `[C]` scale γ and shift β, or nil for γ = 1, β = 0 (`affine=False`).
    ///   - runningMean, runningVariance: `[C]` contiguous buffers updated in place in training, or nil.
    ///   - momentum: in [0, 1]; PyTorch's default is 0.1.
    ///   - epsilon: > 0; PyTorch's default is 1e-5.
    /// `precondition`s the shapes, and more than one value per channel in training (as PyTorch).
    public func batchNormalized(
        weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil, runningVariance: Tensor? = nil,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(rank >= 2, "batchNorm: input \(shape) needs a channel axis ([N, C, …])")
        let channels = shape[1], batch = shape[0], inner = shape[2...].reduce(1, *)
        for (name, tensor) in [
            ("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVariance", runningVariance),
        ] {
            if let tensor {
                precondition(tensor.shape == [channels], "batchNorm: \(name) \(tensor.shape) for input \(shape)")
            }
        }
        precondition(
            (runningMean == nil) == (runningVariance == nil), "batchNorm: pass both running statistics or neither")
        let useBatchStatistics = training || runningMean == nil
        let perChannel = batch * inner
        precondition(
            !useBatchStatistics || perChannel > 1,
            "batchNorm: expected more than 1 value per channel when training, got input \(shape)")
        let input = contiguous().detached()
        let x = UnsafePointer(input.node.storage.pointer + input.offset)
        var mean = [Float](repeating: 0, count: channels)
        var inverseDeviation = [Float](repeating: 0, count: channels)
        if useBatchStatistics {
            var variance = [Float](repeating: 0, count: channels)
            for c in 0..<channels {
                // Two passes (mean, then squared deviations): vectorised Float sums per row, Double
                // across rows, since M reaches 65 536 for a CNN feature map.
                var total = 0.0
                for n in 0..<batch { total += Double(Kernels.sum(x + (n * channels + c) * inner, count: inner)) }
                let mu = total / Double(perChannel)
                var squares = 0.0
                for n in 0..<batch {
                    squares += Double(
                        Kernels.sumOfSquaredDeviations(x + (n * channels + c) * inner, count: inner, from: Float(mu)))
                }
                mean[c] = Float(mu)
                variance[c] = Float(squares / Double(perChannel))
                inverseDeviation[c] = Float(1 / (squares / Double(perChannel) + Double(epsilon)).squareRoot())
            }
            if training, let runningMean, let runningVariance {
                let correction = Float(perChannel) / Float(perChannel - 1)
                runningMean.withUnsafeMutableBufferPointer { running in
                    for c in 0..<channels { running[c] = (1 - momentum) * running[c] + momentum * mean[c] }
                }
                runningVariance.withUnsafeMutableBufferPointer { running in
                    for c in 0..<channels {
                        running[c] = (1 - momentum) * running[c] + momentum * variance[c] * correction
                    }
                }
            }
        } else if let runningMean, let runningVariance {
            mean = runningMean.scalars
            inverseDeviation = runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        }
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
        let beta = bias?.scalars ?? [Float](repeating: 0, count: channels)
        let output = TensorStorage(uninitializedCount: count)
        for n in 0..<batch {
            for c in 0..<channels {
                let offset = (n * channels + c) * inner
                let scale = inverseDeviation[c] * gamma[c], shift = beta[c] - mean[c] * scale
                let source = x + offset, out = output.pointer + offset
                for i in 0..<inner { out[i] = source[i] * scale + shift }
            }
        }
        var inputs = [self]
        let weightIndex = weight.map {
            inputs.append($0); return inputs.count - 1
        }
        let biasIndex = bias.map {
            inputs.append($0); return inputs.count - 1
        }
        let inputShape = shape
        let finalMean = mean, finalInverse = inverseDeviation
        return Tensor.record("batchNorm", result: Tensor(storage: output, shape: shape), inputs: inputs) {
            gradient, sink in
            let g = gradient.contiguousStorageView()
            var sumG = [Double](repeating: 0, count: channels)
            var sumGXHat = [Double](repeating: 0, count: channels)
            withExtendedLifetime((g.owner, input)) {
                for n in 0..<batch {
                    for c in 0..<channels {
                        let offset = (n * channels + c) * inner
                        sumG[c] += Double(Kernels.sum(g.pointer + offset, count: inner))
                        sumGXHat[c] +=
                            Double(
                                Kernels.dotWithDeviations(
                                    g.pointer + offset, x + offset, count: inner, from: finalMean[c]))
                            * Double(finalInverse[c])
                    }
                }
                if sink.needsGradient(forInput: 0) {
                    let dx = TensorStorage(uninitializedCount: batch * channels * inner)
                    for n in 0..<batch {
                        for c in 0..<channels {
                            let offset = (n * channels + c) * inner
                            let mu = finalMean[c], inv = finalInverse[c], gammaC = gamma[c]
                            let out = dx.pointer + offset, gp = g.pointer + offset, xp = x + offset
                            if useBatchStatistics {
                                // dx = γ·inv/M · (M·g − Σg − x̂·Σ(g·x̂))
                                let m = Float(perChannel)
                                let meanG = Float(sumG[c]) / m, meanGX = Float(sumGXHat[c]) / m
                                for i in 0..<inner {
                                    let xHat = (xp[i] - mu) * inv
                                    out[i] = gammaC * inv * (gp[i] - meanG - xHat * meanGX)
                                }
                            } else {
                                for i in 0..<inner { out[i] = gp[i] * gammaC * inv }
                            }
                        }
                    }
                    sink.accumulate(Tensor(storage: dx, shape: inputShape), forInput: 0)
                }
            }
            if let weightIndex, sink.needsGradient(forInput: weightIndex) {
                sink.accumulate(Tensor(sumGXHat.map(Float.init)), forInput: weightIndex)
            }
            if let biasIndex, sink.needsGradient(forInput: biasIndex) {
                sink.accumulate(Tensor(sumG.map(Float.init)), forInput: biasIndex)
            }
        }
    }
}
