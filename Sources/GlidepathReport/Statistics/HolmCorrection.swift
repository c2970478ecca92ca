/// Holm's step-down correction of a family of p-values for the family-wise error rate (Holm 1979, "A
/// simple sequentially rejective multiple test procedure", Scand. J. Statist. 6(2)).
///
/// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎ (ties keep their input order), the adjusted values
/// are p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎), returned in the input order — statsmodels'
/// `multipletests(method="holm")`. The report's family is every (arm, baseline, endpoint) comparison of a
/// task. Fixture: `scripts/fixtures/report_statistics.py` (the same formula, hand-coded in numpy).
public enum HolmCorrection {
    /// The Holm-adjusted p-values, in the order of `pValues` (each in [0, 1]).
    public static func adjust(_ pValues: [Double]) throws(ReportError) -> [Double] {
        if let bad = pValues.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw .invalidArgument(name: "pValues[\(bad)]", reason: "must be in [0, 1], got \(pValues[bad])")
        }
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (position, index) in order.enumerated() {
            running = max(running, min(1, Double(m - position) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
