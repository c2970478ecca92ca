import Foundation
import GlidepathTensor

/// Engine-level measurements without layers: GEMM GFLOP/s on the shapes of `docs/engine.md`, "Design measurements",
/// and an MLP 108-256-128-2 training step (batch 128, Adam) built from raw ops, to watch per-op overhead.
/// Run: `.build/release/GlidepathBenchmarks engine-ops [threads]`. Prints; never asserts.
enum EngineMicrobenchmarks {
    static func run(threads: Int, only: String?) throws {
        try Engine.setThreadCount(threads)
        print("engine-ops threads=\(threads) backend=\(Engine.backend.name)")
        if let blas = Engine.backend as? OpenBLASBackend { print("  \(blas.configuration)") }
        if only == nil || only == "gemm" {
            gemm(m: 256, k: 256, n: 256)
            gemm(m: 128, k: 108, n: 256)
            gemm(m: 64, k: 4096, n: 256)
            gemm(m: 6400, k: 100, n: 1024)
        }
        if only == nil || only == "overhead" { overhead() }
        if only == nil || only == "mlp" { mlp() }
        if only == nil || only == "cnn" { cnn() }
        if only == "conv2-fixed" { convolutionFixed() }
        if only == nil || only == "conv" {
            convolution(name: "conv1", input: [64, 3, 32, 32], weight: [32, 3, 3, 3])
            convolution(name: "conv2", input: [64, 32, 16, 16], weight: [64, 32, 3, 3])
            pooling()
        }
    }

    /// Best-of-5 mean time per call of `body`, each window lasting about `seconds`.
    static func time(seconds: Double = 0.3, _ body: () -> Void) -> Double {
        for _ in 0..<3 { body() }
        var iterations = 1
        var start = Date()
        body()
        let once = max(Date().timeIntervalSince(start), 1e-7)
        iterations = max(1, Int(seconds / once))
        var best = Double.infinity
        for _ in 0..<5 {
            start = Date()
            for _ in 0..<iterations { body() }
            best = min(best, Date().timeIntervalSince(start) / Double(iterations))
        }
        return best
    }

    static func gemm(m: Int, k: Int, n: Int) {
        var generator = SeededGenerator(seed: 1)
        let a = Tensor.uniform(shape: [m, k], using: &generator), b = Tensor.uniform(shape: [k, n], using: &generator)
        let seconds = time { _ = a.matmul(b) }
        let gflops = 2 * Double(m * n * k) / seconds / 1e9
        print(String(format: "  gemm %5d×%4d @ %4d×%4d  %8.3f ms  %6.1f GFLOP/s", m, k, k, n, seconds * 1e3, gflops))
    }

    /// Forward and forward + backward of one convolution (the shapes of `docs/engine.md`, "Design measurements"),
    /// input gradient included.
    static func convolution(name: String, input: [Int], weight: [Int]) {
        var generator = SeededGenerator(seed: 2)
        let x = Tensor.normal(shape: input, using: &generator).requiringGradient()
        let w = Tensor.normal(shape: weight, standardDeviation: 0.1, using: &generator).requiringGradient()
        let b = Tensor.zeros(shape: [weight[0]]).requiringGradient()
        let forward = time { _ = withoutGradients { x.convolved2D(weight: w, bias: b, padding: (1, 1)) } }
        let total = time {
            let y = x.convolved2D(weight: w, bias: b, padding: (1, 1))
            y.backward(seed: y)
            x.clearGradient(); w.clearGradient(); b.clearGradient()
        }
        let flops = 2.0 * Double(input[0] * weight[0] * input[2] * input[3] * weight[1] * weight[2] * weight[3])
        print(
            String(
                format: "  %@ %@ fwd %.2f ms (%.0f GFLOP/s), fwd+bwd %.2f ms (%.0f GFLOP/s)", name,
                "\(input)", forward * 1e3, flops / forward / 1e9, total * 1e3, 3 * flops / total / 1e9))
    }

    /// Per-op cost on 4-element tensors: 10 recorded ops forward plus their backward.
    static func overhead() {
        let a = Tensor([1, 2, 3, 4]).requiringGradient(), b = Tensor([0.5, 0.25, 2, 1])
        let withGraph = time {
            var y = a
            for _ in 0..<5 { y = (y * b + b).tanh() }  // 15 ops, plus the sum
            y.sum().backward()
            a.clearGradient()
        }
        let forwardOnly = time {
            withoutGradients {
                var y = a
                for _ in 0..<5 { y = (y * b + b).tanh() }
                _ = y.sum()
            }
        }
        print(
            String(
                format: "  overhead: %.2f µs per recorded op (forward + backward), %.2f µs per op without graph",
                withGraph / 16 * 1e6, forwardOnly / 16 * 1e6))
    }

    /// Exactly 20 forward + backward passes of conv2, for cycle counts under `perf stat` (robust to
    /// a busy machine, unlike wall time).
    static func convolutionFixed() {
        var generator = SeededGenerator(seed: 2)
        let x = Tensor.normal(shape: [64, 32, 16, 16], using: &generator).requiringGradient()
        let w = Tensor.normal(shape: [64, 32, 3, 3], standardDeviation: 0.1, using: &generator).requiringGradient()
        for _ in 0..<20 {
            let y = x.convolved2D(weight: w, padding: (1, 1))
            y.backward(seed: y)
            x.clearGradient(); w.clearGradient()
        }
    }

