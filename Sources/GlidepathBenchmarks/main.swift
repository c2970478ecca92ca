DLRSBenchmark.run()
