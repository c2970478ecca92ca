import Foundation

/// What `glidepath study submit --slurm` writes into its directory, and submits.
///
/// `<directory>/plan.json` (the plan, as `study plan` prints it), `manifest.json` (``StudyManifest``),
/// `cells.sbatch` and `merge.sbatch` (``SlurmScripts``), `shards/` (one store per finished cell) and
/// `logs/`. Submitting runs `sbatch --parsable cells.sbatch`, then
/// `sbatch --parsable --dependency=afterany:<array job> merge.sbatch`.
public struct SlurmSubmission: Sendable {
    public var directory: String
    public var manifest: StudyManifest
    public var settings: SlurmSettings

    public var planPath: String { path("plan.json") }
    public var manifestPath: String { path("manifest.json") }
    public var arrayScriptPath: String { path("cells.sbatch") }
    public var mergeScriptPath: String { path("merge.sbatch") }
    public var logDirectory: String { path("logs") }

    func path(_ name: String) -> String { URL(fileURLWithPath: directory).appendingPathComponent(name).path }

    /// Makes the submission of `plan`'s unfinished cells (relative to `store`) in `directory` (absolute).
    public init(
        plan: StudyPlan, directory: String, store: String, dataDirectory: String, threads: Int,
        settings: SlurmSettings
    ) throws(ClusterError) {
        self.directory = directory
        self.settings = settings
        let planFile = URL(fileURLWithPath: directory).appendingPathComponent("plan.json").path
        manifest = try StudyManifest.make(
            plan: plan, planFile: planFile, threads: threads, dataDirectory: dataDirectory,
            shardDirectory: URL(fileURLWithPath: directory).appendingPathComponent("shards").path,
            store: store)
    }

    /// Writes the plan, the manifest and both scripts (each atomically) and creates `shards/` and `logs/`.
    public func write(plan: StudyPlan) throws(ClusterError) {
        for directory in [directory, manifest.shardDirectory, logDirectory] {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .writeFailed(path: directory, reason: "\(error)")
            }
        }
        let planText: String
        do { planText = try plan.json() + "\n" } catch { throw .study(error) }
        try StudyManifest.write(planText, to: planPath)
        try StudyManifest.write(try manifest.json(), to: manifestPath)
        try StudyManifest.write(
            SlurmScripts.array(
                manifest: manifest, manifestPath: manifestPath,
                logDirectory: logDirectory, settings: settings), to: arrayScriptPath)
        try StudyManifest.write(
            SlurmScripts.merge(manifest: manifest, logDirectory: logDirectory, settings: settings),
            to: mergeScriptPath)
    }

    /// The two `sbatch` command lines (the merge's dependency filled with `arrayJob`).
    public func commands(arrayJob: String = "<array job>") -> [[String]] {
        [
            ["sbatch", "--parsable", arrayScriptPath],
            ["sbatch", "--parsable", "--dependency=afterany:\(arrayJob)", mergeScriptPath],
        ]
    }

    /// Submits the array, then the merge job; returns their job ids.
    public func submit() throws(ClusterError) -> (array: String, merge: String) {
        let array = try Self.sbatch(commands()[0])
        let merge = try Self.sbatch(commands(arrayJob: array)[1])
        return (array, merge)
    }

    /// Runs `sbatch` (found on `PATH`) and returns the job id of its `--parsable` output (`id[;cluster]`).
    static func sbatch(_ arguments: [String]) throws(ClusterError) -> String {
        let command = arguments.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw .submitFailed(command: command, reason: "\(error)") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .submitFailed(
                command: command,
                reason: "exit \(process.terminationStatus): "
                    + errorText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw .submitFailed(command: command, reason: "unexpected output '\(text)' (expected a job id)")
        }
        return id
    }
}
