import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathTensor

extension TensorEngineTests {
    @Suite("Determinism")
    struct DeterminismTests {
        /// One small training computation: forward, backward, and the resulting gradients' bits.
        func trainingBits(seed: UInt64) -> [UInt32] {
            var generator = SeededGenerator(seed: seed)
            let x = Tensor.normal(shape: [16, 8], using: &generator)
            let w = Tensor.normal(shape: [8, 4], standardDeviation: 0.3, using: &generator).requiringGradient()
            let mask = Tensor.bernoulli(shape: [16, 4], probability: 0.7, using: &generator)
            let loss = (x.matmul(w).tanh() * mask).logSoftmax().mean()
            loss.backward()
            return [loss.scalar.bitPattern] + (w.grad?.scalars.map(\.bitPattern) ?? [])
        }

        @Test func sameSeedGivesBitIdenticalResults() {
            #expect(trainingBits(seed: 42) == trainingBits(seed: 42))
            #expect(trainingBits(seed: 42) != trainingBits(seed: 43))
        }

        @Test func generatorMatchesAnIndependentReference() {
            // From scripts/fixtures/xoshiro_reference.py (SplitMix64 seeding + xoshiro256**, written from
            // the authors' C code in plain Python).
            var zero = SeededGenerator(seed: 0), fortyTwo = SeededGenerator(seed: 42)
            #expect(
                (0..<4).map { _ in zero.next() } == [
                    0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C,
                ])
            #expect(
                (0..<4).map { _ in fortyTwo.next() } == [
                    0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1,
                ])
        }

        @Test func generatorStateRoundTripsThroughCodable() throws {
            var generator = SeededGenerator(seed: 7)
            _ = generator.next()
            var restored = try JSONDecoder().decode(SeededGenerator.self, from: JSONEncoder().encode(generator))
            #expect(restored == generator)
            #expect((0..<8).map { _ in restored.next() } == (0..<8).map { _ in generator.next() })
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(SeededGenerator.self, from: Data(#"{"state":[0,0,0,0]}"#.utf8))
            }
        }

        @Test func generatorSequenceIsFixed() {
            // The generator is a pure function of its seed, and different seeds give different streams.
            var a = SeededGenerator(seed: 0), b = SeededGenerator(seed: 0)
            let first = (0..<4).map { _ in a.next() }
            #expect(first == (0..<4).map { _ in b.next() })
            var c = SeededGenerator(seed: 1)
            #expect(first[0] != c.next())
        }

        @Test func distributionsHaveTheirMoments() {
            // 200 000 draws: standard errors of the mean are 1/√(12n) ≈ 6.5e-4 (uniform) and 1/√n ≈ 2.2e-3
            // (normal); the bounds below are 5 standard errors.
            var generator = SeededGenerator(seed: 7)
            let n = 200_000
            let uniform = Tensor.uniform(shape: [n], lowerBound: 2, upperBound: 4, using: &generator).scalars
            let uniformMean = uniform.reduce(0.0) { $0 + Double($1) } / Double(n)
            expectClose(uniformMean, 3, absoluteTolerance: 2 * 5 * 6.5e-4)  // width 2 doubles the error
            #expect(uniform.allSatisfy { $0 >= 2 && $0 < 4 })
            let normal = Tensor.normal(shape: [n], mean: 1, standardDeviation: 2, using: &generator).scalars
            let mean = normal.reduce(0.0) { $0 + Double($1) } / Double(n)
            let variance = normal.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
            expectClose(mean, 1, absoluteTolerance: 2 * 5 * 2.2e-3)
            // Var of the sample variance of N(0, σ²) is 2σ⁴/n → sd ≈ 0.0126 for σ² = 4.
            expectClose(variance, 4, absoluteTolerance: 5 * 0.0127)
            let coin = Tensor.bernoulli(shape: [n], probability: 0.3, using: &generator).scalars
            // sd of the proportion √(0.21/n) ≈ 1.0e-3.
            expectClose(coin.reduce(0.0) { $0 + Double($1) } / Double(n), 0.3, absoluteTolerance: 5 * 1.03e-3)
        }
    }

    @Suite("Forward values")
    struct ForwardValueTests {
        @Test func fastMathAgainstLibm() {
            // FastMath is documented to be within 2 ulp of libm's (correctly rounded in glibc) results for
            // normal outputs; compare over a dense sweep.
            var x: Float = -80
            while x < 80 {
                let reference = Float(Foundation.exp(Double(x)))
                expectClose(Double(FastMath.exp(x)), Double(reference), relativeTolerance: 2.5e-7, "exp(\(x))")
                x += 0.01237
            }
            x = -9
            while x < 9 {
                expectClose(
                    Double(FastMath.tanh(x)), Foundation.tanh(Double(x)), absoluteTolerance: 1e-9,
                    relativeTolerance: 3e-7, "tanh(\(x))")
                expectClose(
                    Double(FastMath.sigmoid(x)), 1 / (1 + Foundation.exp(-Double(x))), relativeTolerance: 3e-7,
                    "sigmoid(\(x))")
                x += 0.00731
            }
            #expect(FastMath.exp(-100) == 0)
            #expect(FastMath.exp(100) == .infinity)
            #expect(FastMath.exp(.nan).isNaN)
            #expect(FastMath.tanh(1e-6) == 1e-6)
        }

        @Test func matmulByHand() throws {
            // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]
            let a = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]),
                b = try Tensor(shape: [2, 2], scalars: [5, 6, 7, 8])
            #expect(a.matmul(b).scalars == [19, 22, 43, 50])
            // Aᵀ·B = [[1,3],[2,4]]·B = [[26,30],[38,44]]
            #expect(a.transposed().matmul(b).scalars == [26, 30, 38, 44])
        }

        @Test func softmaxAndReductionsByFormula() throws {
            let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 5])
            let expected = [[1.0, 2, 3], [-1, 0, 5]].flatMap { row -> [Double] in
                let total = row.map { Foundation.exp($0) }.reduce(0, +)
                return row.map { Foundation.exp($0) / total }
            }
            expectClose(x.softmax().scalars.map(Double.init), expected, relativeTolerance: 1e-6)
            expectClose(
                x.logSoftmax().scalars.map(Double.init), expected.map { Foundation.log($0) }, absoluteTolerance: 1e-6)
            #expect(x.sum(alongAxis: 0).scalars == [0, 2, 8])
            #expect(x.mean(alongAxis: 1).scalars == [2, 4.0 / 3.0])
            let (values, indices) = x.max(alongAxis: 1)
            #expect(values.scalars == [3, 5] && indices == [2, 2])
            #expect(Tensor.concatenate([x, x], alongAxis: 0).shape == [4, 3])
            #expect(Tensor.stack([x, x], alongAxis: 2).scalars == [1, 1, 2, 2, 3, 3, -1, -1, 0, 0, 5, 5])
            #expect(x.gelu().scalars.map(Double.init).count == 6)
            // gelu(x) = x/2·(1 + erf(x/√2)).
            expectClose(
                x.gelu().scalars.map(Double.init),
                [1.0, 2, 3, -1, 0, 5].map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, absoluteTolerance: 1e-6)
        }

        @Test func openBLASMatchesTheReferenceBackend() {
            // Both backends over every transpose combination and odd sizes, against a Double oracle.
            let reference = ReferenceBackend(), blas = OpenBLASBackend()
            var generator = SeededGenerator(seed: 99)
            for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 2, 128)] {
                for transposeA in [false, true] {
                    for transposeB in [false, true] {
                        let a = Tensor.uniform(shape: [m * k], using: &generator).scalars
                        let b = Tensor.uniform(shape: [k * n], using: &generator).scalars
                        let lda = transposeA ? m : k, ldb = transposeB ? k : n
                        var expected = [Double](repeating: 0, count: m * n)
                        for i in 0..<m {
                            for j in 0..<n {
                                for p in 0..<k {
                                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                                    expected[i * n + j] += Double(av) * Double(bv)
                                }
                            }
                        }
                        for backend in [reference as any ComputeBackend, blas] {
                            var c = [Float](repeating: .nan, count: m * n)
                            backend.gemm(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                                a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &c, ldc: n)
                            // |error| ≤ k·2⁻²⁴·Σ|a||b| ≤ k·6e-8·k for entries in [0,1).
                            expectClose(
                                c.map(Double.init), expected, absoluteTolerance: Double(k * k) * 6e-8 + 1e-6,
                                "\(backend.name) m\(m) n\(n) k\(k) tA\(transposeA) tB\(transposeB)")
                        }
                    }
                }
            }
        }

        @Test func workerPoolRunsEveryItemOnce() {
            // A private pool (the engine-wide setting is process state that concurrent tests share).
            let pool = WorkerPool()
            pool.ensureThreads(2)
            #expect(pool.threadCount == 2)
            // Many short jobs: a worker that wakes late must never run a finished job's closure.
            for round in 0..<2_000 {
                var results = [Int](repeating: -1, count: 37)
                results.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress
                    pool.parallelFor(37) { item in base?[item] = item * round }
                }
                #expect(results == (0..<37).map { $0 * round })
            }
        }

        @Test func nestedParallelLoopsRunWithoutDeadlock() {
            // An inner loop inside a pool job runs serially instead of waiting for the busy pool.
            let pool = WorkerPool()
            pool.ensureThreads(2)
            var results = [Int](repeating: 0, count: 4 * 8)
            results.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress
                pool.parallelFor(4) { outer in
                    pool.parallelFor(8) { inner in base?[outer * 8 + inner] = outer * 100 + inner }
                }
            }
            #expect(results == (0..<4).flatMap { outer in (0..<8).map { outer * 100 + $0 } })
        }
    }
}

