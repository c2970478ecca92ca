import Foundation
import Glidepath

/// The `"_provenance"` object written with meta-trained weights: how they were made, as strings
/// (the JSON weights format allows only a flat object of strings there).
public enum MetaTrainingProvenance {
    /// The fields for a finished run. `command` is the exact command line; `date` is formatted as
    /// ISO 8601 UTC.
    public static func fields(
        configuration: MetaTrainingConfiguration, result: MetaTrainingResult, codeVersion: CodeVersion,
        date: Date, command: String
    ) -> [String: String] {
        let settings = configuration.settings
        let specification = configuration.task.specification
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var fields: [String: String] = [
            "generator": "glidepath meta-train (one-step hypergradient, docs/mlrsnet.md, Meta-training our own net)",
            "task": configuration.task.rawValue,
            "epochs": "\(configuration.epochs)",
            "seed": "\(configuration.seed)",
            "batchSize": "\(specification.batchSize)",
            "trainingExamples": "\(result.trainingCount)",
            "metaSetSize": "\(result.metaCount)",
            "metaBatchSize": "\(configuration.metaBatchSize)",
            "metaInterval": "\(settings.metaInterval)",
            "iterations": "\(result.iterations)",
            "metaUpdates": "\(result.metaUpdates)",
            "gateConvention": settings.convention.rawValue,
            "stateAdvance": settings.stateAdvance.rawValue,
            "metaOptimizer": "Adam lr \(settings.metaLearningRate) weightDecay \(settings.metaWeightDecay) (coupled)",
            "modelOptimizer": "SGD momentum 0 weightDecay \(settings.modelWeightDecay), rate γ·a_t",
            "initialLoss": "\(result.initialLoss)",
            "gamma": "\(result.scale)",
            "metaSet":
                "stratified by class, carved with the training subset from one permutation of the training part (disjoint; validation and test untouched)",
            "codeVersion": codeVersion.package,
            "gitCommit": codeVersion.commit.map { $0 + (codeVersion.dirty == true ? " (dirty)" : "") } ?? "unknown",
            "date": formatter.string(from: date),
            "command": command,
        ]
        if let last = result.epochs.last {
            fields["finalValidationAccuracy"] = String(format: "%.4f", last.validationAccuracy)
            fields["finalValidationLoss"] = String(format: "%.4f", last.validationLoss)
            fields["finalLearningRate"] = "\(last.lastLearningRate)"
        }
        return fields
    }
}
