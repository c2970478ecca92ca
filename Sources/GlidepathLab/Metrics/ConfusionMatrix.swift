/// Counts of (true class, predicted class) pairs, and the classification metrics derived from them:
/// accuracy, and per-class, binary and macro-averaged precision, recall and F1.
///
/// Definitions, for class c with TP_c true positives, FP_c false positives and FN_c false negatives:
///
///     accuracy   = Σ_c TP_c / N
///     precision_c = TP_c / (TP_c + FP_c)
///     recall_c    = TP_c / (TP_c + FN_c)
///     F1_c        = 2·TP_c / (2·TP_c + FP_c + FN_c)   (the harmonic mean of precision and recall)
///
/// **Zero division** follows scikit-learn's default (`zero_division="warn"`, which returns 0):
/// a precision with no predictions of c, a recall with no true c, and an F1 with TP+FP+FN = 0 are 0.
///
/// **Macro averages** follow scikit-learn's `average="macro"` with `labels=None`: the unweighted mean over
/// the classes that occur in the ground truth *or* the predictions. A class that occurs in neither is not
/// averaged (scikit-learn never sees it); a class in the truth but never predicted counts with precision 0.
/// Within that label set F1 is always defined (TP+FP+FN > 0), so macro-F1 never hits a zero division.
///
/// Reference: scikit-learn 1.x `sklearn.metrics.precision_recall_fscore_support`
/// (`_prf_divide`, `labels = unique_labels(y_true, y_pred)`).
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes; labels are `0..<classCount`.
    public let classCount: Int
    /// `counts[t * classCount + p]` = number of samples of true class t predicted as p.
    public private(set) var counts: [Int]

    /// An empty matrix for `classCount` ≥ 2 classes.
    public init(classCount: Int) throws(MetricsError) {
        guard classCount >= 2 else {
            throw .invalidValue(name: "classCount", value: "\(classCount)", reason: "needs at least 2 classes")
        }
        self.classCount = classCount
        self.counts = Array(repeating: 0, count: classCount * classCount)
    }

    /// The matrix of `truth` against `predictions` (equal lengths, labels in `0..<classCount`).
    public init(classCount: Int, truth: [Int], predictions: [Int]) throws(MetricsError) {
        try self.init(classCount: classCount)
        try add(truth: truth, predictions: predictions)
    }

    /// Adds one batch of labelled predictions. Validates the whole batch before counting any of it.
    public mutating func add(truth: [Int], predictions: [Int]) throws(MetricsError) {
        guard truth.count == predictions.count else {
            throw .lengthMismatch(
                first: "truth", firstCount: truth.count,
                second: "predictions", secondCount: predictions.count)
        }
        for (index, label) in truth.enumerated() where !(0..<classCount).contains(label) {
            throw .labelOutOfRange(name: "truth", index: index, label: label, classCount: classCount)
        }
        for (index, label) in predictions.enumerated() where !(0..<classCount).contains(label) {
            throw .labelOutOfRange(name: "predictions", index: index, label: label, classCount: classCount)
        }
        for (trueLabel, predictedLabel) in zip(truth, predictions) {
            counts[trueLabel * classCount + predictedLabel] += 1
        }
    }

    /// Number of samples of true class `truth` predicted as `predicted`.
    public func count(truth: Int, predicted: Int) -> Int {
        counts[truth * classCount + predicted]
    }

    /// Total number of samples counted.
    public var sampleCount: Int { counts.reduce(0, +) }

    /// True positives of class c: samples of class c predicted as c.
    public func truePositives(_ c: Int) -> Int { count(truth: c, predicted: c) }

    /// False positives of class c: samples of another class predicted as c.
    public func falsePositives(_ c: Int) -> Int {
        (0..<classCount).reduce(0) { $0 + ($1 == c ? 0 : count(truth: $1, predicted: c)) }
    }

    /// False negatives of class c: samples of class c predicted as another class.
    public func falseNegatives(_ c: Int) -> Int {
        (0..<classCount).reduce(0) { $0 + ($1 == c ? 0 : count(truth: c, predicted: $1)) }
    }

    /// Fraction of samples predicted correctly, Σ_c TP_c / N.
    ///
    /// - Throws: ``MetricsError/empty(name:)`` when no sample was counted.
    public func accuracy() throws(MetricsError) -> Double {
        let total = sampleCount
        guard total > 0 else { throw .empty(name: "confusion matrix") }
        let correct = (0..<classCount).reduce(0) { $0 + truePositives($1) }
        return Double(correct) / Double(total)
    }

    /// TP_c / (TP_c + FP_c), or 0 when class c was never predicted.
    public func precision(of c: Int) -> Double {
        Self.divide(truePositives(c), truePositives(c) + falsePositives(c))
    }

    /// TP_c / (TP_c + FN_c), or 0 when class c never occurs in the truth.
    public func recall(of c: Int) -> Double {
        Self.divide(truePositives(c), truePositives(c) + falseNegatives(c))
    }

    /// 2·TP_c / (2·TP_c + FP_c + FN_c), or 0 when TP_c + FP_c + FN_c = 0.
    public func f1(of c: Int) -> Double {
        let tp = truePositives(c)
        return Self.divide(2 * tp, 2 * tp + falsePositives(c) + falseNegatives(c))
    }

    /// The classes scikit-learn averages over: those occurring in the truth or the predictions.
    public var presentClasses: [Int] {
        (0..<classCount).filter { c in
            (0..<classCount).contains { count(truth: c, predicted: $0) > 0 || count(truth: $0, predicted: c) > 0 }
        }
    }

    /// Unweighted mean of per-class precision over ``presentClasses``.
    ///
    /// - Throws: ``MetricsError/empty(name:)`` when no sample was counted.
    public func macroPrecision() throws(MetricsError) -> Double { try macro(precision(of:)) }

    /// Unweighted mean of per-class recall over ``presentClasses``.
    public func macroRecall() throws(MetricsError) -> Double { try macro(recall(of:)) }

    /// Unweighted mean of per-class F1 over ``presentClasses`` (scikit-learn `f1_score(average="macro")`).
    public func macroF1() throws(MetricsError) -> Double { try macro(f1(of:)) }

    private func macro(_ metric: (Int) -> Double) throws(MetricsError) -> Double {
        let classes = presentClasses
        guard !classes.isEmpty else { throw .empty(name: "confusion matrix") }
        return classes.reduce(0.0) { $0 + metric($1) } / Double(classes.count)
    }

    private static func divide(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}

/// Binary-classification scores for the positive class (scikit-learn `average="binary"`, `pos_label=1`).
public struct BinaryClassificationScores: Sendable, Equatable {
    public var precision: Double
    public var recall: Double
    public var f1: Double

    /// Scores given directly.
    public init(precision: Double, recall: Double, f1: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }

    /// Precision, recall and F1 of `positiveClass` from a two-class matrix; zero divisions give 0 as in
    /// ``ConfusionMatrix``.
    public init(_ matrix: ConfusionMatrix, positiveClass: Int = 1) throws(MetricsError) {
        guard matrix.classCount == 2 else {
            throw .invalidValue(
                name: "classCount", value: "\(matrix.classCount)",
                reason: "binary scores need exactly 2 classes")
        }
        guard positiveClass == 0 || positiveClass == 1 else {
            throw .invalidValue(name: "positiveClass", value: "\(positiveClass)", reason: "must be 0 or 1")
        }
        precision = matrix.precision(of: positiveClass)
        recall = matrix.recall(of: positiveClass)
        f1 = matrix.f1(of: positiveClass)
    }
}
