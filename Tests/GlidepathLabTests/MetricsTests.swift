import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Classification metrics")
struct ClassificationMetricsTests {
    @Test("three classes: accuracy, per-class and macro precision/recall/F1 by hand")
    func threeClasses() throws {
        // truth       0 0 0 1 1 2 2 2 2 0
        // prediction  0 0 1 1 2 2 2 0 2 0
        // class 0: TP 3 (idx 0,1,9), FN 1 (idx 2→1), FP 1 (idx 7: 2→0)
        // class 1: TP 1 (idx 3),     FN 1 (idx 4→2), FP 1 (idx 2: 0→1)
        // class 2: TP 3 (idx 5,6,8), FN 1 (idx 7→0), FP 1 (idx 4: 1→2)
        let matrix = try ConfusionMatrix(
            classCount: 3, truth: [0, 0, 0, 1, 1, 2, 2, 2, 2, 0],
            predictions: [0, 0, 1, 1, 2, 2, 2, 0, 2, 0])
        #expect(try matrix.accuracy() == 0.7)  // (3 + 1 + 3) / 10
        #expect(matrix.precision(of: 0) == 0.75)  // 3 / (3 + 1)
        #expect(matrix.precision(of: 1) == 0.5)  // 1 / (1 + 1)
        #expect(matrix.recall(of: 2) == 0.75)  // 3 / (3 + 1)
        #expect(matrix.f1(of: 0) == 0.75)  // 2·3 / (2·3 + 1 + 1)
        #expect(matrix.f1(of: 1) == 0.5)  // 2·1 / (2·1 + 1 + 1)
        expectClose(try matrix.macroF1(), 2.0 / 3.0, relativeTolerance: 1e-15)  // (0.75 + 0.5 + 0.75) / 3
        expectClose(try matrix.macroPrecision(), 2.0 / 3.0, relativeTolerance: 1e-15)
        expectClose(try matrix.macroRecall(), 2.0 / 3.0, relativeTolerance: 1e-15)
    }

    @Test("binary: positive-class scores and macro-F1 by hand")
    func binary() throws {
        // truth 1 1 1 0 0 0 0 1, prediction 1 0 1 1 0 0 0 0
        // class 1: TP 2 (idx 0,2), FN 2 (idx 1,7), FP 1 (idx 3)  → P 2/3, R 1/2, F1 4/7
        // class 0: TP 3 (idx 4,5,6), FN 1 (idx 3), FP 2 (idx 1,7) → F1 6/9
        let matrix = try ConfusionMatrix(
            classCount: 2, truth: [1, 1, 1, 0, 0, 0, 0, 1],
            predictions: [1, 0, 1, 1, 0, 0, 0, 0])
        let scores = try BinaryClassificationScores(matrix)
        expectClose(scores.precision, 2.0 / 3.0, relativeTolerance: 1e-15)
        #expect(scores.recall == 0.5)
        expectClose(scores.f1, 4.0 / 7.0, relativeTolerance: 1e-15)  // also 2PR/(P+R) = (2/3)/(7/6)
        expectClose(try matrix.macroF1(), 13.0 / 21.0, relativeTolerance: 1e-15)  // (4/7 + 2/3) / 2
        #expect(try matrix.accuracy() == 0.625)  // 5 / 8
        let negative = try BinaryClassificationScores(matrix, positiveClass: 0)
        #expect(negative.precision == 0.6)  // 3 / 5
        #expect(negative.recall == 0.75)  // 3 / 4
    }

    @Test("zero division gives 0 as scikit-learn's default, and macro averages skip absent classes")
    func zeroDivision() throws {
        // Class 2 occurs but is never predicted: precision 0/0 → 0, recall 0/2, F1 0/(0+0+2).
        // Class 1: TP 1, FP 2, FN 0 → F1 2/(2+2) = 0.5. Class 0: F1 1. Macro over {0,1,2} = 1.5 / 3.
        let truth = [0, 1, 2, 2]
        let predictions = [0, 1, 1, 1]
        let three = try ConfusionMatrix(classCount: 3, truth: truth, predictions: predictions)
        #expect(three.precision(of: 2) == 0)
        #expect(three.recall(of: 2) == 0)
        #expect(try three.macroF1() == 0.5)
        // A fourth class in neither truth nor predictions is not averaged (scikit-learn's labels are
        // unique_labels(y_true, y_pred)), so the macro-F1 stays 0.5 rather than 1.5 / 4.
        let four = try ConfusionMatrix(classCount: 4, truth: truth, predictions: predictions)
        #expect(four.presentClasses == [0, 1, 2])
        #expect(try four.macroF1() == 0.5)
        // A class only predicted: recall 0/0 → 0, precision 0/1, F1 0/(0+1+0) = 0.
        // Class 0: TP 1, FN 1 → F1 2/3; class 1: F1 1. Macro = (2/3 + 1 + 0) / 3 = 5/9.
        let predictedOnly = try ConfusionMatrix(classCount: 3, truth: [0, 0, 1], predictions: [0, 2, 1])
        #expect(predictedOnly.recall(of: 2) == 0)
        expectClose(try predictedOnly.macroF1(), 5.0 / 9.0, relativeTolerance: 1e-15)
        // Binary with the positive class nowhere: precision, recall and F1 all zero divisions → 0.
        let noPositives = try BinaryClassificationScores(
            ConfusionMatrix(classCount: 2, truth: [0, 0], predictions: [0, 0]))
        #expect(noPositives == BinaryClassificationScores(precision: 0, recall: 0, f1: 0))
    }

