import Foundation
import GlidepathNN
import GlidepathTensor

/// The three peer workloads of `docs/engine.md`, "Design measurements" (MLP, CNN, BiLSTM), one training step = forward,
/// mean cross-entropy, backward, Adam(lr 1e-3, β = (0.9, 0.999), ε = 1e-8), on fixed synthetic batches
/// (inputs N(0, 1), uniform labels). Timing protocol of the PyTorch peer (`scripts/bench_engine_torch.py`):
/// 5 warm-up steps, a step count calibrated to last `seconds/4`, then the best of 3 windows of that
/// count. Prints one `RESULT {json}` line per workload; `scripts/bench-engine.sh` runs each workload in
/// its own process (so peak RSS is per workload) and compares with PyTorch. Never asserts timings.
public enum EngineBenchmark {
    public enum Workload: String, CaseIterable, Sendable {
        case mlp, cnn, bilstm

        /// Forward FLOPs per step (multiply-add = 2), `docs/engine.md`; a training step is counted as 3×.
        public var forwardFLOPs: Double {
            switch self {
            case .mlp: return 2 * 128 * Double(108 * 256 + 256 * 128 + 128 * 2)
            case .cnn:
                return 2 * 64 * Double(32 * 32 * 32 * 27 + 16 * 16 * 64 * 288 + 4096 * 256 + 256 * 10)
            case .bilstm: return 2 * 2 * 32 * 200 * Double(100 * 512 + 128 * 512) + 2 * 32 * 256 * 2
            }
        }
    }

