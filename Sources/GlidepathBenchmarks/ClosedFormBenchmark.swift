import Foundation
import Glidepath

/// Measures one closed-form rate lookup (`learningRate(at:baseRate:)` and a scheduler's
/// `learningRates` for one group) for several schedules, prints nanoseconds per lookup against the
/// ≤ 50 ns target, and — when `$PYTHON` names an interpreter with torch — PyTorch's cost for the same
/// query in the same run (`CosineAnnealingLR._get_closed_form_lr` and `step()`), as a ratio.
///
/// Run from `main.swift` in a release build (`make bench-schedulers`); it never asserts.
public func runClosedFormBenchmark(lookups: Int = 2_000_000) {
    func measure(_ name: String, _ body: (Int) -> Double) -> Double {
        var sink = 0.0
        // Warm up, then time `lookups` calls at varying steps so no value can be hoisted.
        for step in 0..<10_000 { sink += body(step) }
        // Thread CPU time, so other processes on a shared machine do not inflate the figure; wall time
        // is printed beside it.
        let wallStart = DispatchTime.now().uptimeNanoseconds
        let cpuStart = threadCPUNanoseconds()
        for step in 0..<lookups { sink += body(step) }
        let perLookup = (threadCPUNanoseconds() - cpuStart) / Double(lookups)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / Double(lookups)
        let verdict = perLookup <= 50 ? "meets" : "misses"
        let label = name.padding(toLength: 38, withPad: " ", startingAt: 0)
        print(
            "closed-form \(label)" + String(format: "%7.2f ns/lookup CPU (%7.2f wall), ", perLookup, wall)
                + "\(verdict) the 50 ns target" + (sink.isNaN ? " nan" : ""))
        return perLookup
    }

    do {
        let cosine = try CosineAnnealingSchedule(tMax: 1000, etaMin: 1e-5)
        let restarts = try CosineWarmRestartsSchedule(t0: 10, tMult: 2)
        let oneCycle = try OneCycleSchedule(maxLR: 0.1, totalSteps: 1_000_000, threePhase: true)
        let cyclic = try CyclicSchedule(baseLR: 1e-3, maxLR: 0.1, stepSizeUp: 500, mode: .triangular2)
        let multiStep = try MultiStepSchedule(milestones: [100, 1000, 10_000, 100_000], gamma: 0.5)
        let wsd = try WarmupStableDecaySchedule(numWarmupSteps: 1000, numStableSteps: 500_000, numDecaySteps: 500_000)
        var scheduler = try ClosedFormScheduler(cosine, baseRates: [0.1])
        let cosineTime = measure("cosine", { cosine.learningRate(at: $0, baseRate: 0.1) })
        _ = measure("cosineWarmRestarts (tMult 2)", { restarts.learningRate(at: $0, baseRate: 0.1) })
        _ = measure("oneCycle (three phases)", { oneCycle.learningRate(at: $0, baseRate: 0.1) })
        _ = measure("cyclic (triangular2)", { cyclic.learningRate(at: $0, baseRate: 0.1) })
        _ = measure("multiStep (4 milestones)", { multiStep.learningRate(at: $0, baseRate: 0.1) })
        _ = measure("warmupStableDecay", { wsd.learningRate(at: $0, baseRate: 0.1) })
        _ = measure(
            "ClosedFormScheduler rate of a group",
            { _ in
                try? scheduler.step()
                return scheduler.learningRate(ofGroup: 0)
            })
        comparePyTorch(swiftCosine: cosineTime)
    } catch {
        print("closed-form benchmark: \(error)")
    }
}

private func threadCPUNanoseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e9 + Double(time.tv_nsec)
}

/// Times PyTorch's cosine schedule in a subprocess (only when `$PYTHON` is set) and prints the ratio.
private func comparePyTorch(swiftCosine: Double) {
    guard let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty else {
        print("closed-form PyTorch comparison skipped: set PYTHON to an interpreter with torch")
        return
    }
    let script = """
        import time, warnings, torch
        warnings.filterwarnings("ignore")
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1000, eta_min=1e-5)
        n = 200000
        t = time.thread_time_ns()
        for _ in range(n): s._get_closed_form_lr()
        closed = (time.thread_time_ns() - t) / n
        t = time.thread_time_ns()
        for _ in range(n): s.step()
        stepped = (time.thread_time_ns() - t) / n
        print(closed, stepped)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let numbers = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard numbers.count == 2 else {
            print("closed-form PyTorch comparison failed: \(String(decoding: data, as: UTF8.self))")
            return
        }
        print(
            String(
                format:
                    "PyTorch cosine _get_closed_form_lr %8.0f ns CPU, step() %8.0f ns CPU; Glidepath lookup is %.0f× / %.0f× faster",
                numbers[0], numbers[1], numbers[0] / swiftCosine, numbers[1] / swiftCosine))
    } catch {
        print("closed-form PyTorch comparison failed: \(error)")
    }
}
