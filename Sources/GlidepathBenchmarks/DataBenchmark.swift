import Dispatch
import Foundation
import GlidepathData

/// Timings of the data layer (`docs/data.md`, "Speed"): loading all of MNIST and building augmented CIFAR-10
/// batches. Wall-clock, best and median of several repetitions; never asserted, only printed.
struct DataBenchmarkResult {
    /// Seconds to decompress and decode MNIST's four files (both splits), per repetition.
    var mnistLoadSeconds: [Double]
    /// Process CPU seconds (all threads) of the same repetitions: on a shared machine the wall
    /// clock includes time spent waiting for a core.
    var mnistCPUSeconds: [Double]
    /// Milliseconds per CIFAR-10 batch of `cifarBatchSize` with random crop (padding 4), flip and
    /// normalisation, per repetition (each repetition averages `cifarBatchesPerRepetition` batches).
    var cifarBatchMilliseconds: [Double]
    var cifarBatchSize: Int
    var cifarBatchesPerRepetition: Int
    /// Seconds to read IMDB's two splits, fit the text pipeline on train (vocabulary 20,000, length
    /// 256) and encode both splits; nil when IMDB is not in the data directory.
    var imdbPrepareSeconds: Double?

    /// Human-readable lines, one per measurement.
    var lines: [String] {
        func stats(_ values: [Double]) -> (best: Double, median: Double) {
            let sorted = values.sorted()
            return (sorted.first ?? .nan, sorted.isEmpty ? .nan : sorted[sorted.count / 2])
        }
        let mnist = stats(mnistLoadSeconds), cpu = stats(mnistCPUSeconds), cifar = stats(cifarBatchMilliseconds)
        return [
            String(
                format:
                    "data/mnist-load-all: best %.3f s, median %.3f s wall (CPU best %.3f s) over %d runs (target ≤ 1 s)",
                mnist.best, mnist.median, cpu.best, mnistLoadSeconds.count),
            String(
                format: "data/cifar10-batch%d-augmented: best %.3f ms, median %.3f ms per batch (%d batches × %d runs)",
                cifarBatchSize, cifar.best, cifar.median, cifarBatchesPerRepetition, cifarBatchMilliseconds.count),
        ]
            + (imdbPrepareSeconds.map {
                [String(format: "data/imdb-prepare (read, fit vocabulary, encode both splits): %.2f s", $0)]
            } ?? [])
    }
}

/// Runs the data benchmarks against `dataDirectory` (the folder holding `mnist/` and `cifar10/`).
/// Call from the benchmark executable's `main.swift`, e.g.
/// `try runDataBenchmark(dataDirectory: path).lines.forEach { print($0) }`.
func runDataBenchmark(dataDirectory: String, repetitions: Int = 5, cifarBatches: Int = 200) throws
    -> DataBenchmarkResult
{
    func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    let mnistDirectory = DatasetCatalog.directory(for: .mnist, in: dataDirectory)
    func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    var mnistTimes: [Double] = [], mnistCPU: [Double] = []
    for _ in 0..<repetitions {
        let cpuStart = cpuSeconds()
        let start = now()
        let (train, test) = try MNIST.loadAll(from: mnistDirectory)
        let elapsed = Double(now() - start) / 1e9
        // Keep the result observable so the work cannot be optimised away.
        precondition(train.count + test.count == 70_000, "MNIST benchmark read \(train.count + test.count) images")
        mnistTimes.append(elapsed)
        mnistCPU.append(cpuSeconds() - cpuStart)
    }

    let cifarDirectory = DatasetCatalog.directory(for: .cifar10, in: dataDirectory)
    let test = try CIFAR10.load(.test, from: CIFAR10.locate(in: cifarDirectory))
    let source = try ImageBatchSource(
        dataset: test, normalisation: .cifar10, augmentation: ImageAugmentation(padding: 4))
    let batchSize = 64
    var cifarTimes: [Double] = []
    for repetition in 0..<repetitions {
        var loader = DataLoader(
            source: source,
            options: try BatchingOptions(
                batchSize: batchSize, shuffle: true,
                dropLast: true, seed: UInt64(repetition)))
        var checksum: Float = 0
        let start = now()
        for _ in 0..<cifarBatches {
            guard let batch = loader.next() ?? loader.next() else { break }
            checksum += batch.features[0]
        }
        let elapsed = Double(now() - start) / 1e6
        precondition(checksum.isFinite, "CIFAR benchmark produced a non-finite value")
        cifarTimes.append(elapsed / Double(cifarBatches))
    }
    var imdbSeconds: Double?
    let imdbDirectory = DatasetCatalog.directory(for: .imdb, in: dataDirectory)
    if FileAccess.isDirectory(imdbDirectory) {
        let start = now()
        let train = try IMDB.load(.train, from: IMDB.locate(.train, in: imdbDirectory))
        let test = try IMDB.load(.test, from: IMDB.locate(.test, in: imdbDirectory))
        let options = try TextPipeline.Options(maximumVocabularySize: 20_000, minimumFrequency: 1, maximumLength: 256)
        let (pipeline, encodedTrain) = try TextPipeline.fitAndEncode(trainingTexts: train.texts, options: options)
        let encoded = [encodedTrain, pipeline.encode(test.texts)]
        imdbSeconds = Double(now() - start) / 1e9
        precondition(encoded[0].count + encoded[1].count == train.count + test.count, "IMDB benchmark lost reviews")
    }
    return DataBenchmarkResult(
        mnistLoadSeconds: mnistTimes, mnistCPUSeconds: mnistCPU, cifarBatchMilliseconds: cifarTimes,
        cifarBatchSize: batchSize, cifarBatchesPerRepetition: cifarBatches,
        imdbPrepareSeconds: imdbSeconds)
}
