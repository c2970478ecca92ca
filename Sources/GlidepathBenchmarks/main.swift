// Benchmarks (not tests): `make bench-schedulers`, `make bench-engine`. Each prints measurements and,
// when `PYTHON` names an interpreter with the reference packages, the reference's figures from the same
// run side by side. Timings are never asserted.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let suites = arguments.isEmpty ? ["schedulers"] : arguments
for suite in suites {
    switch suite {
    case "schedulers":
        runClosedFormBenchmark()
        _ = DLRSBenchmark.run()
    default:
        FileHandle.standardError.write(Data("unknown benchmark suite \(suite); known: schedulers\n".utf8))
        exit(2)
    }
}
