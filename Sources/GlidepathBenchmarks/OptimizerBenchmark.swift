import Foundation
import GlidepathNN
import GlidepathTensor

/// Times one update of every optimizer on the parameter shapes of the `cifar10-cnn` task (1,070,794
/// parameters in 8 tensors, weights and biases in two groups, gradients fixed), Glidepath against the
/// reference implementations in the same run (`scripts/bench_optimizers_torch.py`: torch.optim, schedulefree,
/// prodigyopt, dog-optimizer, dadaptation, when `PYTHON` has them), at the same thread count. Prints the
/// median milliseconds per update, the ratio and `uptime`; never asserts timings.
enum OptimizerBenchmark {
    static let shapes: [[Int]] = [[32, 3, 3, 3], [32], [64, 32, 3, 3], [64], [256, 4096], [256], [10, 256], [10]]

    /// The optimizers, by the names the Python script uses.
    static let names = [
        "adam", "scheduleFreeAdamW", "scheduleFreeSGD", "prodigy", "dog", "ldog", "dAdaptAdam", "dAdaptSGD",
    ]

    static func make(_ name: String, _ weights: [Tensor], _ biases: [Tensor]) throws -> any Optimizer {
        func two<H>(_ h: H) -> [ParameterGroup<H>] {
            [
                ParameterGroup(parameters: weights, hyperparameters: h),
                ParameterGroup(parameters: biases, hyperparameters: h),
            ]
        }
        switch name {
        case "adam": return try Adam(groups: two(Adam.Hyperparameters(learningRate: 1e-3, weightDecay: 5e-4)))
        case "scheduleFreeAdamW": return try ScheduleFreeAdamW(groups: two(.init(weightDecay: 5e-4)))
        case "scheduleFreeSGD": return try ScheduleFreeSGD(groups: two(.init(weightDecay: 5e-4)))
        case "prodigy": return try Prodigy(groups: two(.init(weightDecay: 5e-4)))
        case "dog": return try DoG(groups: two(.init(weightDecay: 5e-4)))
        case "ldog": return try DoG(groups: two(.init(weightDecay: 5e-4)), shared: .init(variant: .layerWise))
        case "dAdaptAdam": return try DAdaptAdam(groups: two(.init(weightDecay: 5e-4)))
        default: return try DAdaptSGD(groups: two(.init(weightDecay: 5e-4)))
        }
    }

    /// Median seconds per update over `updates` updates after 3 warm-up updates.
    static func measure(_ name: String, updates: Int) throws -> Double {
        let tensors = shapes.enumerated().map { index, shape in
            Tensor.make(shape: shape) { buffer in
                for i in buffer.indices { buffer[i] = Float(0.05 * sin(0.37 * Double(i) + Double(index))) }
            }.requiringGradient()
        }
        for (index, tensor) in tensors.enumerated() {
            tensor.withUnsafeMutableDataAndGradient { _, gradient in
                for i in gradient.indices { gradient[i] = Float(0.01 * cos(0.11 * Double(i) + Double(index))) }
            }
        }
        let weights = tensors.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let biases = tensors.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let optimizer = try make(name, weights, biases)
        for _ in 0..<3 { optimizer.step() }
        var times: [Double] = []
        for _ in 0..<updates {
            let start = DispatchTime.now().uptimeNanoseconds
            optimizer.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }

    static func run(threads: Int, updates: Int = 31) throws {
        try Engine.setThreadCount(threads)
        print(
            "optimizer update, cifar10-cnn shapes (1,070,794 parameters, 2 groups), \(threads) thread(s), "
                + "median of \(updates)")
        let reference = pythonReference(threads: threads, updates: updates)
        print("optimizer            glidepath ms   reference ms   reference / glidepath")
        for name in names {
            let ours = try measure(name, updates: updates)
            let theirs = reference?[name]
            let ratio = theirs.map { String(format: "%.2fx", $0 / ours) } ?? "-"
            let reference = theirs.map { String(format: "%.3f", $0 * 1e3) } ?? "not run"
            print(
                name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %12.3f   ", ours * 1e3)
                    + String(repeating: " ", count: max(0, 12 - reference.count)) + reference + "   " + ratio)
        }
        if reference == nil {
            print(
                "reference: not run (set PYTHON to an interpreter with torch, schedulefree, prodigyopt, dog-optimizer, dadaptation)"
            )
        }
        print("uptime: " + uptime())
    }

    /// `$PYTHON scripts/bench_optimizers_torch.py THREADS UPDATES`: one JSON object, name → seconds.
    static func pythonReference(threads: Int, updates: Int) -> [String: Double]? {
        guard let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty else { return nil }
        var root = URL(fileURLWithPath: #filePath)
        while root.path != "/" {
            root.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { break }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root.appendingPathComponent("scripts/bench_optimizers_torch.py").path, "\(threads)", "\(updates)",
        ]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double]
        else { return nil }
        return object
    }

    static func uptime() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/uptime")
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return "unknown" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
