/// A per-cell measurement the report summarises and compares (issue 12, items 3–4).
///
/// The raw values are the JSON keys of ``ReportCell/endpoints`` and of `results.json`'s `cells`.
///
/// **Missing values.** For the *to-target* endpoints (``isTimeToTarget``) a `nil` value means the cell
/// never reached the validation-loss target within its budget; every statistic then treats it as +∞, as
/// AlgoPerf scores a missed target (AlgoPerf `DOCUMENTATION.md` v0.6, "time to validation target").
/// For every other endpoint a `nil` value means the measurement is undefined for that cell (a diverged
/// run's accuracy); it is left out of the statistics and counted in the report. An endpoint that does not
/// apply to a task at all (ROC-AUC on ten-class CIFAR-10) is simply absent from the cell's dictionary.
public enum Endpoint: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable, Comparable {
    /// Cumulative training seconds (evaluation excluded) when the hard validation-loss target was first met.
    case secondsToHardTarget
    /// Forward+backward-pass equivalents (probe compute included) when the hard target was first met —
    /// the primary time metric, since wall time on a shared machine varies 2–5×.
    case passesToHardTarget
    /// Epochs trained (1-based) when the hard target was first met.
    case epochsToHardTarget
    /// As ``secondsToHardTarget``, for the easy target.
    case secondsToEasyTarget
    /// As ``passesToHardTarget``, for the easy target.
    case passesToEasyTarget
    /// As ``epochsToHardTarget``, for the easy target.
    case epochsToEasyTarget
    /// Final test accuracy in [0, 1].
    case testAccuracy
    /// Final test macro-F1 in [0, 1].
    case testF1
    /// Final test ROC-AUC in [0, 1] (binary tasks).
    case testAUC
    /// Lowest validation loss over the epochs.
    case bestValidationLoss
    /// Validation loss after the last epoch.
    case finalValidationLoss
    /// Population variance of the training loss over epochs (stability).
    case trainLossVariance
    /// Population variance of the validation loss over epochs (stability).
    case validationLossVariance
    /// Number of learning-rate adjustments (|Δ ln η| > 1% between consecutive updates).
    case rateAdjustments
    /// Mean |Δ ln η| over those adjustments.
    case rateAdjustmentMagnitude

    /// Which way is better, for ranks, effects' wording, profiles and the probability of improvement.
    public var direction: EndpointDirection {
        switch self {
        case .testAccuracy, .testF1, .testAUC: .higherIsBetter
        case .rateAdjustments, .rateAdjustmentMagnitude: .descriptive
        default: .lowerIsBetter
        }
    }

    /// Whether the endpoint is a time to a target, where `nil` means a miss (+∞).
    public var isTimeToTarget: Bool {
        switch self {
        case .secondsToHardTarget, .passesToHardTarget, .epochsToHardTarget,
            .secondsToEasyTarget, .passesToEasyTarget, .epochsToEasyTarget:
            true
        default: false
        }
    }

    /// The other measures of the same target (seconds, passes, epochs to the hard or the easy target);
    /// empty for endpoints that are not a time to a target.
    public var sameTarget: [Endpoint] {
        let hard: [Endpoint] = [.secondsToHardTarget, .passesToHardTarget, .epochsToHardTarget]
        let easy: [Endpoint] = [.secondsToEasyTarget, .passesToEasyTarget, .epochsToEasyTarget]
        if hard.contains(self) { return hard.filter { $0 != self } }
        if easy.contains(self) { return easy.filter { $0 != self } }
        return []
    }

    /// The label used in tables and figures.
    public var label: String {
        switch self {
        case .secondsToHardTarget: "seconds to hard target"
        case .passesToHardTarget: "passes to hard target"
        case .epochsToHardTarget: "epochs to hard target"
        case .secondsToEasyTarget: "seconds to easy target"
        case .passesToEasyTarget: "passes to easy target"
        case .epochsToEasyTarget: "epochs to easy target"
        case .testAccuracy: "test accuracy"
        case .testF1: "test macro-F1"
        case .testAUC: "test ROC-AUC"
        case .bestValidationLoss: "best validation loss"
        case .finalValidationLoss: "final validation loss"
        case .trainLossVariance: "training-loss variance"
        case .validationLossVariance: "validation-loss variance"
        case .rateAdjustments: "learning-rate adjustments"
        case .rateAdjustmentMagnitude: "mean adjustment |Δ ln η|"
        }
    }

    /// Declaration order, so tables list endpoints the same way every time.
    public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// Which values of an endpoint are better.
public enum EndpointDirection: String, Codable, Sendable {
    case lowerIsBetter
    case higherIsBetter
    /// Neither (counts of rate adjustments): summarised, never called better or worse.
    case descriptive
}
