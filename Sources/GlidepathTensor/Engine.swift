import Synchronization

/// Process-wide engine settings: the compute backend and the thread count.
///
/// Set both once at start-up and record them with the run (`docs/engine.md`, "Design measurements"): they are
/// process-wide because OpenBLAS's thread pool is. The default is **1 thread** and ``OpenBLASBackend`` — differs
/// from PyTorch, which defaults to one thread per core; one thread is the reproducible choice on a
/// shared machine. Results do not depend on the thread count except through BLAS, whose blocking may
/// change rounding between thread counts (never between runs with the same count).
public enum Engine {
    private struct Settings {
        var backend: any ComputeBackend
        var threadCount: Int
        /// Open ``withSingleThreadedBackend(_:)`` scopes; BLAS is at one thread while positive.
        var singleThreadedScopes = 0
    }

    private static let settings: Mutex<Settings> = {
        let backend = OpenBLASBackend()
        backend.setThreadCount(1)
        return Mutex(Settings(backend: backend, threadCount: 1))
    }()

    static let workers = WorkerPool()

    /// The backend that runs GEMMs.
    public static var backend: any ComputeBackend { settings.withLock { $0.backend } }

    /// Replaces the backend (for example ``ReferenceBackend`` as an oracle) and applies the current
    /// thread count to it.
    public static func setBackend(_ backend: any ComputeBackend) {
        settings.withLock { settings in
            backend.setThreadCount(settings.singleThreadedScopes > 0 ? 1 : settings.threadCount)
            settings.backend = backend
        }
    }

    /// Threads the engine uses: the engine's worker pool size and the backend's own thread count.
    public static var threadCount: Int { settings.withLock { $0.threadCount } }

    /// Sets the thread count for the backend (`openblas_set_num_threads`) and the worker pool.
    /// - Throws: ``TensorError/invalidArgument(name:value:reason:)`` unless `1 ≤ count ≤ 256`.
    public static func setThreadCount(_ count: Int) throws(TensorError) {
        guard (1...256).contains(count) else {
            throw .invalidArgument(name: "threadCount", value: "\(count)", reason: "must be in 1...256")
        }
        settings.withLock { settings in
            settings.threadCount = count
            if settings.singleThreadedScopes == 0 { settings.backend.setThreadCount(count) }
        }
        workers.ensureThreads(count)
    }

    /// Runs `body(0) … body(count − 1)` split over the engine's threads, for kernels in other modules
    /// (a fused op over a batch). Items must write disjoint outputs. Inside, wrap GEMMs in
    /// ``withSingleThreadedBackend(_:)`` so that BLAS threads do not compete with the split
    /// (`docs/engine.md`, "Design measurements": images split over 2 threads with BLAS at 1 thread beat BLAS at 2
    /// threads).
    public static func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let threads = threadCount
        if threads == 1 || count <= 1 {
            for item in 0..<count { body(item) }
            return
        }
        // Workers run items under the caller's gradient mode (it is per thread): a parallel kernel
        // inside `withoutGradients` or inside backward must not record graphs on the workers.
        let depth = GradientMode.disabledDepth
        workers.parallelFor(count) { item in
            let own = GradientMode.disabledDepth
            GradientMode.setDisabledDepth(depth)
            defer { GradientMode.setDisabledDepth(own) }
            body(item)
        }
    }

    /// Runs `body` with the backend limited to one thread, restoring the configured count when the
    /// outermost such scope ends (scopes nest, also across threads).
    public static func withSingleThreadedBackend<R>(_ body: () throws -> R) rethrows -> R {
        settings.withLock { settings in
            settings.singleThreadedScopes += 1
            if settings.singleThreadedScopes == 1 && settings.threadCount > 1 { settings.backend.setThreadCount(1) }
        }
        defer {
            settings.withLock { settings in
                settings.singleThreadedScopes -= 1
                if settings.singleThreadedScopes == 0 && settings.threadCount > 1 {
                    settings.backend.setThreadCount(settings.threadCount)
                }
            }
        }
        return try body()
    }
}
