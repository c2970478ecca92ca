// Benchmarks: run with `make bench`. Prints measurements; never asserts timings.
print("no benchmarks yet")