    @Test("invalid input is rejected with a typed error, and a rejected batch counts nothing")
    func invalidInput() throws {
        #expect(throws: MetricsError.invalidValue(name: "classCount", value: "1", reason: "needs at least 2 classes")) {
            try ConfusionMatrix(classCount: 1)
        }
        #expect(
            throws: MetricsError.lengthMismatch(first: "truth", firstCount: 2, second: "predictions", secondCount: 1)
        ) {
            try ConfusionMatrix(classCount: 2, truth: [0, 1], predictions: [0])
        }
        var matrix = try ConfusionMatrix(classCount: 2, truth: [0, 1], predictions: [0, 1])
        #expect(throws: MetricsError.labelOutOfRange(name: "predictions", index: 1, label: 2, classCount: 2)) {
            try matrix.add(truth: [1, 1], predictions: [1, 2])
        }
        #expect(matrix.sampleCount == 2)
        #expect(throws: MetricsError.empty(name: "confusion matrix")) { try ConfusionMatrix(classCount: 2).accuracy() }
        #expect(throws: MetricsError.self) { try BinaryClassificationScores(ConfusionMatrix(classCount: 3)) }
    }
}

@Suite("ROC-AUC")
struct ROCAUCTests {
    @Test("no ties: scikit-learn's documented example")
    func noTies() throws {
        // Positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4.
        #expect(try ROCAUC.compute(truth: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]) == 0.75)
    }

    @Test("ties count one half per tied pair")
    func ties() throws {
        // Positives 0.5, 0.9, 0.2; negatives 0.5, 0.2. Pairs: (0.5,0.5) ½, (0.5,0.2) 1, (0.9,·) 1+1,
        // (0.2,0.5) 0, (0.2,0.2) ½ → 4 of 6. Mid-ranks: R₊ = 1.5 + 3.5 + 5 = 10, U = 10 − 3·4/2 = 4.
        expectClose(
            try ROCAUC.compute(truth: [0, 1, 0, 1, 1], scores: [0.5, 0.5, 0.2, 0.9, 0.2]), 2.0 / 3.0,
            relativeTolerance: 1e-15)
        // All scores equal: every pair is a tie → ½.
        #expect(try ROCAUC.compute(truth: [1, 0, 1, 0, 0], scores: [3, 3, 3, 3, 3]) == 0.5)
        // Perfect and inverted rankings.
        #expect(try ROCAUC.compute(truth: [0, 0, 1], scores: [0.1, 0.2, 0.3]) == 1)
        #expect(try ROCAUC.compute(truth: [1, 1, 0], scores: [0.1, 0.2, 0.3]) == 0)
    }

    @Test("equals the brute-force pairwise Mann–Whitney count on 300 seeded random cases with ties")
    func bruteForce() throws {
        var generator = SplitMix64(seed: 20_261_123)
        for _ in 0..<300 {
            let count = Int.random(in: 2...60, using: &generator)
            let levels = Int.random(in: 1...8, using: &generator)  // few score levels → many ties
            var truth = (0..<count).map { _ in Int.random(in: 0...1, using: &generator) }
            truth[0] = 0
            truth[1] = 1
            let scores = (0..<count).map { _ in Double(Int.random(in: 0..<levels, using: &generator)) / 7 }
            // Doubled pairwise count: 2 per won pair, 1 per tie; the same single division as the code.
            var doubled = 0
            var positives = 0
            for i in 0..<count where truth[i] == 1 {
                positives += 1
                for j in 0..<count where truth[j] == 0 {
                    doubled += scores[i] > scores[j] ? 2 : (scores[i] == scores[j] ? 1 : 0)
                }
            }
            let expected = Double(doubled) / (2 * Double(positives) * Double(count - positives))
            #expect(try ROCAUC.compute(truth: truth, scores: scores) == expected)
        }
    }

    @Test("undefined or invalid input throws")
    func invalid() {
        #expect(throws: MetricsError.singleClass(presentLabel: 1)) {
            try ROCAUC.compute(truth: [1, 1], scores: [0.1, 0.2])
        }
        #expect(throws: MetricsError.singleClass(presentLabel: 0)) { try ROCAUC.compute(truth: [0], scores: [0.1]) }
        #expect(throws: MetricsError.nonFinite(name: "scores", index: 1, value: .infinity)) {
            try ROCAUC.compute(truth: [0, 1], scores: [0.1, .infinity])
        }
        #expect(throws: MetricsError.labelOutOfRange(name: "truth", index: 0, label: 2, classCount: 2)) {
            try ROCAUC.compute(truth: [2, 1], scores: [0.1, 0.2])
        }
        #expect(throws: MetricsError.empty(name: "truth")) { try ROCAUC.compute(truth: [], scores: []) }
    }
}
