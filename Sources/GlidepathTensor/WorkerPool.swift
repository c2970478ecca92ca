import Foundation

/// A persistent pool of worker threads for the engine's own parallel loops (convolution batches,
/// large element-wise maps).
///
/// Workers sleep on a condition variable between jobs rather than spinning, so they do not fight
/// OpenBLAS's or OpenMP's threads on a 2-core machine (`docs/engine.md`, "Design measurements"). The calling thread
/// takes part in every job. Work is split into fixed chunks whose results go to disjoint outputs, so the result does
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
    private var activeWorkers = 0
    // Held by the caller whose job the pool is running.
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

    /// Runs `body(0) … body(count − 1)` on the caller and the workers; returns when all have finished
    /// and no worker still holds `body`.
    func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threadCount == 1 {
            for item in 0..<count { body(item) }
            return
        }
        // One job at a time. A nested call (from inside a job, e.g. an element-wise op inside a
        // parallel fused kernel) or a concurrent caller runs serially instead of waiting: waiting for
        // the pool from inside a pool job would deadlock.
        guard submission.try() else {
            for item in 0..<count { body(item) }
            return
        }
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
            // Wait for every item, and for every worker that took the closure to let go of it: the
            // closure must not outlive this call, and a late worker must never run it on the next job.
            while completedItems < jobSize || activeWorkers > 0 { pthread_cond_wait(workFinished, mutex) }
            job = nil
            pthread_mutex_unlock(mutex)
        }
    }

    private func runItems(_ body: (Int) -> Void) {
        while true {
            pthread_mutex_lock(mutex)
            let item = nextItem
            nextItem += 1
            let size = jobSize
            pthread_mutex_unlock(mutex)
            if item >= size { return }
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
            // Take the job only while it is still current (the caller clears it once it is done, and
            // cannot finish while `activeWorkers` counts us).
            var taken = job
            let tookJob = taken != nil
            if tookJob { activeWorkers += 1 }
            pthread_mutex_unlock(mutex)
            guard tookJob else { continue }
            if let body = taken { runItems(body) }
            // Drop every reference to the closure before telling the caller we are done with it.
            taken = nil
            releaseJob()
        }
    }

    private func releaseJob() {
        pthread_mutex_lock(mutex)
        activeWorkers -= 1
        if activeWorkers == 0 { pthread_cond_broadcast(workFinished) }
        pthread_mutex_unlock(mutex)
    }
}
