import Foundation

/// A persistent pool of worker threads for the engine's own parallel loops (convolution batches,
/// large element-wise maps).
///
/// Workers sleep on a condition variable between jobs rather than spinning, so they do not fight
/// OpenBLAS's or OpenMP's threads on a 2-core machine (engine.md §5). The calling thread takes part in
/// every job. Work is split into fixed chunks whose results go to disjoint outputs, so the result does
/// not depend on which thread ran which chunk.
final class WorkerPool: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let workFinished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var job: ((Int) -> Void)?
    private var jobSize = 0
    private var nextItem = 0
    private var completedItems = 0
    private var generation = 0
    private var workerCount = 0
    private var shuttingDown = false
    // Serialises callers: one job at a time.
    private let submission = NSLock()

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        pthread_cond_init(workFinished, nil)
    }

    /// Threads that run a job, including the caller.
    var threadCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return workerCount + 1
    }

    /// Grows the pool to `count − 1` workers. Shrinking is not supported: extra workers stay asleep,
    /// and ``parallelFor(_:_:)`` never splits into more chunks than the configured count asks for.
    func ensureThreads(_ count: Int) {
        pthread_mutex_lock(mutex)
        let missing = count - 1 - workerCount
        if missing > 0 { workerCount += missing }
        pthread_mutex_unlock(mutex)
        guard missing > 0 else { return }
        for _ in 0..<missing {
            let thread = Thread { [self] in workerLoop() }
            thread.stackSize = 8 << 20
            thread.name = "glidepath-worker"
            thread.start()
        }
    }

    /// Runs `body(0) … body(count − 1)` on the caller and the workers; returns when all have finished.
    func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threadCount == 1 {
            for item in 0..<count { body(item) }
            return
        }
        submission.lock()
        defer { submission.unlock() }
        withoutActuallyEscaping(body) { escapable in
            pthread_mutex_lock(mutex)
            job = escapable
            jobSize = count
            nextItem = 0
            completedItems = 0
            generation += 1
            pthread_cond_broadcast(workAvailable)
            pthread_mutex_unlock(mutex)
            runItems(escapable)
            pthread_mutex_lock(mutex)
            while completedItems < jobSize { pthread_cond_wait(workFinished, mutex) }
            job = nil
            pthread_mutex_unlock(mutex)
        }
    }

    private func runItems(_ body: (Int) -> Void) {
        while true {
            pthread_mutex_lock(mutex)
            let item = nextItem
            nextItem += 1
            pthread_mutex_unlock(mutex)
            if item >= jobSize { return }
            body(item)
            pthread_mutex_lock(mutex)
            completedItems += 1
            if completedItems == jobSize { pthread_cond_broadcast(workFinished) }
            pthread_mutex_unlock(mutex)
        }
    }

    private func workerLoop() {
        var seenGeneration = 0
        while true {
            pthread_mutex_lock(mutex)
            while generation == seenGeneration && !shuttingDown { pthread_cond_wait(workAvailable, mutex) }
            if shuttingDown { pthread_mutex_unlock(mutex); return }
            seenGeneration = generation
            let body = job
            pthread_mutex_unlock(mutex)
            if let body { runItems(body) }
        }
    }
}
