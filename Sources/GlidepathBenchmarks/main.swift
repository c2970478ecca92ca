// Benchmarks: run with `make bench`. Prints measurements; never asserts timings.
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "engine-ops":
    try EngineMicrobenchmarks.run(threads: arguments.dropFirst().first.flatMap { Int($0) } ?? 1,
                                  only: arguments.dropFirst(2).first)
case "engine":
    try EngineBenchmark.main(arguments: Array(arguments.dropFirst()))
default:
    print("no benchmarks yet")
}
