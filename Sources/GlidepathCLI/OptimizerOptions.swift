import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab

/// `--optimizer NAME` and `--optimizer-config FILE|-`, shared by `train` and `lr-find`.
struct OptimizerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The optimizer: \(OptimizerConfiguration.Name.allCases.map(\.rawValue).joined(separator: ", ")) "
                + "(default: the task's, the study's Adam).", valueName: "name"))
    var optimizer: String?

    @Option(
        name: .customLong("optimizer-config"),
        help: ArgumentHelp(
            "JSON file (- for standard input) with the optimizer's parameters ({\"name\": …, …}); "
                + "absent fields keep the optimizer's defaults (docs/optimizers.md).", valueName: "file"))
    var optimizerConfiguration: String?

    /// An unknown `--optimizer` name is a usage error (exit 64), like any enumerated option.
    func validate() throws {
        if let optimizer, OptimizerRegistry.type(named: optimizer) == nil {
            throw ValidationError(
                "--optimizer=\(optimizer): unknown optimizer; expected one of "
                    + OptimizerConfiguration.Name.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// Whether either option is given.
    var isGiven: Bool { optimizer != nil || optimizerConfiguration != nil }

    /// The requested configuration, nil when neither option is given. Without `--optimizer` the file's
    /// `"name"` chooses, else the task's optimizer (`fallback`).
    func requested(fallback: OptimizerConfiguration.Name) throws -> OptimizerConfiguration? {
        let file = try optimizerConfiguration.map(Self.read)
        return try OptimizerConfiguration.requested(name: optimizer, file: file, fallback: fallback)
    }

    static func read(_ path: String) throws -> StateValue {
        let data: Data
        do { data = try InputFile.read(path) } catch {
            throw TaskError.invalidOptimizerSetting(
                name: "--optimizer-config", value: path,
                reason: "cannot read the file (\(error.reason))")
        }
        do { return try StateCoding.decoder().decode(StateValue.self, from: data) } catch {
            throw TaskError.invalidOptimizerSetting(name: "--optimizer-config", value: path, reason: "not valid JSON")
        }
    }
}