    static func pooling() {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.normal(shape: [64, 32, 32, 32], using: &generator).requiringGradient()
        let seconds = time {
            let y = x.maxPooled2D(kernel: (2, 2))
            y.backward(seed: y)
            x.clearGradient()
        }
        print(String(format: "  maxPool2d [64, 32, 32, 32] k2 fwd+bwd %.2f ms", seconds * 1e3))
    }

    /// One Adam update (lr 1e-3, β 0.9/0.999, ε 1e-8) over raw buffers, as PyTorch's default Adam.
    static func adam(_ parameters: [Tensor], _ moments: [(Tensor, Tensor)], step: Int) {
        let correction1 = 1 - Float(Foundation.pow(0.9, Double(step)))
        let correction2 = 1 - Float(Foundation.pow(0.999, Double(step)))
        for (parameter, (m, v)) in zip(parameters, moments) {
            parameter.withUnsafeMutableDataAndGradient { data, gradient in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<data.count {
                            let g = gradient[i]
                            m[i] = 0.9 * m[i] + 0.1 * g
                            v[i] = 0.999 * v[i] + 0.001 * g * g
                            data[i] -= 1e-3 * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + 1e-8)
                        }
                    }
                }
            }
        }
    }

    /// The peer CNN of `docs/engine.md` (conv 3→32, pool, conv 32→64, pool, fc 4096→256, fc 256→10) at batch 64.
    static func cnn() {
        var generator = SeededGenerator(seed: 0)
        let batch = 64
        let x = Tensor.normal(shape: [batch, 3, 32, 32], using: &generator)
        let labels = (0..<batch).map { _ in Int32(generator.next() % 10) }
        func uniform(_ shape: [Int], fanIn: Int) -> Tensor {
            let bound = 1 / Float(fanIn).squareRoot()
            return Tensor.uniform(shape: shape, lowerBound: -bound, upperBound: bound, using: &generator)
                .requiringGradient()
        }
        let conv1 = (uniform([32, 3, 3, 3], fanIn: 27), uniform([32], fanIn: 27))
        let conv2 = (uniform([64, 32, 3, 3], fanIn: 288), uniform([64], fanIn: 288))
        let fc1 = (uniform([256, 4096], fanIn: 4096), uniform([256], fanIn: 4096))
        let fc2 = (uniform([10, 256], fanIn: 256), uniform([10], fanIn: 256))
        let parameters = [conv1.0, conv1.1, conv2.0, conv2.1, fc1.0, fc1.1, fc2.0, fc2.1]
        let moments = parameters.map { (Tensor.zeros(shape: $0.shape), Tensor.zeros(shape: $0.shape)) }
        var step = 0
        var lastLoss: Float = 0
        let seconds = time(seconds: 2) {
            var h = x.convolved2D(weight: conv1.0, bias: conv1.1, padding: (1, 1)).relu().maxPooled2D(kernel: (2, 2))
            h = h.convolved2D(weight: conv2.0, bias: conv2.1, padding: (1, 1)).relu().maxPooled2D(kernel: (2, 2))
            h = Tensor.linear(h.flattened(fromAxis: 1), weight: fc1.0, bias: fc1.1).relu()
            h = Tensor.linear(h, weight: fc2.0, bias: fc2.1)
            let loss = -h.logSoftmax().gathering(alongAxis: 1, indices: labels, indexShape: [batch, 1]).mean()
            for parameter in parameters { parameter.clearGradient() }
            loss.backward()
            lastLoss = loss.scalar
            step += 1
            adam(parameters, moments, step: step)
        }
        print(
            String(
                format: "  cnn bs64 adam: %.2f ms/step, %.1f steps/s (loss %.4f after %d steps)",
                seconds * 1e3, 1 / seconds, lastLoss, step))
    }

    static func mlp() {
        var generator = SeededGenerator(seed: 0)
        let batch = 128
        let x = Tensor.normal(shape: [batch, 108], using: &generator)
        let labels = (0..<batch).map { _ in Int32(generator.next() % 2) }
        func linear(_ input: Int, _ output: Int) -> (Tensor, Tensor) {
            let bound = 1 / Float(input).squareRoot()
            return (
                Tensor.uniform(shape: [output, input], lowerBound: -bound, upperBound: bound, using: &generator)
                    .requiringGradient(),
                Tensor.uniform(shape: [output], lowerBound: -bound, upperBound: bound, using: &generator)
                    .requiringGradient()
            )
        }
        let layers = [linear(108, 256), linear(256, 128), linear(128, 2)]
        let parameters = layers.flatMap { [$0.0, $0.1] }
        let moments = parameters.map { (Tensor.zeros(shape: $0.shape), Tensor.zeros(shape: $0.shape)) }
        var step = 0
        var lastLoss: Float = 0
        let seconds = time(seconds: 1) {
            var h = x
            for (index, (weight, bias)) in layers.enumerated() {
                h = Tensor.linear(h, weight: weight, bias: bias)
                if index < layers.count - 1 { h = h.relu() }
            }
            let picked = h.logSoftmax().gathering(alongAxis: 1, indices: labels, indexShape: [batch, 1])
            let loss = -picked.mean()
            for parameter in parameters { parameter.clearGradient() }
            loss.backward()
            lastLoss = loss.scalar
            step += 1
            adam(parameters, moments, step: step)
        }
        print(
            String(
                format: "  mlp 108-256-128-2 bs128 adam: %.3f ms/step, %.0f steps/s (loss %.4f after %d steps)",
                seconds * 1e3, 1 / seconds, lastLoss, step))
        let stats = BufferPool.shared.statistics
        print(
            "  buffer pool: \(stats.hits) hits, \(stats.misses) misses, \(BufferPool.shared.cachedBytes / 1024) KiB cached"
        )
    }
}
