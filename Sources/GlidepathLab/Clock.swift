import Foundation

/// Where the lab reads time from: wall-clock time for timestamps and run identifiers, and a monotonic
/// reading for durations (training time, throughput, ETA).
///
/// Injected everywhere the lab reads time, so reports, run identifiers and progress output are
/// deterministic under test (``ManualClock``) and real in use (``SystemClock``).
public protocol LabClock: Sendable {
    /// The current wall-clock time, for timestamps and run identifiers.
    func now() -> Date
    /// Seconds since an arbitrary fixed origin, never going backwards, for measuring durations.
    func monotonicSeconds() -> Double
}

/// The real clock: `Date()` and the system's monotonic clock (`CLOCK_MONOTONIC` via `DispatchTime`).
public struct SystemClock: LabClock {
    public init() {}

    public func now() -> Date { Date() }

    public func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}

/// A clock that moves only when told to: wall time and monotonic time advance together.
///
/// For tests and deterministic replays (golden progress output, fixed run identifiers).
public final class ManualClock: LabClock, @unchecked Sendable {
    // A lock rather than an actor: `LabClock` is read synchronously from the training loop.
    private let lock = NSLock()
    private var wallTime: Date
    private var elapsed: Double

    /// A clock that reads `start` now and 0 monotonic seconds.
    public init(start: Date) {
        self.wallTime = start
        self.elapsed = 0
    }

    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return wallTime
    }

    public func monotonicSeconds() -> Double {
        lock.lock()
        defer { lock.unlock() }
        return elapsed
    }

    /// Moves both readings forward by `seconds` (≥ 0).
    public func advance(by seconds: Double) {
        precondition(seconds >= 0, "ManualClock cannot go backwards (advance by \(seconds))")
        lock.lock()
        defer { lock.unlock() }
        wallTime = wallTime.addingTimeInterval(seconds)
        elapsed += seconds
    }
}
