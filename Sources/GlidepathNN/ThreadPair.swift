#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs two independent pieces of work at once: item 1 on a fresh thread, item 0 on the caller, and
/// joins. Used by the LSTM to run its two directions concurrently.
///
/// A thread per call costs tens of microseconds, nothing against an LSTM layer's milliseconds, and it
/// keeps the two directions concurrent independently of the engine's worker pool (which runs nested
/// parallel loops serially, and whose job hand-off had a stale-job race before engine commit 2ebf9dd).
enum ThreadPair {
    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    static func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let job = Unmanaged.passRetained(Job(escapable))
            #if canImport(Glibc)
                var thread = pthread_t()
            #else
                var thread: pthread_t?
            #endif
            let created = pthread_create(
                &thread, nil,
                { argument in
                    guard let argument else { return nil }
                    let job = Unmanaged<Job>.fromOpaque(argument).takeUnretainedValue()
                    job.body(1)
                    return nil
                }, job.toOpaque())
            escapable(0)
            if created == 0 {
                #if canImport(Glibc)
                    pthread_join(thread, nil)
                #else
                    if let thread { pthread_join(thread, nil) }
                #endif
            } else {
                // No thread available: run the second item here.
                escapable(1)
            }
            job.release()
        }
    }
}
