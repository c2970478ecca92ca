// Benchmarks (not tests): `make bench-schedulers`, `make bench-engine`. Each prints measurements and,
// when `PYTHON` names an interpreter with the reference packages, the reference's figures from the same
// run side by side. Timings are never asserted.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first ?? "schedulers" {
case "schedulers":
    runClosedFormBenchmark()
    _ = DLRSBenchmark.run()
case "engine-ops":
    try EngineMicrobenchmarks.run(
        threads: arguments.dropFirst().first.flatMap { Int($0) } ?? 1,
        only: arguments.dropFirst(2).first)
case "engine":
    try EngineBenchmark.main(arguments: Array(arguments.dropFirst()))
case "optimizers":
    // One update of every optimizer against its reference implementation (make bench-optimizers).
    try OptimizerBenchmark.run(threads: arguments.dropFirst().first.flatMap { Int($0) } ?? 1)
case "data":
    // Reading speed of the real datasets (docs/data.md, "Speed"): MNIST end to end, CIFAR-10 batches with
    // augmentation. The data directory as the CLI finds it: the argument, $GLIDEPATH_DATA_DIR, ~/.glidepath/data.
    let directory =
        arguments.dropFirst().first
        ?? ProcessInfo.processInfo.environment["GLIDEPATH_DATA_DIR"]
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".glidepath/data").path
    for line in try runDataBenchmark(dataDirectory: directory).lines { print(line) }
case let suite:
    FileHandle.standardError.write(
        Data("unknown benchmark suite \(suite); known: schedulers, engine-ops, engine, optimizers, data\n".utf8))
    exit(2)
}
