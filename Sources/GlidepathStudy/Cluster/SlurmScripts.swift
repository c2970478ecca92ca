import Foundation

/// The settings of a Slurm submission (`glidepath study submit --slurm`).
public struct SlurmSettings: Sendable, Equatable {
    /// The `glidepath` binary every job calls (absolute).
    public var binary: String
    /// `--partition`; nil leaves the cluster's default.
    public var partition: String?
    /// At most this many array tasks at once (`--array=0-(N-1)%K`).
    public var maxParallel: Int
    /// `--time` of each array task (Slurm's `[D-]HH:MM:SS` text).
    public var time: String
    /// `--cpus-per-task`.
    public var cpusPerTask: Int
    /// Where a task's shard is trained before it is copied to the shard directory (a shell expression,
    /// expanded on the node): node-local disk by default.
    public var workDirectory: String
    /// Environment exported to every job (the MLR-SNet weights directory, when set at submission).
    public var environment: [(name: String, value: String)]
    /// Seconds to sleep after each update (a testing aid: a task can be killed mid-cell; timings only).
    public var stepDelayMilliseconds: Double

    public init(
        binary: String, partition: String? = nil, maxParallel: Int = 16, time: String = "04:00:00",
        cpusPerTask: Int = 1, workDirectory: String = "${SLURM_TMPDIR:-${TMPDIR:-/tmp}}",
        environment: [(name: String, value: String)] = [], stepDelayMilliseconds: Double = 0
    ) {
        self.binary = binary
        self.partition = partition
        self.maxParallel = maxParallel
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.workDirectory = workDirectory
        self.environment = environment
        self.stepDelayMilliseconds = stepDelayMilliseconds
    }

    public static func == (lhs: SlurmSettings, rhs: SlurmSettings) -> Bool {
        lhs.binary == rhs.binary && lhs.partition == rhs.partition && lhs.maxParallel == rhs.maxParallel
            && lhs.time == rhs.time && lhs.cpusPerTask == rhs.cpusPerTask && lhs.workDirectory == rhs.workDirectory
            && lhs.environment.map(\.name) == rhs.environment.map(\.name)
            && lhs.environment.map(\.value) == rhs.environment.map(\.value)
            && lhs.stepDelayMilliseconds == rhs.stepDelayMilliseconds
    }
}

/// The two `sbatch` scripts of a submission: the cells' job array and the merge job that depends on it.
/// Plain bash a user can read and edit; every setting explicit (binary, manifest, data directory, threads,
/// shard directory, store), so the jobs do not depend on the submitting shell's environment.
public enum SlurmScripts {
    /// Single-quotes `text` for bash.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The job array: task `i` runs `manifest.cells[i]` with `glidepath study run-cell`.
    public static func array(
        manifest: StudyManifest, manifestPath: String, logDirectory: String,
        settings: SlurmSettings
    ) -> String {
        let count = manifest.cells.count
        let parallel = max(1, min(settings.maxParallel, count))
        var lines = [
            "#!/bin/bash",
            "# Glidepath study '\(manifest.study)': one array task per unfinished cell (\(count) cells), written by",
            "# `glidepath study submit --slurm` (docs/cluster.md). Task i runs cell i of the manifest into its own",
            "# store on node-local disk, then copies it to the shard directory; the merge job (merge.sbatch) merges",
            "# the shards into the study's store. A requeued task resumes its cell from the checkpoint.",
            "#SBATCH --job-name=glidepath-\(manifest.study)",
            "#SBATCH --array=0-\(count - 1)%\(parallel)",
            "#SBATCH --requeue",
            "#SBATCH --open-mode=append",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=\(settings.cpusPerTask)",
            "#SBATCH --time=\(settings.time)",
        ]
        if let partition = settings.partition { lines.append("#SBATCH --partition=\(partition)") }
        lines += [
            "#SBATCH --output=\(logDirectory)/cell-%a.out",
            "set -euo pipefail",
            "",
            "GLIDEPATH=\(quoted(settings.binary))",
            "MANIFEST=\(quoted(manifestPath))",
            "DATA_DIR=\(quoted(manifest.dataDirectory))",
            "SHARDS=\(quoted(manifest.shardDirectory))",
            "THREADS=\(manifest.threads)",
            "WORK_DIR=\"\(settings.workDirectory)\"",
        ]
        for variable in settings.environment { lines.append("export \(variable.name)=\(quoted(variable.value))") }
        lines += ["", "# The cell of each array task (manifest order): task i runs CELLS[i].", "CELLS=("]
        for (index, cell) in manifest.cells.enumerated() {
            lines.append(
                "  \(cell.id)  # \(index): \(cell.task.rawValue) \(cell.arm) seed \(cell.seed) "
                    + "\(cell.protocolName) lr \(cell.learningRate)")
        }
        lines += [")", "CELL=${CELLS[$SLURM_ARRAY_TASK_ID]}", ""]
        var command =
            "exec \"$GLIDEPATH\" study run-cell \"$MANIFEST\" --index \"$SLURM_ARRAY_TASK_ID\" --cell \"$CELL\" \\\n"
            + "    --store \"$SHARDS/$CELL.sqlite\" --work-dir \"$WORK_DIR\" --data-dir \"$DATA_DIR\" --threads \"$THREADS\""
        if settings.stepDelayMilliseconds > 0 {
            command += " \\\n    --step-delay-ms \(settings.stepDelayMilliseconds)"
        }
        lines.append(command)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merge job: every shard of the shard directory into the study's store. Submitted with
    /// `--dependency=afterany:<array job>`, so it runs when every task has ended, whatever its state; a
    /// missing shard is reported by `study status` and resubmitting runs only the missing cells.
    public static func merge(manifest: StudyManifest, logDirectory: String, settings: SlurmSettings) -> String {
        var lines = [
            "#!/bin/bash",
            "# Glidepath study '\(manifest.study)': merges the shards of the job array into the study's store,",
            "# then prints the study's status. Submitted with --dependency=afterany:<array job> by",
            "# `glidepath study submit --slurm`; merging is idempotent, so rerunning it is safe.",
            "#SBATCH --job-name=glidepath-\(manifest.study)-merge",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=1",
            "#SBATCH --time=01:00:00",
        ]
        if let partition = settings.partition { lines.append("#SBATCH --partition=\(partition)") }
        lines += [
            "#SBATCH --output=\(logDirectory)/merge.out",
            "set -euo pipefail",
            "shopt -s nullglob",
            "",
            "GLIDEPATH=\(quoted(settings.binary))",
            "PLAN=\(quoted(manifest.planFile))",
            "SHARDS=\(quoted(manifest.shardDirectory))",
            "STORE=\(quoted(manifest.store))",
            "THREADS=\(manifest.threads)",
            "",
            "shards=(\"$SHARDS\"/*.sqlite)",
            "\"$GLIDEPATH\" study merge \"${shards[@]}\" --into \"$STORE\" --plan \"$PLAN\"",
            "exec \"$GLIDEPATH\" study status \"$PLAN\" --store \"$STORE\" --threads \"$THREADS\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
