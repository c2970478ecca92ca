import ArgumentParser
import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN

extension RunProbe.Split: ExpressibleByArgument {}

/// `glidepath probe`: the landscape probes at a run's last checkpoint on the first N examples of a split.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Measure the loss landscape at a run's last checkpoint.",
        discussion: """
            Computes loss, gradient norm, λ_max (and λ_max(P⁻¹H) for Adam), Hutchinson's trace, the noise scale \
            and the quadratic-model step on the first N examples of the split in file order (the loss is \
            the task's mean loss over them), so a number can be checked against another tool on the same \
            weights and batch. --save-inputs writes those weights and examples as safetensors.
            """)

    @Option(name: .customLong("run"), help: ArgumentHelp("The run's identifier, or a unique prefix.", valueName: "run"))
    var runReference: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Which part of the data: train or test.")
    var split: RunProbe.Split = .train

    @Option(help: "How many examples, from the first in file order.")
    var examples: Int = 256

    @Option(
        name: .customLong("data-dir"), help: ArgumentHelp("The data directory (default: the run's).", valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("power-iterations"), help: "Largest number of power iterations.")
    var powerIterations: Int = 100

    @Option(name: .customLong("tolerance"), help: "Relative tolerance of the power iteration.")
    var tolerance: Double = 1e-3

    @Option(name: .customLong("trace-samples"), help: "Hutchinson samples.")
    var traceSamples: Int = 8

    @Option(
        name: .customLong("save-inputs"),
        help: ArgumentHelp("Write the weights and the examples here.", valueName: "file"))
    var saveInputs: String?

    @Flag(help: "Print one JSON object (loss, gradientNorm, lambdaMax, trace, noiseScale, … and the full measurement).")
    var json = false

    func validate() throws {
        guard examples >= 1 else { throw ValidationError("--examples \(examples): must be >= 1") }
    }

    func run() throws {
        var settings = LandscapeProbeSettings()
        settings.powerIterationLimit = powerIterations
        settings.powerTolerance = tolerance
        settings.traceSamples = traceSamples
        do { try settings.validate() } catch { throw ValidationError("\(error)") }
        let result = try RunProbe.run(
            runReference, storePath: storeOptions.store, split: split, examples: examples,
            dataDirectory: dataDirectory, settings: settings)
        if let saveInputs {
            let weights = result.model.model.module.safeTensors().entries
            let architecture = String(
                decoding: try StateCoding.encoder().encode(
                    result.model.configuration.task.specification.model), as: UTF8.self)
            let file = SafeTensorsFile(
                metadata: [
                    "run": result.model.record.id.rawValue, "architecture": architecture,
                    "task": result.model.configuration.task.rawValue,
                    "split": split.rawValue, "examples": "\(result.batch.count)",
                ],
                entries: weights + result.batch.safeTensorsEntries)
            try writeOutput(try file.encoded(), to: saveInputs, command: "probe --save-inputs")
        }
        let m = result.measurement
        if json {
            struct Output: Encodable {
                var run: String, step: Int, split: String, examples: Int
                var loss: Double, gradientNorm: Double, lambdaMax: Double?, preconditionedLambdaMax: Double?
                var trace: Double?, noiseScale: Double?, quadraticStep: Double?
                var measurement: ProbeMeasurement
            }
            let output = Output(
                run: result.model.record.id.rawValue, step: result.model.checkpoint.step, split: split.rawValue,
                examples: result.batch.count, loss: m.loss.value, gradientNorm: m.gradientNorm.value,
                lambdaMax: m.lambdaMax?.value.value, preconditionedLambdaMax: m.preconditionedLambdaMax?.value.value,
                trace: m.trace?.value, noiseScale: m.noiseScale?.value, quadraticStep: m.quadraticStep, measurement: m)
            print(String(decoding: try StateCoding.encoder().encode(output), as: UTF8.self))
        } else {
            print(
                ProbeText.summary(
                    m, run: result.model.record.id.rawValue, step: result.model.checkpoint.step,
                    examples: result.batch.count), terminator: "")
        }
    }
}

/// Plain-text renderings of probe measurements.
enum ProbeText {
    static func number(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.6g", value)
    }

    static func summary(_ m: ProbeMeasurement, run: String, step: Int, examples: Int) -> String {
        var lines = ["run \(run) at update \(step), \(examples) examples"]
        lines.append("loss              \(number(m.loss.value))")
        lines.append("gradient norm     \(number(m.gradientNorm.value))")
        if let l = m.lambdaMax {
            lines.append(
                "lambda_max        \(number(l.value.value))  (\(l.iterations) iterations, residual \(number(l.residual))\(l.converged ? "" : ", not converged"))"
            )
        }
        if let l = m.preconditionedLambdaMax {
            lines.append(
                "lambda_max(P^-1H) \(number(l.value.value))  (\(l.iterations) iterations, residual \(number(l.residual)))"
            )
        }
        if let t = m.trace {
            lines.append("trace             \(number(t.value)) ± \(number(t.standardError)) (\(t.samples) samples)")
        }
        lines.append("g'Hg/|g|^2        \(number(m.gradientCurvature?.value))")
        lines.append("quadratic step    \(number(m.quadraticStep))")
        lines.append("noise scale       \(number(m.noiseScale?.value))")
        lines.append(
            "cost              \(m.cost.gradientEvaluations) gradient evaluations, \(m.cost.hessianVectorProducts) HVPs, \(String(format: "%.3f", m.cost.seconds)) s"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
