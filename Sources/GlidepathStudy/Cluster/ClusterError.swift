import GlidepathLab

/// Errors of the cluster path (`glidepath study submit|run-cell|merge`, `docs/cluster.md`). Each names the
/// file, cell or field at fault.
public enum ClusterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The manifest cannot be read or decoded.
    case unreadableManifest(path: String, reason: String)
    /// The manifest's contents are inconsistent (a cell's id is not its configuration's hash, a field is out of range).
    case invalidManifest(path: String, field: String, value: String, reason: String)
    /// `--index` names no cell of the manifest.
    case indexOutOfRange(path: String, index: Int, count: Int)
    /// The plan file changed since the manifest was written (its hash differs).
    case planChanged(manifest: String, planFile: String)
    /// A shard holds no study, or more than one.
    case shardWithoutStudy(path: String, studies: [String])
    /// Two shards (or a shard and the target store) hold different plans or studies.
    case shardPlanMismatch(shard: String, expected: String, found: String, detail: String)
    /// Runs to merge were produced by different code versions (`--allow-code-mismatch` merges anyway).
    case codeVersionMismatch(shard: String, run: String, expected: String, found: String)
    /// No shard was given.
    case noShards
    /// Running `sbatch` failed.
    case submitFailed(command: String, reason: String)
    /// A study error (plan, store).
    case study(StudyError)
    /// Writing a file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableManifest(path, reason):
            return "cannot read the study manifest \(path): \(reason)"
        case let .invalidManifest(path, field, value, reason):
            return "invalid study manifest \(path): \(field)=\(value): \(reason)"
        case let .indexOutOfRange(path, index, count):
            return "--index \(index) is outside the manifest \(path), which has \(count) cells (indices 0…\(count - 1))"
        case let .planChanged(manifest, planFile):
            return "the plan file \(planFile) changed since the manifest \(manifest) was written; "
                + "resubmit (glidepath study submit) to write a new manifest"
        case let .shardWithoutStudy(path, studies):
            return
                "the shard \(path) holds \(studies.isEmpty ? "no study" : "studies \(studies.joined(separator: ", "))"); "
                + "a shard holds exactly one (glidepath study run-cell writes it)"
        case let .shardPlanMismatch(shard, expected, found, detail):
            return
                "the shard \(shard) holds study '\(found)', not the plan of '\(expected)' (\(detail)); nothing was merged"
        case let .codeVersionMismatch(shard, run, expected, found):
            return "run \(run) of the shard \(shard) was produced by code \(found), the others by \(expected); "
                + "pass --allow-code-mismatch to merge anyway — nothing was merged"
        case .noShards:
            return "no shards to merge (pass the shard stores run-cell wrote)"
        case let .submitFailed(command, reason):
            return "\(command) failed: \(reason)"
        case .study(let error):
            return error.description
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
