import Foundation

/// `Fixtures/report-statistics.json`, written by `scripts/fixtures/report_statistics.py` (numpy + scipy).
struct StatisticsFixture: Decodable {
    struct SummaryCase: Decodable { var values: [Double]; var mean: Double; var sd: Double?; var median: Double }
    struct WilcoxonCase: Decodable {
        var differences: [Double]; var method: String; var statistic: Double; var pValue: Double
        var positiveRankSum: Double
    }
    struct SmallestCase: Decodable { var count: Int; var pValue: Double }
    struct HolmCase: Decodable { var pValues: [Double]; var adjusted: [Double] }
    struct BootstrapCase: Decodable {
        var values: [Double]; var statistic: String; var resamples: Int; var seed: UInt64
        var lower: Double; var upper: Double
    }
    struct SignFlipCase: Decodable {
        var strata: [[Double]]; var resamples: Int; var seed: UInt64; var statistic: Double; var pValue: Double
        var isExact: Bool
    }
    struct ProfileCase: Decodable { var times: [[Double]]; var ratios: [[Double]]; var scores: [Double] }
    struct RankCase: Decodable { var values: [[Double]]; var direction: String; var meanRanks: [Double] }
    struct IQMCase: Decodable { var scores: [Double]; var iqm: Double }
    struct ProbabilityCase: Decodable { var x: [[Double]]; var y: [[Double]]; var probability: Double }
    struct StratifiedIQMCase: Decodable {
        var strata: [[Double]]; var resamples: Int; var seed: UInt64; var lower: Double; var upper: Double
    }
    struct StratifiedProbabilityCase: Decodable {
        var x: [[Double]]; var y: [[Double]]; var resamples: Int; var seed: UInt64; var lower: Double
        var upper: Double
    }

    var summaries: [SummaryCase]
    var wilcoxon: [WilcoxonCase]
    var smallestPValue: [SmallestCase]
    var holm: [HolmCase]
    var bootstrap: [BootstrapCase]
    var signFlip: [SignFlipCase]
    var profiles: [ProfileCase]
    var meanRanks: [RankCase]
    var iqm: [IQMCase]
    var probabilityOfImprovement: [ProbabilityCase]
    var stratifiedIQM: StratifiedIQMCase
    var stratifiedProbability: StratifiedProbabilityCase

    static func load() throws -> StatisticsFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/report-statistics.json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(StatisticsFixture.self, from: Data(contentsOf: url))
    }
}
