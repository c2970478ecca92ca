import Foundation
import GlidepathData
import GlidepathTestSupport
import Testing

/// IMDB, SST-2 and Adult from the data directory; expected numbers are `shared/data/README.md`'s.
@Suite("Real text and tabular datasets", .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
struct RealTextDataTests {
    @Test func imdb() throws {
        let directory = try TestEnvironment.requireDataDirectory().appendingPathComponent("imdb").path
        for split in Split.allCases {
            let dataset = try IMDB.load(split, from: IMDB.locate(split, in: directory))
            // README: "25,000 / 25,000 (12,500 pos / 12,500 neg each)"; ratings are checked by the reader.
            #expect(dataset.classCounts() == [12_500, 12_500], "\(split)")
            #expect(dataset.texts.contains { $0.contains("<br />") })  // README: text still contains <br /> tags
        }
    }

    @Test func imdbPipeline() throws {
        let directory = try TestEnvironment.requireDataDirectory().appendingPathComponent("imdb").path
        let train = try IMDB.load(.train, from: IMDB.locate(.train, in: directory))
        let options = try TextPipeline.Options(maximumVocabularySize: 20_000, minimumFrequency: 2, maximumLength: 256)
        let pipeline = try TextPipeline.fit(trainingTexts: train.texts, options: options)
        #expect(pipeline.vocabulary.count == 20_000)
        #expect(!pipeline.vocabulary.tokens.contains("br"))  // markup removed before counting
        #expect(pipeline.vocabulary.tokens[2] == "the")  // the most frequent English word
        let encoded = pipeline.encode(Array(train.texts.prefix(100)))
        #expect(encoded.lengths.allSatisfy { $0 > 0 && $0 <= 256 })
    }

    @Test func sst2() throws {
        let directory = try TestEnvironment.requireDataDirectory().appendingPathComponent("sst2").path
        for format in SST2.Format.allCases {
            let train = try SST2.load(.train, from: directory, format: format)
            let test = try SST2.load(.test, from: directory, format: format)
            // README: "SST-2 train 37,569 positive / 29,780 negative; dev 444 / 428".
            #expect(train.classCounts() == [29_780, 37_569], "\(format)")
            #expect(test.classCounts() == [428, 444], "\(format)")
        }
        #expect(try SST2.load(.train, from: directory, format: .tsv) == SST2.load(.train, from: directory, format: .jsonLines))
        // README: "+1,821 unlabelled test".
        #expect(try SST2.loadUnlabelledTest(from: directory).count == 1_821)
    }

    @Test func adult() throws {
        let directory = try TestEnvironment.requireDataDirectory().appendingPathComponent("adult").path
        let (train, test, encoder) = try Adult.load(from: directory)
        // README: "Adult train 24,720 <=50K / 7,841 >50K; test 12,435 / 3,846".
        #expect(train.classCounts() == [24_720, 7_841])
        #expect(test.classCounts() == [12_435, 3_846])
        // README: "? for missing values (2,399 and 1,221 rows)".
        let rawTrain = try Adult.read(.train, from: directory)
        let rawTest = try Adult.read(.test, from: directory)
        #expect(rawTrain.filter { $0.categorical.contains(nil) }.count == 2_399)
        #expect(rawTest.filter { $0.categorical.contains(nil) }.count == 1_221)
        // Standardised training columns have mean 0 and population variance 1 (by construction).
        let width = train.featureCount
        for column in 0..<Adult.numericNames.count {
            let values = (0..<train.count).map { Double(train.features[$0 * width + column]) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            expectClose(mean, 0, absoluteTolerance: 1e-5)
            expectClose(variance, 1, absoluteTolerance: 1e-4)
        }
        #expect(encoder.categories[0].contains("?"))
    }
}
