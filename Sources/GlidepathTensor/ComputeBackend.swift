/// The seam in front of BLAS: the dense linear algebra the engine delegates, in row-major convention.
///
/// ``OpenBLASBackend`` is the default (the only file that imports OpenBLAS); ``ReferenceBackend`` is
/// plain Swift, used as the test oracle and as a fallback. A oneDNN convolution backend would sit
/// behind a protocol of the same kind (`docs/engine.md`, "Design measurements"). Design after candle's `backend.rs`.
public protocol ComputeBackend: Sendable {
    /// A short name for logs and run records (for example `"openblas"`).
    var name: String { get }

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices, where `op(A)` is `m × k` (`A` is
    /// stored `k × m` when `transposeA`), `op(B)` is `k × n`, `C` is `m × n`, and `lda`, `ldb`, `ldc`
    /// are the row strides of the stored matrices (BLAS `sgemm` with `CblasRowMajor`). With `beta == 0`
    /// the initial contents of `C` are ignored (they may be uninitialised or NaN).
    func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)

    /// Sets the number of threads the backend's own kernels may use (1 inside the engine's own
    /// parallel loops, `docs/engine.md`).
    func setThreadCount(_ count: Int)
}

/// Plain-Swift GEMM: the oracle the BLAS path is tested against, and a dependency-free fallback.
/// Loops in i–p–j order so the inner loop runs along rows of `B` and `C` (vectorisable when `B` is not
/// transposed); about 10× slower than OpenBLAS on the benchmark shapes.
public struct ReferenceBackend: ComputeBackend {
    public init() {}

    public var name: String { "reference" }

    public func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                for j in 0..<n { row[j] = 0 }
            } else if beta != 1 {
                for j in 0..<n { row[j] *= beta }
            }
            for p in 0..<k {
                let scale = alpha * (transposeA ? a[p * lda + i] : a[i * lda + p])
                if transposeB {
                    for j in 0..<n { row[j] += scale * b[j * ldb + p] }
                } else {
                    let bRow = b + p * ldb
                    for j in 0..<n { row[j] += scale * bRow[j] }
                }
            }
        }
    }

    public func setThreadCount(_ count: Int) {}
}