    /// Entry point: `GlidepathBenchmarks engine [--workload mlp|cnn|bilstm|all] [--threads N]
    /// [--seconds S] [--peak]`.
    public static func main(arguments: [String]) throws {
        var workloads = Workload.allCases
        var threads = 2
        var seconds = 6.0
        var measurePeak = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch argument {
            case "--workload":
                workloads = value == "all" ? Workload.allCases : [Workload(rawValue: value)].compactMap { $0 }
                index += 1
            case "--threads": threads = Int(value) ?? threads; index += 1
            case "--seconds": seconds = Double(value) ?? seconds; index += 1
            case "--peak": measurePeak = true
            default: break
            }
            index += 1
        }
        try Engine.setThreadCount(threads)
        if measurePeak {
            let peak = fmaPeak(threads: threads)
            print(
                String(
                    format: "PEAK {\"threads\": %d, \"gflops\": %.1f, \"cpu_gflops\": %.1f}", threads, peak.wall,
                    peak.perCPUSecond))
        }
        for workload in workloads {
            let result = try run(workload, seconds: seconds)
            print(
                String(
                    format:
                        "RESULT {\"side\": \"glidepath\", \"workload\": \"%@\", \"steps_per_second\": %.3f, \"threads\": %d, \"loss_first\": %.6f, \"loss_last\": %.6f, \"peak_rss_kb\": %d, \"parameters\": %d, \"cpu_ms_per_step\": %.3f}",
                    workload.rawValue, result.stepsPerSecond, threads, result.firstLoss, result.lastLoss,
                    peakResidentKilobytes(), result.parameterCount, result.cpuSecondsPerStep * 1e3))
        }
    }

    public struct Measurement {
        public let stepsPerSecond: Double
        public let firstLoss: Float
        public let lastLoss: Float
        public let parameterCount: Int
        /// User + system CPU time per step over the timed windows: the work done, which a busy shared
        /// machine disturbs far less than wall-clock steps/s.
        public let cpuSecondsPerStep: Double
    }

    /// User + system CPU seconds of this process so far (getrusage).
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// One Adam training step of `model` on the fixed batch `(x, labels)`, returning the loss.
    static func adamStep(_ model: Sequential, _ x: Tensor, _ labels: [Int32], loss: CrossEntropyLoss) throws
        -> () throws -> Float
    {
        let optimizer = try Adam(parameters: model.parameters)
        return {
            optimizer.clearGradients()
            let value = try loss(model(x), labels)
            value.backward()
            optimizer.step()
            return value.scalar
        }
    }

    /// Builds `workload`'s model and batch from seed 0 and times training steps.
    public static func run(_ workload: Workload, seconds: Double) throws -> Measurement {
        var generator = SeededGenerator(seed: 0)
        let step: () throws -> Float
        let parameterCount: Int
        let loss = try CrossEntropyLoss()
        switch workload {
        case .mlp:
            let model = Sequential([
                try Linear(inputFeatures: 108, outputFeatures: 256, using: &generator), Activation(.relu),
                try Linear(inputFeatures: 256, outputFeatures: 128, using: &generator), Activation(.relu),
                try Linear(inputFeatures: 128, outputFeatures: 2, using: &generator),
            ])
            let x = Tensor.normal(shape: [128, 108], using: &generator)
            let labels = (0..<128).map { _ in Int32(generator.next() % 2) }
            parameterCount = model.parameterCount
            step = try adamStep(model, x, labels, loss: loss)
        case .cnn:
            let model = Sequential([
                try Conv2d(
                    inputChannels: 3, outputChannels: 32, kernelSize: (3, 3), padding: (1, 1), using: &generator),
                Activation(.relu), try MaxPool2d(kernelSize: (2, 2)),
                try Conv2d(
                    inputChannels: 32, outputChannels: 64, kernelSize: (3, 3), padding: (1, 1), using: &generator),
                Activation(.relu), try MaxPool2d(kernelSize: (2, 2)), Flatten(),
                try Linear(inputFeatures: 4096, outputFeatures: 256, using: &generator), Activation(.relu),
                try Linear(inputFeatures: 256, outputFeatures: 10, using: &generator),
            ])
            let x = Tensor.normal(shape: [64, 3, 32, 32], using: &generator)
            let labels = (0..<64).map { _ in Int32(generator.next() % 10) }
            parameterCount = model.parameterCount
            step = try adamStep(model, x, labels, loss: loss)
        case .bilstm:
            let embedding = try Embedding(vocabularySize: 20_000, dimension: 100, using: &generator)
            let lstm = try LSTM(
                inputSize: 100, hiddenSize: 128, bidirectional: true, batchFirst: true, using: &generator)
            let head = try Linear(inputFeatures: 256, outputFeatures: 2, using: &generator)
            let tokens = (0..<(32 * 200)).map { _ in Int32(generator.next() % 20_000) }
            let labels = (0..<32).map { _ in Int32(generator.next() % 2) }
            let parameters = embedding.parameters + lstm.parameters + head.parameters
            let optimizer = try Adam(parameters: parameters)
            parameterCount = parameters.reduce(0) { $0 + $1.count }
            step = {
                optimizer.clearGradients()
                let embedded = try embedding(tokens, shape: [32, 200])
                let features = try lstm(embedded).lastLayerHidden
                let value = try loss(head(features), labels)
                value.backward()
                optimizer.step()
                return value.scalar
            }
        }
        let firstLoss = try step()
        for _ in 0..<4 { _ = try step() }
        // Calibrate: steps that fit in seconds/4.
        var start = Date()
        var calibrationSteps = 0
        var lastLoss = firstLoss
        while Date().timeIntervalSince(start) < seconds / 4 {
            lastLoss = try step()
            calibrationSteps += 1
        }
        let windowSteps = max(1, calibrationSteps)
        var best = 0.0
        let cpuBefore = processCPUSeconds()
        for _ in 0..<3 {
            start = Date()
            for _ in 0..<windowSteps { lastLoss = try step() }
            best = max(best, Double(windowSteps) / Date().timeIntervalSince(start))
        }
        let cpuPerStep = (processCPUSeconds() - cpuBefore) / Double(3 * windowSteps)
        return Measurement(
            stepsPerSecond: best, firstLoss: firstLoss, lastLoss: lastLoss, parameterCount: parameterCount,
            cpuSecondsPerStep: cpuPerStep)
    }

    /// Peak resident set size of this process in KiB (`VmHWM` from /proc/self/status; getrusage's
    /// `ru_maxrss` where /proc is absent).
    public static func peakResidentKilobytes() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let digits = line.filter(\.isNumber)
                if let value = Int(digits) { return value }
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
    }

    /// Measured FP32 FMA throughput: 12 independent chains of 8-wide FMAs per thread (`docs/engine.md`, "Design
    /// measurements": used the same construction and measured 211–229 GFLOP/s on 2 threads). Needs the release
    /// flags' `-target-cpu` so `SIMD8<Float>` maps to AVX registers. `wall` is FLOPs per wall-clock second (best of 3);
    /// `perCPUSecond` is FLOPs per second of this process's user + system CPU time (best of 3), the per-core peak a
    /// busy shared machine does not disturb: a workload's FLOPs per CPU second divided by it is its share of peak.
    public static func fmaPeak(threads: Int) -> (wall: Double, perCPUSecond: Double) {
        let iterations = 20_000_000
        var sink = [Float](repeating: 0, count: threads)
        func kernel(_ seed: Float) -> Float {
            // Twelve named accumulators stay in registers (an array of them would not).
            var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3, c4 = c0 + 4, c5 = c0 + 5
            var c6 = c0 + 6, c7 = c0 + 7, c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
            let a = SIMD8<Float>(repeating: 0.999_999), b = SIMD8<Float>(repeating: 1e-7)
            for _ in 0..<iterations {
                c0 = c0.addingProduct(a, b); c1 = c1.addingProduct(a, b); c2 = c2.addingProduct(a, b)
                c3 = c3.addingProduct(a, b); c4 = c4.addingProduct(a, b); c5 = c5.addingProduct(a, b)
                c6 = c6.addingProduct(a, b); c7 = c7.addingProduct(a, b); c8 = c8.addingProduct(a, b)
                c9 = c9.addingProduct(a, b); c10 = c10.addingProduct(a, b); c11 = c11.addingProduct(a, b)
            }
            return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).sum()
        }
        var best = 0.0, bestPerCPUSecond = 0.0
        let flops = Double(threads) * Double(iterations) * 12 * 8 * 2
        for _ in 0..<3 {
            let start = Date(), cpuStart = processCPUSeconds()
            sink.withUnsafeMutableBufferPointer { buffer in
                Engine.parallelFor(threads) { thread in buffer[thread] = kernel(Float(thread)) }
            }
            let elapsed = Date().timeIntervalSince(start), cpu = processCPUSeconds() - cpuStart
            best = max(best, flops / elapsed / 1e9)
            bestPerCPUSecond = max(bestPerCPUSecond, flops / max(cpu, 1e-9) / 1e9)
        }
        if sink.contains(where: { $0.isNaN }) { print("peak: NaN") }
        return (best, bestPerCPUSecond)
    }
}
