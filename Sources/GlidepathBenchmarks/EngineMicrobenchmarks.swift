import Foundation
import GlidepathTensor

/// Engine-level measurements without layers: GEMM GFLOP/s on engine.md §2 shapes, and an MLP
/// 108-256-128-2 training step (batch 128, Adam) built from raw ops, to watch per-op overhead.
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
        if only == nil || only == "mlp" { mlp() }
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

    static func mlp() {
        var generator = SeededGenerator(seed: 0)
        let batch = 128
        let x = Tensor.normal(shape: [batch, 108], using: &generator)
        let labels = (0..<batch).map { _ in Int32(generator.next() % 2) }
        func linear(_ input: Int, _ output: Int) -> (Tensor, Tensor) {
            let bound = 1 / Float(input).squareRoot()
            return (Tensor.uniform(shape: [output, input], lowerBound: -bound, upperBound: bound, using: &generator).requiringGradient(),
                    Tensor.uniform(shape: [output], lowerBound: -bound, upperBound: bound, using: &generator).requiringGradient())
        }
        let layers = [linear(108, 256), linear(256, 128), linear(128, 2)]
        let parameters = layers.flatMap { [$0.0, $0.1] }
        let moments = parameters.map { (Tensor.zeros(shape: $0.shape), Tensor.zeros(shape: $0.shape)) }
        var step = 0
        var lastLoss: Float = 0
        let seconds = time(seconds: 1) {
            var h = x
            for (index, (weight, bias)) in layers.enumerated() {
                h = h.matmul(weight.transposed()) + bias
                if index < layers.count - 1 { h = h.relu() }
            }
            let picked = h.logSoftmax().gathering(alongAxis: 1, indices: labels, indexShape: [batch, 1])
            let loss = -picked.mean()
            for parameter in parameters { parameter.clearGradient() }
            loss.backward()
            lastLoss = loss.scalar
            step += 1
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
        print(String(format: "  mlp 108-256-128-2 bs128 adam: %.3f ms/step, %.0f steps/s (loss %.4f after %d steps)",
                      seconds * 1e3, 1 / seconds, lastLoss, step))
        let stats = BufferPool.shared.statistics
        print("  buffer pool: \(stats.hits) hits, \(stats.misses) misses, \(BufferPool.shared.cachedBytes / 1024) KiB cached")
    }
}
