import Foundation

/// How MLR-SNet's output scale γ is computed from a training loss L and the number of classes C.
///
/// The net outputs a ∈ (0, 1); the learning rate is γ·a. For image classification the reference
/// uses
///
/// ```
/// γ(L) = √L · ln(L·C) / (4 · C^(1/4))
/// ```
///
/// with L = L₀, the initial training loss (≈ ln C for an untrained classifier: γ(ln 10) ≈ 0.669 for
/// C = 10, γ(ln 100) ≈ 1.040 for C = 100). The meta-test protocol takes |γ| and recomputes it from
/// the current training loss whenever it swaps nets. The meta-training script uses γ(L₀) without the
/// absolute value, which gives a negative learning rate when L₀ < 1/C; Glidepath never does that.
///
/// **The dip at L = 1/C.** γ(1/C) = 0 exactly, so a loss near 1/C at a swap collapses the learning
/// rate to about zero for the whole next stage (0.1 for CIFAR-10, 0.01 for CIFAR-100). Below 1/C,
/// |γ| peaks at L* = e^(−2)/C with |γ(L*)| = e^(−1) / (2·C^(3/4)) (0.0327 for C = 10, 0.0058 for
/// C = 100). ``guarded`` fills the dip at that peak level:
///
/// ```
/// γ_guarded(L) = |γ(L)|                 for L < e^(−2)/C
///              = max(|γ(L)|, e^(−1)/(2·C^(3/4)))   for L ≥ e^(−2)/C
/// ```
///
/// This is continuous, non-decreasing in L, never zero for L > 0, and equal to the reference outside
/// the dip (for C = 10 the dip spans L ∈ [0.0135, ≈0.175]).
///
/// Reference: Shu et al., TPAMI 2022, arXiv:2007.14546; GitHub xjtushujun/MLR-SNet @5d1eec4,
/// `meta-test/meta_test.py` (`gamma = abs((train_loss ** 0.5 * np.log(train_loss * num_classes) /
/// num_classes ** 0.25) / 4)`); analysis in `docs/mlrsnet.md`, "γ and the guard near L = 1/C".
public enum MLRSNetScaleRule: String, Codable, Sendable, CaseIterable {
    /// |γ(L)| with the dip around L = 1/C filled at the level of its local maximum. The default.
    case guarded
    /// |γ(L)| exactly as `meta_test.py` computes it, including the collapse to 0 at L = 1/C.
    case reference

    /// The scale for loss `loss` ≥ 0 and `classCount` ≥ 2 classes. γ(0) is taken as its limit, 0.
    public func scale(loss: Double, classCount: Int) -> Double {
        let absolute = Self.absoluteReferenceScale(loss: loss, classCount: classCount)
        switch self {
        case .reference:
            return absolute
        case .guarded:
            return loss >= Self.peakLoss(classCount: classCount)
                ? max(absolute, Self.peakScale(classCount: classCount)) : absolute
        }
    }

    /// |γ(L)| evaluated with the reference's operations in the reference's order (Python doubles:
    /// `L ** 0.5` is `pow`, `C ** 0.25` is `pow`), so it agrees bit for bit with `meta_test.py`.
    public static func absoluteReferenceScale(loss: Double, classCount: Int) -> Double {
        guard loss > 0 else { return 0 }
        let classes = Double(classCount)
        return abs((pow(loss, 0.5) * log(loss * classes) / pow(classes, 0.25)) / 4)
    }

    /// L* = e^(−2)/C, where |γ| has its local maximum below 1/C.
    public static func peakLoss(classCount: Int) -> Double {
        exp(-2) / Double(classCount)
    }

    /// |γ(L*)| = e^(−1) / (2·C^(3/4)): the floor ``guarded`` applies from L* upwards.
    public static func peakScale(classCount: Int) -> Double {
        exp(-1) / (2 * pow(Double(classCount), 0.75))
    }
}
