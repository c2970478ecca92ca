import Foundation
import GlidepathLab
import GlidepathNN

extension RunsText {
    /// The `runs show` summary of a run's landscape probes (empty when it has none).
    static func probes(_ probes: [ProbeRecord], epochs: [EpochRecord]) -> String {
        guard let first = probes.first, let last = probes.last else { return "" }
        func number(_ value: Double?) -> String { value.map { String(format: "%.4g", $0) } ?? "–" }
        let seconds = probes.reduce(0) { $0 + $1.measurement.cost.seconds }
        let train = epochs.reduce(0) { $0 + $1.trainSeconds }
        let evaluations = probes.reduce(0) { $0 + $1.measurement.cost.gradientEvaluations }
        var lines = [
            "",
            "landscape probes: \(probes.count) (updates \(first.step)–\(last.step)), \(evaluations) gradient evaluations, "
                + String(format: "%.2f s", seconds)
                + (train > 0 ? String(format: " = %.1f%% of training time", 100 * seconds / train) : ""),
        ]
        lines.append(
            "  step   epoch  loss       |g|        lambda_max  lambda(P^-1H)  trace      noise scale  decision")
        var shown = probes
        if shown.count > 12 { shown = Array(probes.prefix(6)) + Array(probes.suffix(6)) }
        for (index, probe) in shown.enumerated() {
            if probes.count > 12 && index == 6 { lines.append("  …") }
            let m = probe.measurement
            let decision =
                probe.decision.map { "\($0.action.rawValue) ×\(String(format: "%.3g", $0.factorAfter))" } ?? ""
            lines.append(
                String(format: "  %-6d %-6d ", probe.step, probe.epoch)
                    + [
                        number(m.loss.value), number(m.gradientNorm.value), number(m.lambdaMax?.value.value),
                        number(m.preconditionedLambdaMax?.value.value), number(m.trace?.value),
                        number(m.noiseScale?.value),
                    ].map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }
                    .joined(separator: "") + decision)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
