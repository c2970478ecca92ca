import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A signal that asks a run to stop cleanly.
public enum InterruptSignal: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// SIGINT (Ctrl-C).
    case interrupt = 2
    /// SIGTERM (`kill`, a job scheduler's stop).
    case terminate = 15

    /// `SIGINT` or `SIGTERM`.
    public var description: String { self == .interrupt ? "SIGINT" : "SIGTERM" }

    /// The conventional exit status of a process stopped by this signal: 128 + signal number
    /// (130 for SIGINT, 143 for SIGTERM).
    public var exitStatus: Int32 { 128 + rawValue }
}

/// Turns SIGINT and SIGTERM into a flag the training loop polls, so it can finish the current update,
/// write a checkpoint, record the run as interrupted and exit — instead of dying mid-write.
///
/// Usage in a training loop:
///
///     let monitor = InterruptMonitor()
///     monitor.start()
///     defer { monitor.stop() }
///     for batch in batches {
///         try trainStep(batch)
///         if let signal = monitor.requestedSignal {
///             try writeCheckpoint(reason: .interrupt)
///             store.commit(…, status: .interrupted)
///             exit(signal.exitStatus)
///         }
///     }
///
/// Implementation: each signal's default action is replaced by `SIG_IGN` and a Dispatch signal source
/// delivers it on a private queue, where ordinary (not async-signal-safe) code may run; the handler only
/// records the signal under a lock. A **second** signal while a stop is pending exits the process at
/// once with ``InterruptSignal/exitStatus`` — the escape hatch when a checkpoint write hangs. That is safe
/// for the run's data: checkpoints are replaced atomically (``AtomicFile``) and store writes are
/// transactions, so the last complete checkpoint and every committed row survive.
public final class InterruptMonitor: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "glidepath.interrupt-monitor")
    private let signals: [InterruptSignal]
    private let exitsOnSecondSignal: Bool
    private var sources: [DispatchSourceSignal] = []
    private var pending: InterruptSignal?
    private var receivedCount = 0

    /// A monitor for `signals` (not yet listening; call ``start()``).
    ///
    /// - Parameter exitsOnSecondSignal: whether a second signal exits immediately (see the type's docs).
    public init(signals: [InterruptSignal] = InterruptSignal.allCases, exitsOnSecondSignal: Bool = true) {
        self.signals = signals
        self.exitsOnSecondSignal = exitsOnSecondSignal
    }

    /// Starts listening: from now on the signals no longer kill the process but set ``requestedSignal``.
    /// Returns once the signal sources are armed. Calling it twice has no further effect.
    ///
    /// Start one monitor once per process (the training command does): on Linux, libdispatch installs
    /// its signal handler only the first time a process registers a source for a signal, so a monitor
    /// started again after ``stop()`` restored the default action would not see that signal.
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        let registered = DispatchSemaphore(value: 0)
        for signalKind in signals {
            signal(signalKind.rawValue, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalKind.rawValue, queue: queue)
            source.setEventHandler { [weak self] in self?.received(signalKind) }
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            sources.append(source)
        }
        // libdispatch arms a signal source asynchronously (on Linux it then installs its own handler
        // and a signalfd); until then the signal is ignored. Wait, so a signal sent after `start()`
        // returns is never lost.
        for _ in signals { _ = registered.wait(timeout: .now() + 5) }
    }

    /// Stops listening and restores the signals' default actions. A pending request stays readable.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        sources.removeAll()
        for signalKind in signals { signal(signalKind.rawValue, SIG_DFL) }
    }

    /// The first signal received since ``start()`` (or the last ``clear()``), or `nil`.
    public var requestedSignal: InterruptSignal? {
        lock.lock()
        defer { lock.unlock() }
        return pending
    }

    /// Whether a stop has been requested.
    public var isStopRequested: Bool { requestedSignal != nil }

    /// Requests a stop as if `signal` had arrived: an in-process caller (a test, a study runner) stopping a
    /// run at a point of its choosing. Works whether or not the monitor is listening.
    public func request(_ signal: InterruptSignal) {
        lock.lock()
        defer { lock.unlock() }
        if pending == nil { pending = signal }
    }

    /// Forgets a pending request (for a loop that handled it and goes on).
    public func clear() {
        lock.lock()
        defer { lock.unlock() }
        pending = nil
        receivedCount = 0
    }

    private func received(_ signalKind: InterruptSignal) {
        lock.lock()
        receivedCount += 1
        let isRepeat = receivedCount > 1
        if pending == nil { pending = signalKind }
        lock.unlock()
        if isRepeat && exitsOnSecondSignal {
            let message = "glidepath: second \(signalKind), exiting without waiting for the checkpoint\n"
            FileHandle.standardError.write(Data(message.utf8))
            _exit(signalKind.exitStatus)
        }
    }
}
