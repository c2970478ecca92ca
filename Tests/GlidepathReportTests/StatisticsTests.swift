import GlidepathTestSupport
import Testing

@testable import GlidepathReport

/// Every estimator against `Fixtures/report-statistics.json` (generator: `scripts/fixtures/report_statistics.py`,
/// numpy + scipy; each case's oracle is named in the generator's docstring).
@Suite("Report statistics against SciPy / hand-computed fixtures")
struct StatisticsTests {
    let fixture: StatisticsFixture

    init() throws { fixture = try StatisticsFixture.load() }

    @Test("mean, sample sd and median match numpy")
    func summaries() {
        for item in fixture.summaries {
            let summary = Summary(item.values)
            expectClose(summary.mean ?? .nan, item.mean, relativeTolerance: 1e-14)
            expectClose(summary.median ?? .nan, item.median, relativeTolerance: 1e-14)
            if let sd = item.sd {
                expectClose(summary.standardDeviation ?? .nan, sd, relativeTolerance: 1e-12)
            } else {
                #expect(summary.standardDeviation == nil)
            }
        }
    }

    @Test("a miss makes the mean +∞ and the sd undefined; the median survives fewer than half misses")
    func summaryWithMisses() {
        // Hand-computed: sorted [1, 2, 3, ∞, ∞]: median 3; sorted [1, 2, ∞, ∞]: (2 + ∞)/2 = ∞.
        let summary = Summary([3, .infinity, 1, 2, .infinity])
        #expect(summary.mean == .infinity)
        #expect(summary.standardDeviation == nil)
        #expect(summary.median == 3)
        #expect(summary.finiteCount == 3 && summary.count == 5)
        #expect(Summary([1, 2, .infinity, .infinity]).median == .infinity)
    }

    @Test("exact Wilcoxon signed-rank p and statistic match scipy.stats.wilcoxon (zeros dropped, ties by midranks)")
    func wilcoxon() throws {
        #expect(fixture.wilcoxon.count > 40)
        for item in fixture.wilcoxon {
            let test = try WilcoxonSignedRank(differences: item.differences)
            expectClose(test.pValue, item.pValue, relativeTolerance: 1e-9, "\(item.differences) (\(item.method))")
            expectClose(test.statistic, item.statistic, absoluteTolerance: 1e-12)
            expectClose(test.positiveRankSum, item.positiveRankSum, absoluteTolerance: 1e-12)
        }
    }

    @Test("no non-zero difference gives p = 1; an infinite difference ranks above every finite one")
    func wilcoxonEdges() throws {
        #expect(try WilcoxonSignedRank(differences: [0, 0, 0]).pValue == 1)
        // [∞, 1, 2, 3, 4] all positive: T⁺ = 15, the most extreme of 2⁵ patterns: p = 2/32.
        let test = try WilcoxonSignedRank(differences: [.infinity, 1, 2, 3, 4])
        #expect(test.pValue == 0.0625 && test.positiveRankSum == 15)
        #expect(throws: ReportError.self) { try WilcoxonSignedRank(differences: [.nan]) }
    }

    @Test("smallest attainable p is 2^(1−n): scipy's p for n same-signed distinct differences")
    func smallestAttainable() {
        for item in fixture.smallestPValue {
            expectClose(
                WilcoxonSignedRank.smallestAttainablePValue(count: item.count), item.pValue, relativeTolerance: 1e-12)
        }
        // The table: 0.0625 at n = 5, 0.031 at n = 6, 0.0078 at n = 8, 0.002 at n = 10.
        #expect(WilcoxonSignedRank.smallestAttainablePValue(count: 5) == 0.0625)
        #expect(WilcoxonSignedRank.smallestAttainablePValue(count: 0) == 1)
    }

    @Test("Holm adjustment matches statsmodels' step-down formula")
    func holm() throws {
        for item in fixture.holm {
            expectClose(try HolmCorrection.adjust(item.pValues), item.adjusted, relativeTolerance: 1e-12)
        }
        #expect(throws: ReportError.self) { try HolmCorrection.adjust([0.1, 1.5]) }
    }

    @Test("percentile bootstrap matches the re-implemented generator and numpy.quantile")
    func bootstrap() throws {
        for item in fixture.bootstrap {
            let statistic = try #require(PercentileBootstrap.Statistic(rawValue: item.statistic))
            let interval = try PercentileBootstrap.interval(
                item.values, statistic: statistic, resamples: item.resamples,
                seed: item.seed)
            expectClose(interval.lower, item.lower, relativeTolerance: 1e-12)
            expectClose(interval.upper, item.upper, relativeTolerance: 1e-12)
        }
    }

