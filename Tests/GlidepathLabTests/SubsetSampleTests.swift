import Foundation
import GlidepathData
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `SubsetSample` (the seeded stratified `--train-limit` / `--eval-limit` subsets) and how runs record it.
@Suite("Subset sample")
struct SubsetSampleTests {
    /// Hand-computed quotas (largest remainder, `docs/tasks.md`): 6 zeros and 4 ones, N = 5 →
    /// 5·6/10 = 3 and 5·4/10 = 2 exactly; three singleton classes, N = 2 → every remainder is 2·1 mod 3 = 2,
    /// the tie goes to the smaller labels 0 and 1.
    @Test func quotasFollowTheLargestRemainder() {
        let labels: [Int32] = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
        let sample = SubsetSample.indices(labels: labels, limit: 5, seed: 7, part: .test)
        #expect(sample.filter { labels[$0] == 0 }.count == 3 && sample.filter { labels[$0] == 1 }.count == 2)
        let singletons = SubsetSample.indices(labels: [2, 0, 1], limit: 2, seed: 7, part: .test)
        #expect(singletons == [1, 2])
        #expect(SubsetSample.indices(labels: labels, limit: 10, seed: 7, part: .test) == Array(0..<10))
        #expect(SubsetSample.indices(labels: labels, limit: 99, seed: 7, part: .test) == Array(0..<10))
    }

    /// Over a seeded sweep of label sets (sorted by class, like IMDB's files) and limits: N distinct
    /// indices, ascending, each class within one of its proportional share N·n_c/n, the same for the same
    /// seed and part.
    @Test func sampleIsStratifiedAndSeeded() {
        var draws = Xoshiro256StarStar(seed: 12)
        for _ in 0..<200 {
            let classes = 1 + draws.uniform(below: 5)
            var labels: [Int32] = []
            for label in 0..<classes { labels += Array(repeating: Int32(label), count: 1 + draws.uniform(below: 60)) }
            let limit = 1 + draws.uniform(below: labels.count)
            let seed = draws.next()
            let sample = SubsetSample.indices(labels: labels, limit: limit, seed: seed, part: .validation)
            #expect(sample.count == min(limit, labels.count))
            #expect(zip(sample, sample.dropFirst()).allSatisfy { $0 < $1 })
            for label in 0..<classes {
                let share = Double(limit * labels.filter { $0 == Int32(label) }.count) / Double(labels.count)
                let taken = Double(sample.filter { labels[$0] == Int32(label) }.count)
                #expect(abs(taken - share) < 1, "class \(label): \(taken) of share \(share)")
            }
            #expect(sample == SubsetSample.indices(labels: labels, limit: limit, seed: seed, part: .validation))
        }
        // Another seed or part draws another sample (500 of 2 × 12,500 sorted labels, IMDB's test shape).
        let sorted = [Int32](repeating: 0, count: 12_500) + [Int32](repeating: 1, count: 12_500)
        let base = SubsetSample.indices(labels: sorted, limit: 500, seed: 0, part: .test)
        #expect(base != SubsetSample.indices(labels: sorted, limit: 500, seed: 1, part: .test))
        #expect(base != SubsetSample.indices(labels: sorted, limit: 500, seed: 0, part: .validation))
        #expect(base.filter { sorted[$0] == 1 }.count == 250)
    }

    /// A new limited run records `stratified`; one without limits records nothing; a configuration
    /// recorded before sampling (no field) keeps the first N; a sampling without a limit is refused.
    @Test func configurationRecordsTheSampling() throws {
        func configuration(training: Int? = nil, evaluation: Int? = nil, sampling: SubsetSampling? = nil)
            -> RunConfiguration
        {
            RunConfiguration(
                task: .adultMLP, scheduler: "constant", schedulerConfiguration: .null, seed: 3,
                dataDirectory: "/data", threads: 1, trainingLimit: training, evaluationLimit: evaluation,
                subsetSampling: sampling)
        }
        let limited = configuration(evaluation: 50)
        #expect(limited.subsetSampling == .stratified && limited.effectiveSubsetSampling == .stratified)
        #expect(configuration(training: 100).subsetSampling == .stratified)
        #expect(try limited.json().contains("\"subsetSampling\":\"stratified\""))
        #expect(configuration().subsetSampling == nil && configuration().effectiveSubsetSampling == .first)
        #expect(configuration(training: 100, sampling: .first).effectiveSubsetSampling == .first)
        let old = try limited.json().replacingOccurrences(of: ",\"subsetSampling\":\"stratified\"", with: "")
        #expect(!old.contains("subsetSampling"))
        #expect(try RunConfiguration.decode(json: old).effectiveSubsetSampling == .first)
        var wrong = configuration()
        wrong.subsetSampling = .stratified
        #expect(throws: TaskError.self) { try wrong.validate() }
    }

    /// The regression of issue 12 item 3: IMDB's files are sorted by label and every part keeps file order,
    /// so the first 2,250 training reviews, and the first 200 validation and test reviews, are each one
    /// class. The stratified subsets hold both classes in proportion: the test set is balanced (12,500 +
    /// 12,500, quotas 200·½ = 100 each); the training and validation parts within one of their shares.
    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func limitedIMDBSeesBothClasses() throws {
        let directory = try TestEnvironment.requireDataDirectory().path
        let cache = TaskDataCache(capacity: 1)
        let whole = try cache.load(task: .imdbBiLSTM, dataDirectory: directory)
        for part in [whole.train, whole.validation, whole.test] {
            #expect(Set(part.labels.prefix(200)).count == 1, "a part's first 200 reviews are one class")
        }
        let configuration = RunConfiguration(
            task: .imdbBiLSTM, scheduler: "constant", schedulerConfiguration: .null, seed: 4,
            dataDirectory: directory, threads: 1, trainingLimit: 2250, evaluationLimit: 200)
        #expect(configuration.effectiveSubsetSampling == .stratified)
        let sampled = try cache.load(for: configuration)
        #expect(sampled.train.count == 2250 && sampled.test.count == 200 && sampled.validation.count == 200)
        #expect(sampled.test.labels.filter { $0 == 0 }.count == 100)
        for (limited, all) in [(sampled.train, whole.train), (sampled.validation, whole.validation)] {
            let share = Double(limited.count * all.labels.filter { $0 == 1 }.count) / Double(all.count)
            #expect(abs(Double(limited.labels.filter { $0 == 1 }.count) - share) < 1)
        }
        // The subset depends on the split seed only: another run seed sees the same examples.
        var other = configuration
        other.seed = 9
        #expect(
            try TaskData.load(
                task: .imdbBiLSTM, dataDirectory: directory, trainingLimit: 2250, evaluationLimit: 200,
                textPadding: .longestInBatch, sampling: .stratified
            ).test.labels == sampled.test.labels)
        #expect(try cache.load(for: other).train.labels == sampled.train.labels)
    }
}
