import Foundation
import Glidepath

/// The one-line JSON result of `glidepath train --json`: the last line on standard output.
///
/// Keys are exactly these, sorted; a value that does not apply is an explicit `null` (never a missing
/// key): `testAUC` on a task with more than two classes, `epochsToTarget` and `secondsToTarget` when the
/// target was not set or not reached. A non-finite loss (a diverged run) is written as the string
/// `"NaN"`, `"Infinity"` or `"-Infinity"`, like every JSON the lab writes (``StateCoding``).
public struct RunResultRecord: Sendable, Equatable, Codable {
    public var runId: String
    public var task: TrainingTask
    public var scheduler: String
    public var seed: UInt64
    /// Epochs actually trained (fewer than configured when the run diverged or was stopped).
    public var epochs: Int
    /// `completed` or `diverged`.
    public var status: RunStatus
    public var testLoss: Double
    public var testAccuracy: Double
    /// Macro-averaged F1 on the test split.
    public var testF1: Double
    /// ROC-AUC on the test split for binary tasks, else `nil`.
    public var testAUC: Double?
    public var bestValLoss: Double
    public var epochsToTarget: Int?
    public var secondsToTarget: Double?
    /// Training seconds, evaluation excluded.
    public var trainSeconds: Double
    /// Seconds spent evaluating (validation and test), recorded separately.
    public var evaluationSeconds: Double

    public init(
        runId: String, task: TrainingTask, scheduler: String, seed: UInt64, epochs: Int, status: RunStatus,
        testLoss: Double, testAccuracy: Double, testF1: Double, testAUC: Double?, bestValLoss: Double,
        epochsToTarget: Int?, secondsToTarget: Double?, trainSeconds: Double, evaluationSeconds: Double
    ) {
        self.runId = runId
        self.task = task
        self.scheduler = scheduler
        self.seed = seed
        self.epochs = epochs
        self.status = status
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.testF1 = testF1
        self.testAUC = testAUC
        self.bestValLoss = bestValLoss
        self.epochsToTarget = epochsToTarget
        self.secondsToTarget = secondsToTarget
        self.trainSeconds = trainSeconds
        self.evaluationSeconds = evaluationSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case runId, task, scheduler, seed, epochs, status, testLoss, testAccuracy, testF1, testAUC
        case bestValLoss, epochsToTarget, secondsToTarget, trainSeconds, evaluationSeconds
    }

    public func encode(to encoder: any Encoder) throws {
        // Written by hand so absent values are explicit nulls: the synthesized encoder omits nil keys.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runId, forKey: .runId)
        try container.encode(task, forKey: .task)
        try container.encode(scheduler, forKey: .scheduler)
        try container.encode(seed, forKey: .seed)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(status, forKey: .status)
        try container.encode(testLoss, forKey: .testLoss)
        try container.encode(testAccuracy, forKey: .testAccuracy)
        try container.encode(testF1, forKey: .testF1)
        try container.encode(testAUC, forKey: .testAUC)
        try container.encode(bestValLoss, forKey: .bestValLoss)
        try container.encode(epochsToTarget, forKey: .epochsToTarget)
        try container.encode(secondsToTarget, forKey: .secondsToTarget)
        try container.encode(trainSeconds, forKey: .trainSeconds)
        try container.encode(evaluationSeconds, forKey: .evaluationSeconds)
    }

    /// The record as one line of JSON with sorted keys.
    public func jsonLine() -> String {
        // Every field is a plain value and non-finite doubles have a string form, so encoding cannot fail.
        guard let data = try? StateCoding.encoder().encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