    @Test("the bootstrap is deterministic under its seed and brackets the statistic")
    func bootstrapProperties() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<20 {
            let values = (0..<8).map { _ in Double(generator.next() % 1000) / 1000 }
            let a = try PercentileBootstrap.interval(values, statistic: .mean, resamples: 300, seed: 5)
            let b = try PercentileBootstrap.interval(values, statistic: .mean, resamples: 300, seed: 5)
            #expect(a == b)
            #expect(a.lower <= a.upper)
            #expect(a.lower >= values.min() ?? 0 && a.upper <= values.max() ?? 1)
        }
        #expect(throws: ReportError.self) {
            try PercentileBootstrap.interval([], statistic: .mean, resamples: 10, seed: 0)
        }
    }

    @Test("sign-flip test: exact enumeration and sampled p match the generator's fixture")
    func signFlip() throws {
        for item in fixture.signFlip {
            let test = try SignFlipTest(strata: item.strata, resamples: item.resamples, seed: item.seed)
            #expect(test.isExact == item.isExact)
            expectClose(test.statistic, item.statistic, relativeTolerance: 1e-12)
            expectClose(test.pValue, item.pValue, relativeTolerance: 1e-12)
        }
    }

    @Test("normalised delta: symmetric, bounded, ±1 for a one-sided miss, 0 for two misses")
    func normalisedDelta() {
        #expect(SignFlipTest.normalisedDelta(arm: 3, baseline: 1) == 0.5)  // (3 − 1)/(3 + 1)
        #expect(SignFlipTest.normalisedDelta(arm: 1, baseline: 3) == -0.5)
        #expect(SignFlipTest.normalisedDelta(arm: .infinity, baseline: 3) == 1)
        #expect(SignFlipTest.normalisedDelta(arm: 3, baseline: .infinity) == -1)
        #expect(SignFlipTest.normalisedDelta(arm: .infinity, baseline: .infinity) == 0)
        #expect(SignFlipTest.normalisedDelta(arm: 0, baseline: 0) == 0)
    }

    @Test("performance profile ratios and scores match the hand formula (and AlgoPerf's trapezoid to 1e-3)")
    func profiles() throws {
        for item in fixture.profiles {
            let arms = item.times.indices.map { "arm\($0)" }
            let tasks = (item.times.first ?? []).indices.map { "task\($0)" }
            let profile = try PerformanceProfile(arms: arms, tasks: tasks, times: item.times)
            for (row, expected) in zip(profile.ratios, item.ratios) {
                expectClose(row, expected, relativeTolerance: 1e-14)
            }
            expectClose(profile.scores, item.scores, relativeTolerance: 1e-12)
        }
        // ρ is a step function in τ: arm 0 of the first case has ratios [1, 2, 1].
        let profile = try PerformanceProfile(
            arms: ["a", "b"], tasks: ["x", "y", "z"], times: [[1, 2, 1], [1, 1, 1]])
        #expect(profile.fraction(arm: 0, ratio: 1) == 2.0 / 3 && profile.fraction(arm: 0, ratio: 2) == 1)
    }

    @Test("geometric-mean speedup over tasks both reached, one-sided misses counted apart")
    func speedup() {
        // Hand-computed: tasks 0 and 1 reached by both, ratios 2/1 and 2/2 → exp((ln 2 + ln 1)/2) = √2;
        // task 2 only the baseline reached, task 3 only the arm.
        let s = GeometricMeanSpeedup(
            arm: "a", baseline: "b", armTimes: [1, 2, .infinity, 4], baselineTimes: [2, 2, 3, .infinity])
        expectClose(s.speedup ?? .nan, 2.0.squareRoot(), relativeTolerance: 1e-15)
        #expect(s.tasks == 2 && s.armOnly == 1 && s.baselineOnly == 1)
        #expect(GeometricMeanSpeedup(arm: "a", baseline: "b", armTimes: [.infinity], baselineTimes: [1]).speedup == nil)
    }

    @Test("mean ranks match scipy.stats.rankdata(method=average) averaged over tasks")
    func meanRanks() throws {
        for item in fixture.meanRanks {
            let direction = try #require(EndpointDirection(rawValue: item.direction))
            let (ranks, tasks) = MeanRanks.compute(
                values: item.values.map { $0.map { Optional($0) } }, direction: direction)
            #expect(tasks == item.values[0].count)
            expectClose(ranks.map { $0 ?? .nan }, item.meanRanks, relativeTolerance: 1e-14)
        }
    }

    @Test("IQM matches scipy.stats.trim_mean(0.25) (rliable's aggregate_iqm)")
    func iqm() {
        for item in fixture.iqm {
            expectClose(InterquartileMean.of(item.scores) ?? .nan, item.iqm, relativeTolerance: 1e-12)
        }
    }

    @Test("probability of improvement matches rliable's Mann–Whitney form")
    func probability() {
        for item in fixture.probabilityOfImprovement {
            expectClose(
                ProbabilityOfImprovement.of(x: item.x, y: item.y) ?? .nan, item.probability, relativeTolerance: 1e-12)
        }
        // Identical samples: ½ (rliable's special case falls out of the formula).
        #expect(ProbabilityOfImprovement.of(x: [[1, 2, 3]], y: [[1, 2, 3]]) == 0.5)
    }

    @Test("stratified bootstrap intervals of IQM and probability of improvement match the fixture")
    func stratified() throws {
        let iqmCase = fixture.stratifiedIQM
        let iqm = try #require(
            try StratifiedBootstrap.interval(
                iqmCase.strata, resamples: iqmCase.resamples, seed: iqmCase.seed
            ) { InterquartileMean.of(Array($0.joined())) })
        expectClose(iqm.lower, iqmCase.lower, relativeTolerance: 1e-12)
        expectClose(iqm.upper, iqmCase.upper, relativeTolerance: 1e-12)
        let poiCase = fixture.stratifiedProbability
        let poi = try #require(
            try StratifiedBootstrap.interval(
                x: poiCase.x, y: poiCase.y, resamples: poiCase.resamples, seed: poiCase.seed,
                statistic: { ProbabilityOfImprovement.of(x: $0, y: $1) }))
        expectClose(poi.lower, poiCase.lower, relativeTolerance: 1e-12)
        expectClose(poi.upper, poiCase.upper, relativeTolerance: 1e-12)
    }
}
