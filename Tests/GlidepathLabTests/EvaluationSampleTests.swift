import Foundation
import GlidepathData
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `EvaluationSample` (the seeded stratified `--eval-limit` sample) and how runs record and use it.
@Suite("Evaluation sample")
struct EvaluationSampleTests {
    /// Hand-computed quotas (largest remainder, `docs/tasks.md`): 6 zeros and 4 ones, N = 5 →
    /// 5·6/10 = 3 and 5·4/10 = 2 exactly; three singleton classes, N = 2 → every remainder is 2·1 mod 3 = 2,
    /// the tie goes to the smaller labels 0 and 1.
    @Test func quotasFollowTheLargestRemainder() {
        let labels: [Int32] = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
        let sample = EvaluationSample.indices(labels: labels, limit: 5, seed: 7, part: .test)
        #expect(sample.filter { labels[$0] == 0 }.count == 3 && sample.filter { labels[$0] == 1 }.count == 2)
        let singletons = EvaluationSample.indices(labels: [2, 0, 1], limit: 2, seed: 7, part: .test)
        #expect(singletons == [1, 2])
        #expect(EvaluationSample.indices(labels: labels, limit: 10, seed: 7, part: .test) == Array(0..<10))
        #expect(EvaluationSample.indices(labels: labels, limit: 99, seed: 7, part: .test) == Array(0..<10))
    }

    /// Over a seeded sweep of label sets (sorted by class, like IMDB's files) and limits: N distinct
    /// indices, ascending, each class within one of its proportional share N·n_c/n, the same for the same
    /// seed and part, and not the first N.
    @Test func sampleIsStratifiedAndSeeded() {
        var draws = Xoshiro256StarStar(seed: 12)
        for _ in 0..<200 {
            let classes = 1 + draws.uniform(below: 5)
            var labels: [Int32] = []
            for label in 0..<classes { labels += Array(repeating: Int32(label), count: 1 + draws.uniform(below: 60)) }
            let limit = 1 + draws.uniform(below: labels.count)
            let seed = draws.next()
            let sample = EvaluationSample.indices(labels: labels, limit: limit, seed: seed, part: .validation)
            #expect(sample.count == min(limit, labels.count))
            #expect(zip(sample, sample.dropFirst()).allSatisfy { $0 < $1 })
            for label in 0..<classes {
                let share = Double(limit * labels.filter { $0 == Int32(label) }.count) / Double(labels.count)
                let taken = Double(sample.filter { labels[$0] == Int32(label) }.count)
                #expect(abs(taken - share) < 1, "class \(label): \(taken) of share \(share)")
            }
            #expect(sample == EvaluationSample.indices(labels: labels, limit: limit, seed: seed, part: .validation))
        }
        // Another seed or part draws another sample (500 of 2 × 12,500 sorted labels, IMDB's test shape).
        let sorted = [Int32](repeating: 0, count: 12_500) + [Int32](repeating: 1, count: 12_500)
        let base = EvaluationSample.indices(labels: sorted, limit: 500, seed: 0, part: .test)
        #expect(base != EvaluationSample.indices(labels: sorted, limit: 500, seed: 1, part: .test))
        #expect(base != EvaluationSample.indices(labels: sorted, limit: 500, seed: 0, part: .validation))
        #expect(base.filter { sorted[$0] == 1 }.count == 250)
    }

    /// A new limited run records `stratified`; a configuration recorded before sampling (no field) is file
    /// order; file order is recorded as the field's absence; a sampling without a limit is refused.
    @Test func configurationRecordsTheSampling() throws {
        func configuration(limit: Int?, sampling: EvaluationSampling? = nil) -> RunConfiguration {
            RunConfiguration(
                task: .adultMLP, scheduler: "constant", schedulerConfiguration: .null, seed: 3,
                dataDirectory: "/data", threads: 1, evaluationLimit: limit, evaluationSampling: sampling)
        }
        let limited = configuration(limit: 50)
        #expect(limited.evaluationSampling == .stratified && limited.effectiveEvaluationSampling == .stratified)
        #expect(try limited.json().contains("\"evaluationSampling\":\"stratified\""))
        #expect(configuration(limit: nil).evaluationSampling == nil)
        let fileOrder = configuration(limit: 50, sampling: .fileOrder)
        #expect(fileOrder.evaluationSampling == nil && fileOrder.effectiveEvaluationSampling == .fileOrder)
        let old = try limited.json().replacingOccurrences(of: ",\"evaluationSampling\":\"stratified\"", with: "")
        #expect(!old.contains("evaluationSampling"))
        #expect(try RunConfiguration.decode(json: old).effectiveEvaluationSampling == .fileOrder)
        var wrong = configuration(limit: nil)
        wrong.evaluationSampling = .stratified
        #expect(throws: TaskError.self) { try wrong.validate() }
    }

    /// The regression of issue 12 item 3: IMDB's test files (and its validation part, kept in file order)
    /// are sorted by label, so the first 200 of each are one class; the stratified sample of 200 holds
    /// 100 of each class (IMDB's test set is balanced, 12,500 + 12,500 reviews: quotas 200·½ = 100).
    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func limitedIMDBEvaluationSeesBothClasses() throws {
        let directory = try TestEnvironment.requireDataDirectory().path
        let cache = TaskDataCache(capacity: 1)
        let configuration = RunConfiguration(
            task: .imdbBiLSTM, scheduler: "constant", schedulerConfiguration: .null, seed: 4,
            dataDirectory: directory, threads: 1, trainingLimit: 64, evaluationLimit: 200)
        #expect(configuration.effectiveEvaluationSampling == .stratified)
        // The whole sets, read once: what a file-order limit of 200 would keep is one class.
        let whole = try cache.load(
            task: .imdbBiLSTM, dataDirectory: directory, trainingLimit: 64,
            textPadding: configuration.effectiveTextBatching?.padding ?? .maximumLength)
        #expect(Set(whole.test.labels.prefix(200)).count == 1, "IMDB's first 200 test reviews are one class")
        #expect(Set(whole.validation.labels.prefix(200)).count == 1, "so are the validation part's")
        let sampled = try cache.load(for: configuration)
        #expect(cache.misses == 1 && cache.hits == 1, "the sample is taken from the cached whole sets")
        #expect(sampled.test.count == 200 && sampled.validation.count == 200)
        #expect(sampled.test.labels.filter { $0 == 0 }.count == 100)
        #expect(sampled.test.labels.filter { $0 == 1 }.count == 100)
        #expect(Set(sampled.validation.labels) == [0, 1])
        // The sample's batches are the whole set's examples at the sampled indices.
        var generator = Xoshiro256StarStar(seed: 0)
        let batch = sampled.test.trainingBatch(at: [0, 1], generator: &generator)
        #expect(batch.labels == Array(sampled.test.labels.prefix(2)))
    }
}
