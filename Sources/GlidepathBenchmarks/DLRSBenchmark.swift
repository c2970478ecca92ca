import Foundation
import Glidepath

/// Times one DLRS step with 100,000 batch losses × 100 parameter groups (target ≤ 1 ms; pytorch-dlrs
/// 0.3.0 documents about 55 ms) and the exact-rational s = 1 path (0.3.0: about 194 ms), and, when
/// `PYTHON` names an interpreter with torch, runs `scripts/bench_dlrs.py` on the same input and prints
/// the ratios. Prints only; never asserts timings.
///
/// Inputs (identical in `scripts/bench_dlrs.py`):
/// * ordinary: `L_k = 1 + 0.5·sin(0.001·k) + 1e-6·k` for k = 0…99,999 (s ≈ 0.2, stagnation);
/// * exact path: `[0.5, 1, 1, …, 1, 1.5]`, so L̄ = 1 and s = 1 exactly;
/// * rates: group g starts at `1e-3·(1 + g/100)`.
public enum DLRSBenchmark {
    public struct Result: Sendable {
        // Seconds are medians over the repetitions; the Python fields are nil when it did not run.
        /// Median seconds per step on the ordinary input.
        public var ordinarySeconds: Double
        /// Median seconds per step on the s = 1 input (exact rational branch).
        public var exactSeconds: Double
        /// The same medians measured for pytorch-dlrs 0.3.0, when the Python reference ran.
        public var pythonOrdinarySeconds: Double?
        public var pythonExactSeconds: Double?
    }

    public static let lossCount = 100_000
    public static let groupCount = 100

    static func ordinaryLosses() -> [Double] {
        (0..<lossCount).map { (k: Int) -> Double in
            let index = Double(k)
            let wave: Double = 0.5 * sin(0.001 * index)
            return (1.0 + wave) + 1e-6 * index
        }
    }

    static func unitSlopeLosses() -> [Double] {
        var losses = [Double](repeating: 1, count: lossCount)
        losses[0] = 0.5
        losses[lossCount - 1] = 1.5
        return losses
    }

    static func rates() -> [Double] {
        (0..<groupCount).map { 1e-3 * (1 + Double($0) / 100) }
    }

    /// Median wall time of `repetitions` steps, each on a fresh scheduler copy.
    static func medianStepSeconds(losses: [Double], repetitions: Int) throws -> (Double, DLRSScheduler) {
        let template = try DLRSScheduler(baseRates: rates())
        let observation = Observation(losses: losses)
        var times: [Double] = []
        var last = template
        for _ in 0..<repetitions {
            var scheduler = template
            let start = DispatchTime.now().uptimeNanoseconds
            try scheduler.step(observation)
            let end = DispatchTime.now().uptimeNanoseconds
            times.append(Double(end - start) / 1e9)
            last = scheduler
        }
        times.sort()
        return (times[times.count / 2], last)
    }

    /// Runs the benchmark and prints one line per measurement.
    @discardableResult
    public static func run(repetitions: Int = 41) -> Result? {
        do {
            // Warm up (page in the losses, build the power-of-ten table).
            _ = try medianStepSeconds(losses: ordinaryLosses(), repetitions: 3)
            let (ordinary, ordinaryScheduler) = try medianStepSeconds(
                losses: ordinaryLosses(), repetitions: repetitions)
            let (exact, exactScheduler) = try medianStepSeconds(losses: unitSlopeLosses(), repetitions: repetitions)
            var result = Result(ordinarySeconds: ordinary, exactSeconds: exact)
            print(
                String(
                    format:
                        "dlrs step  100000 losses x 100 groups        %8.3f ms   (target <= 1 ms; regime %@, slope %.6f)",
                    ordinary * 1e3, ordinaryScheduler.diagnostics.regime?.rawValue ?? "skip",
                    ordinaryScheduler.diagnostics.slope))
            print(
                String(
                    format: "dlrs step  exact-rational s = 1 path           %8.3f ms   (exact slope used: %@)",
                    exact * 1e3, exactScheduler.diagnostics.usedExactSlope ? "yes" : "no"))
            if let python = pythonReference() {
                result.pythonOrdinarySeconds = python.ordinary
                result.pythonExactSeconds = python.exact
                let sameOrdinary = python.ordinaryRates == ordinaryScheduler.learningRates.map(\.bitPattern)
                let sameExact = python.exactRates == exactScheduler.learningRates.map(\.bitPattern)
                print(
                    String(
                        format:
                            "pytorch-dlrs %@ same step                    %8.3f ms   ratio %.1fx   rates bit-identical: %@",
                        python.version, python.ordinary * 1e3, python.ordinary / ordinary, sameOrdinary ? "yes" : "NO"))
                print(
                    String(
                        format:
                            "pytorch-dlrs %@ s = 1 path                   %8.3f ms   ratio %.1fx   rates bit-identical: %@",
                        python.version, python.exact * 1e3, python.exact / exact, sameExact ? "yes" : "NO"))
            } else {
                print(
                    "pytorch-dlrs reference: not run (set PYTHON to an interpreter with torch; "
                        + "scripts/bench_dlrs.py installs pytorch-dlrs 0.3.0.dev0 into .build/bench-python)")
            }
            return result
        } catch {
            print("dlrs benchmark failed: \(error)")
            return nil
        }
    }

    /// Runs `$PYTHON scripts/bench_dlrs.py` from the repository root and parses its JSON line.
    static func pythonReference()
        -> (version: String, ordinary: Double, exact: Double, ordinaryRates: [UInt64], exactRates: [UInt64])?
    {
        guard let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty else { return nil }
        var root = URL(fileURLWithPath: #filePath)
        while root.path != "/" {
            root.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { break }
        }
        let script = root.appendingPathComponent("scripts/bench_dlrs.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            print("pytorch-dlrs reference: could not start \(python): \(error)")
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let version = object["version"] as? String,
            let ordinary = object["ordinary_seconds"] as? Double,
            let exact = object["exact_seconds"] as? Double,
            let ordinaryRates = object["ordinary_rates"] as? [String],
            let exactRates = object["exact_rates"] as? [String]
        else {
            print("pytorch-dlrs reference: scripts/bench_dlrs.py failed (status \(process.terminationStatus))")
            return nil
        }
        // float.hex() strings parse exactly with Double(_:) (strtod reads hexadecimal floats).
        func patterns(_ texts: [String]) -> [UInt64] { texts.map { Double($0)?.bitPattern ?? 0 } }
        return (version, ordinary, exact, patterns(ordinaryRates), patterns(exactRates))
    }
}
