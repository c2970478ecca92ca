import Foundation
import GlidepathData
import GlidepathTestSupport
import Testing

/// IMDB, SST-2 and Adult from the data directory; expected numbers are `docs/data.md`'s ("Reference counts").
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
        #expect(
            try SST2.load(.train, from: directory, format: .tsv)
                == SST2.load(.train, from: directory, format: .jsonLines))
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

/// The fetch path with real files: the data directory serves as a local mirror, so the published
/// checksums in the catalog are checked against the real bytes.
@Suite(
    "Fetching real files from a local mirror",
    .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
struct RealFetchTests {
    @Test(arguments: [DatasetName.mnist, .adult])
    func fetchFromLocalMirrorVerifiesCanonicalChecksums(name: DatasetName) throws {
        let mirror = try TestEnvironment.requireDataDirectory().appendingPathComponent(name.rawValue).path
        let target = try Fixtures.temporaryDirectory("fetch\(name.rawValue)")
        let fetched = try DatasetFetcher().fetch(name, into: target, mirror: mirror)
        #expect(fetched.count == DatasetCatalog.entry(name).downloads.count)
        #expect(fetched.allSatisfy { if case .downloaded = $0.outcome { true } else { false } })
        #expect(DatasetInspector.verify(name, directory: target).passed)
        try? FileManager.default.removeItem(atPath: target)
    }

    /// GLUE's zip layout rebuilt from the real TSVs (a zip of SST-2/{train,dev,test}.tsv): extraction
    /// checks each TSV against torchtext's published MD5 (`_EXTRACTED_FILES_MD5`).
    @Test func sst2ZipExtractionChecksPublishedChecksums() throws {
        let source = try TestEnvironment.requireDataDirectory().appendingPathComponent("sst2").path
        var members: [(name: String, content: [UInt8], deflate: Bool)] = []
        for name in ["train", "dev", "test"] {
            members.append(
                ("SST-2/\(name).tsv", try FileAccess.readContent(at: "\(source)/glue_sst2_\(name).tsv.gz"), true))
        }
        let target = try Fixtures.temporaryDirectory("sst2zip")
        let zip = Fixtures.path(target, "SST-2.zip")
        try Fixtures.write(Fixtures.zip(members), to: zip)
        try DatasetFetcher().extractSST2(zip: zip, into: target)
        let train = try SST2.load(.train, from: target)
        #expect(train.classCounts() == [29_780, 37_569])  // README
        // A tampered TSV is refused.
        members[1].content[20] ^= 0x20
        try Fixtures.write(Fixtures.zip(members), to: zip)
        do {
            try DatasetFetcher().extractSST2(zip: zip, into: target)
            Issue.record("a dev.tsv with the wrong checksum was extracted")
        } catch {
            guard case .checksumMismatch = error.problem else { Issue.record("\(error)"); return }
            #expect(error.location == .member("SST-2/dev.tsv", byteOffset: nil))
        }
        try? FileManager.default.removeItem(atPath: target)
    }
}
