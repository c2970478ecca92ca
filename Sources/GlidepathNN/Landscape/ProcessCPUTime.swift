import Foundation

/// The CPU time of this process: user + system seconds of all its threads (`clock_gettime` with
/// `CLOCK_PROCESS_CPUTIME_ID`). On a shared, loaded machine it measures the work done, where wall time
/// also counts the waiting for a core; probes record both.
public enum ProcessCPUTime {
    /// Seconds since an arbitrary origin (0 if the clock is unavailable).
    public static func seconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
