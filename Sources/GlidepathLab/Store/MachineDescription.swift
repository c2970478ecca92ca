import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The thread settings a run used: the configured compute threads and the threading environment
/// variables the BLAS library reads, as they were at run start.
public struct ThreadSettings: Sendable, Equatable, Codable {
    /// Threads the run was configured to compute with.
    public var computeThreads: Int
    /// `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, `GOTO_NUM_THREADS`, `OPENBLAS_CORETYPE`, where set.
    public var environment: [String: String]

    public init(computeThreads: Int, environment: [String: String]) {
        self.computeThreads = computeThreads
        self.environment = environment
    }

    /// The variables recorded in ``environment``.
    public static let recordedVariables = [
        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_CORETYPE",
    ]

    /// `computeThreads` with the current process's values of ``recordedVariables``.
    public static func current(computeThreads: Int) -> ThreadSettings {
        let environment = ProcessInfo.processInfo.environment
        var recorded: [String: String] = [:]
        for name in recordedVariables {
            if let value = environment[name] { recorded[name] = value }
        }
        return ThreadSettings(computeThreads: computeThreads, environment: recorded)
    }
}

/// The machine a run ran on, recorded with the run (`docs/lab.md`, "Where the protocol comes from": record the device,
/// the thread count and the load, because neighbouring jobs move timings on a shared box).
public struct MachineDescription: Sendable, Equatable, Codable {
    /// CPU model name (`/proc/cpuinfo` "model name"), or `unknown`.
    public var cpuModel: String
    /// Logical processors available to the process.
    public var logicalCores: Int
    /// Physical memory in bytes.
    public var memoryBytes: UInt64
    /// Operating system (`/etc/os-release` PRETTY_NAME, else Foundation's version string).
    public var operatingSystem: String
    /// Kernel release (`uname -r`).
    public var kernel: String
    /// 1-, 5- and 15-minute load averages at run start, when readable.
    public var loadAverages: [Double]?
    public var threads: ThreadSettings

    public init(
        cpuModel: String, logicalCores: Int, memoryBytes: UInt64, operatingSystem: String, kernel: String,
        loadAverages: [Double]?, threads: ThreadSettings
    ) {
        self.cpuModel = cpuModel
        self.logicalCores = logicalCores
        self.memoryBytes = memoryBytes
        self.operatingSystem = operatingSystem
        self.kernel = kernel
        self.loadAverages = loadAverages
        self.threads = threads
    }

    /// A description of this machine now, for a run configured with `computeThreads` threads.
    public static func current(computeThreads: Int) -> MachineDescription {
        MachineDescription(
            cpuModel: cpuModelName() ?? "unknown",
            logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            operatingSystem: operatingSystemName() ?? ProcessInfo.processInfo.operatingSystemVersionString,
            kernel: kernelRelease(),
            loadAverages: loadAverages(),
            threads: .current(computeThreads: computeThreads))
    }

    private static func cpuModelName() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func operatingSystemName() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func kernelRelease() -> String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.release) { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private static func loadAverages() -> [Double]? {
        var values = [Double](repeating: 0, count: 3)
        return getloadavg(&values, 3) == 3 ? values : nil
    }
}
