import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab
import GlidepathMLRSNet
import GlidepathNN

extension MLRSNetGateConvention: ExpressibleByArgument {}
extension MLRSNetMetaTrainingSettings.StateAdvance: ExpressibleByArgument {}

/// `glidepath meta-train --task T …`: meta-trains an MLR-SNet on a task and writes its weights as JSON.
struct MetaTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-train",
        abstract: "Meta-train an MLR-SNet learning-rate net on a task and write its weights (JSON).",
        discussion: """
            The reference's one-step hypergradient (docs/mlrsnet.md, "Meta-training"): SGD on the task \
            model with the rate γ·MLRSNet(loss), and every K iterations an Adam step on the net from the \
            meta-loss of a virtual step on a meta set carved from the training split, disjoint from the \
            training subset. The output is readable by `glidepath schedule` ({"name": "mlrsnet", \
            "weights": [FILE], …}) and carries a "_provenance" object.
            """)

    @Option(name: .long, help: "The task: adult-mlp, mnist-cnn, fashion-mnist-cnn or cifar10-cnn.")
    var task: String

    @Option(name: .long, help: "Epochs over the training subset.")
    var epochs: Int = 1

    @Option(name: .long, help: "The seed (data order, meta set, initialisations).")
    var seed: UInt64 = 0

    @OptionGroup var data: DataDirectoryOptions

    @Option(
        name: .customLong("meta-interval"),
        help: "K: a meta-update when (batch index in epoch + 1) is a multiple of K (reference 300).")
    var metaInterval: Int = 300

    @Option(name: .customLong("meta-set-size"), help: "M: class-balanced meta-set size (reference 1000).")
    var metaSetSize: Int = 1000

    @Option(
        name: .customLong("training-examples"),
        help: "Train on at most this many examples (default: all outside the meta set).")
    var trainingExamples: Int?

    @Option(name: .customLong("gate-convention"), help: "metaTest (default; what `schedule` assumes) or metaTrain.")
    var gateConvention: MLRSNetGateConvention = .metaTest

    @Option(name: .customLong("state-advance"), help: "once (default) or twiceOnMetaUpdates (the reference's quirk).")
    var stateAdvance: MLRSNetMetaTrainingSettings.StateAdvance = .once

    @Option(name: .long, help: "Output file (default: glidepath-mlrsnet-TASK.json).")
    var output: String?

    func run() throws {
        let configuration: MetaTrainingConfiguration
        let taskData: TaskData
        do throws(any Error) {
            let trainingTask = try TrainingTask(named: task)
            configuration = MetaTrainingConfiguration(
                task: trainingTask, epochs: epochs, seed: seed, metaSetSize: metaSetSize,
                trainingExamples: trainingExamples,
                settings: MLRSNetMetaTrainingSettings(
                    metaInterval: metaInterval, convention: gateConvention,
                    stateAdvance: stateAdvance))
            taskData = try MLRSNetMetaTraining.loadData(for: trainingTask, dataDirectory: data.resolved)
        } catch {
            throw reportFailure("error: \(error)")
        }
        let path = output ?? "glidepath-mlrsnet-\(task).json"
        let started = Date()
        // Read before training: the source tree may change while a long run is going.
        let codeVersion = CodeVersion.detect()
        let result: MetaTrainingResult
        do {
            result = try MLRSNetMetaTraining.run(configuration, data: taskData) { summary in
                let metaLoss = summary.meanMetaLoss.map { String(format: "%.4f", $0) } ?? "-"
                let line = String(
                    format:
                        "epoch %d: train loss %.4f, rate %.5g → %.5g, meta-updates %d (meta loss %@), validation loss %.4f accuracy %.4f",
                    summary.epoch, summary.meanTrainingLoss, summary.firstLearningRate,
                    summary.lastLearningRate, summary.metaUpdates, metaLoss,
                    summary.validationLoss, summary.validationAccuracy)
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch {
            throw reportFailure("error: \(error)")
        }
        let command = CommandLine.arguments.map(Self.shellQuoted).joined(separator: " ")
        let provenance = MetaTrainingProvenance.fields(
            configuration: configuration, result: result, codeVersion: codeVersion, date: started,
            command: command)
        try writeOutput(result.weights.jsonData(provenance: provenance), to: path, command: "meta-train")
        print(
            "wrote \(path) (γ = \(result.scale), \(result.iterations) iterations, \(result.metaUpdates) meta-updates)")
    }

    /// `argument` as a POSIX shell word (unchanged when it needs no quoting).
    static func shellQuoted(_ argument: String) -> String {
        let safe = argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
        }
        return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
