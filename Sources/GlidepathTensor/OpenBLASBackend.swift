import COpenBLAS

/// GEMM through OpenBLAS's `cblas_sgemm` (Debian's `libopenblas-dev`, 0.3.21 with DYNAMIC_ARCH; on the
/// project machine it selects the Cooperlake AVX-512 kernels and reaches 95–100 GFLOP/s per thread on
/// square shapes, `docs/engine.md`, "Design measurements"). The only file that imports OpenBLAS.
public struct OpenBLASBackend: ComputeBackend {
    public init() {}

    public var name: String { "openblas" }

    /// OpenBLAS's description of its build and selected kernel (`openblas_get_config`,
    /// `openblas_get_corename`), for run records.
    public var configuration: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(config) core=\(core)"
    }

    public func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C untouched when k == 0 only for beta == 1; make beta == 0 mean "overwrite".
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    public func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(Swift.max(1, count)))
    }
}