extension TensorEngineTests {
    @Suite("Buffer pool")
    struct BufferPoolTests {
        @Test func sizeClassesCoverRequestsWithBoundedSlack() {
            // Every count maps to a class whose capacity holds it with ≤ 12.5% slack above 4096 floats
            // (≤ 15 floats below), and a capacity maps back to its own class (release finds the list).
            var counts = Array(0...5000)
            var value = 5001
            while value < 1 << 40 { counts.append(value); counts.append(value + 1); value = value * 3 / 2 }
            var previous = (index: -1, capacity: 0)
            for count in counts {
                let sizeClass = BufferPool.sizeClass(for: count)
                #expect(sizeClass.capacity >= count)
                #expect(
                    count <= 4096
                        ? sizeClass.capacity - count < 16 || count == 0
                        : Double(sizeClass.capacity) <= Double(count) * 1.125)
                #expect(BufferPool.sizeClass(for: sizeClass.capacity).index == sizeClass.index)
                #expect(sizeClass.index >= previous.index && sizeClass.index < BufferPool.classCount)
                previous = sizeClass
            }
        }

        @Test func buffersAreReused() {
            let before = BufferPool.shared.statistics
            for _ in 0..<10 { _ = Tensor.zeros(shape: [12345]) }
            let after = BufferPool.shared.statistics
            // The first allocation may miss; the other nine reuse the returned buffer.
            #expect(after.hits - before.hits >= 9)
        }
    }
}
