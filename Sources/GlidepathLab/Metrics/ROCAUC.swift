/// Area under the ROC curve of a binary classifier's scores, with ties handled exactly.
///
/// The AUC equals the Mann–Whitney U statistic normalised by the number of (positive, negative) pairs:
///
///     AUC = (1 / (n₊·n₋)) · Σ_{i positive} Σ_{j negative} [s_i > s_j] + ½·[s_i = s_j]
///
/// computed in O(n log n) from mid-ranks: sort all scores, give each group of tied scores the average of
/// the ranks it spans, and with R₊ the sum of the positives' ranks,
///
///     U₊ = R₊ − n₊(n₊ + 1)/2,   AUC = U₊ / (n₊·n₋).
///
/// This is the area under the trapezoidal ROC curve through every distinct threshold, which is what
/// scikit-learn's `roc_auc_score` computes (a tie between a positive and a negative becomes a diagonal
/// segment worth ½ per pair).
///
/// Reference: Mann & Whitney, "On a test of whether one of two random variables is stochastically larger
/// than the other", Ann. Math. Statist. 18 (1947); Hanley & McNeil, Radiology 143 (1982), eq. 2.
public enum ROCAUC {
    /// The ROC-AUC of `scores` (higher = more likely positive) against binary `truth` (1 = positive,
    /// 0 = negative).
    ///
    /// - Throws: ``MetricsError/lengthMismatch(first:firstCount:second:secondCount:)``,
    ///   ``MetricsError/empty(name:)``, ``MetricsError/labelOutOfRange(name:index:label:classCount:)`` for a
    ///   label other than 0 or 1, ``MetricsError/nonFinite(name:index:value:)`` for a NaN or infinite score,
    ///   and ``MetricsError/singleClass(presentLabel:)`` when only one class occurs (the AUC is undefined,
    ///   as scikit-learn also refuses).
    public static func compute(truth: [Int], scores: [Double]) throws(MetricsError) -> Double {
        guard truth.count == scores.count else {
            throw .lengthMismatch(first: "truth", firstCount: truth.count, second: "scores", secondCount: scores.count)
        }
        guard !truth.isEmpty else { throw .empty(name: "truth") }
        var positiveCount = 0
        for (index, label) in truth.enumerated() {
            guard label == 0 || label == 1 else {
                throw .labelOutOfRange(name: "truth", index: index, label: label, classCount: 2)
            }
            positiveCount += label
        }
        for (index, score) in scores.enumerated() where !score.isFinite {
            throw .nonFinite(name: "scores", index: index, value: score)
        }
        let negativeCount = truth.count - positiveCount
        guard positiveCount > 0 else { throw .singleClass(presentLabel: 0) }
        guard negativeCount > 0 else { throw .singleClass(presentLabel: 1) }

        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Sum of the positives' mid-ranks, doubled so every rank stays an integer: a tie group spanning
        // 1-based ranks a…b has mid-rank (a+b)/2, i.e. doubled mid-rank a+b.
        var doubledPositiveRankSum = 0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let doubledMidRank = (start + 1) + (end + 1)
            for position in start...end where truth[order[position]] == 1 {
                doubledPositiveRankSum += doubledMidRank
            }
            start = end + 1
        }
        // U₊ = R₊ − n₊(n₊+1)/2, so 2U₊ = 2R₊ − n₊(n₊+1); exact in integers, one division at the end.
        let doubledU = doubledPositiveRankSum - positiveCount * (positiveCount + 1)
        return Double(doubledU) / (2 * Double(positiveCount) * Double(negativeCount))
    }
}
