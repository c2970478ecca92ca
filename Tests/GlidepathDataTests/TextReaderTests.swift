import Foundation
import GlidepathData
import Testing

@Suite("Text pipeline, IMDB and SST-2 readers on generated fixtures")
struct TextReaderTests {
    @Test func tokenizerRules() {
        let tokenizer = Tokenizer()
        #expect(
            tokenizer.tokens("A GREAT film!<br /><br />Don't miss it... (really)") == [
                "a", "great", "film", "!", "don't", "miss", "it", ".", ".", ".", "(", "really", ")",
            ])
        #expect(tokenizer.tokens("<i>Amélie</i> &amp; co, 10/10") == ["amélie", "&", "co", ",", "10", "/", "10"])
        #expect(tokenizer.tokens("a < b") == ["a", "<", "b"])  // not markup: no letter after '<'
        #expect(tokenizer.tokens("   ").isEmpty)
    }

    @Test func vocabularyFromTrainingOnly() throws {
        let texts = [["b", "a", "c", "a"], ["a", "b", "d"]]  // a:3, b:2, c:1, d:1
        let vocabulary = try Vocabulary(building: texts, maximumSize: nil, minimumFrequency: 1)
        // Specials, then frequency order, ties (c, d) by scalar order.
        #expect(vocabulary.tokens == ["<pad>", "<unk>", "a", "b", "c", "d"])
        let limited = try Vocabulary(building: texts, maximumSize: 3, minimumFrequency: 1)
        #expect(limited.tokens == ["<pad>", "<unk>", "a"])
        let frequent = try Vocabulary(building: texts, maximumSize: nil, minimumFrequency: 2)
        #expect(frequent.tokens == ["<pad>", "<unk>", "a", "b"])
        let encoded = frequent.encode([["a", "z", "b", "a"], [], ["b"]], maximumLength: 3)
        #expect(encoded.tokens == [2, 1, 3, 0, 0, 0, 3, 0, 0])
        #expect(encoded.lengths == [3, 0, 1])
        let tail = frequent.encode([["a", "z", "b", "a"]], maximumLength: 2, truncation: .keepLast)
        #expect(tail.tokens == [3, 2] && tail.lengths == [2])
        #expect(throws: DataError.self) { try Vocabulary(building: texts, maximumSize: 1) }
        // Codable round trip keeps the table.
        let data = try JSONEncoder().encode(vocabulary)
        #expect(try JSONDecoder().decode(Vocabulary.self, from: data) == vocabulary)
    }

    @Test func pipelineUsesTrainingVocabulary() throws {
        let options = try TextPipeline.Options(maximumVocabularySize: 10, minimumFrequency: 1, maximumLength: 4)
        let pipeline = try TextPipeline.fit(trainingTexts: ["good good film", "bad film"], options: options)
        let encoded = pipeline.encode(["Good unseen FILM!"])
        // good:2 → 2, film:2 → 3 (tie with good broken by scalar order: "film" < "good"), so film=2, good=3.
        #expect(pipeline.vocabulary.tokens == ["<pad>", "<unk>", "film", "good", "bad"])
        #expect(encoded.tokens == [3, 1, 2, 1])  // "!" is unseen in training → <unk>
        #expect(encoded.lengths == [4])
    }

    /// Writes aclImdb/{split}/{pos,neg}/ID_RATING.txt files.
    static func writeTree(_ root: String, split: String, reviews: [(folder: String, name: String, text: String)]) throws
    {
        for review in reviews {
            try Fixtures.write(review.text, to: "\(root)/\(split)/\(review.folder)/\(review.name)")
        }
    }

    static let treeReviews: [(folder: String, name: String, text: String)] = [
        ("pos", "10_9.txt", "Great.<br />Loved it"), ("pos", "2_7.txt", "fine film"),
        ("neg", "0_1.txt", "awful"), ("neg", "1_4.txt", "meh"),
    ]

    @Test func imdbTreeArchiveAndJSONLinesAgree() throws {
        let directory = try Fixtures.temporaryDirectory()
        let root = Fixtures.path(directory, "tree/aclImdb")
        try Self.writeTree(root, split: "train", reviews: Self.treeReviews)
        try Fixtures.write("not a review", to: "\(root)/train/unsup/0_0.txt")
        let fromTree = try IMDB.load(.train, from: .tree(root))
        // Positives by ascending id (2, 10), then negatives (0, 1).
        #expect(fromTree.texts == ["fine film", "Great.<br />Loved it", "awful", "meh"])
        #expect(fromTree.labels == [1, 1, 0, 0])

        let members =
            Self.treeReviews.map { (name: "aclImdb/train/\($0.folder)/\($0.name)", content: Array($0.text.utf8)) }
            + [(name: "aclImdb/test/pos/0_8.txt", content: Array("other split".utf8))]
        let archive = Fixtures.path(directory, IMDB.archiveName)
        try Fixtures.write(Gzip.compress(Fixtures.tar(members)), to: archive)
        #expect(try IMDB.load(.train, from: .archive(archive)) == fromTree)

        let lines = [
            #"{"split": "train", "id": 0, "rating": 1, "label": 0, "text": "awful"}"#,
            #"{"split": "train", "id": 10, "rating": 9, "label": 1, "text": "Great.<br />Loved it"}"#,
            #"{"split": "train", "id": 2, "rating": 7, "label": 1, "text": "fine film"}"#,
            #"{"split": "train", "id": 1, "rating": 4, "label": 0, "text": "meh"}"#,
        ]
        let jsonl = Fixtures.path(directory, "imdb_train.jsonl.gz")
        try Fixtures.write(Gzip.compress(Array((lines.joined(separator: "\n") + "\n").utf8)), to: jsonl)
        #expect(IMDB.locate(.train, in: directory) == .jsonLines(jsonl))
        #expect(try IMDB.load(.train, from: .jsonLines(jsonl)) == fromTree)
    }

    @Test func imdbBadInput() throws {
        let directory = try Fixtures.temporaryDirectory()
        let root = Fixtures.path(directory, "aclImdb")
        try Self.writeTree(
            root, split: "train", reviews: [("pos", "3_2.txt", "rated 2 but positive"), ("neg", "0_1.txt", "x")])
        #expect(
            throws: DataError(
                file: "\(root)/train/pos/3_2.txt",
                problem: .malformedRow(
                    "rating 2 does not fit label 1 (positive 7–10, negative 1–4)"))
        ) {
            try IMDB.load(.train, from: .tree(root))
        }
        #expect(throws: DataError(file: "\(root)/test/pos", problem: .missingFile)) {
            try IMDB.load(.test, from: .tree(root))
        }
        let jsonl = Fixtures.path(directory, "imdb_test.jsonl")
        try Fixtures.write(
            #"{"split": "test", "id": 0, "rating": 8, "label": 1, "text": "ok"}"#
                + "\n{\"split\": \"test\", \"id\": 1,\n", to: jsonl)
        #expect(throws: DataError(file: jsonl, location: .line(2), problem: .malformedRow("not a JSON object"))) {
            try IMDB.load(.test, from: .jsonLines(jsonl))
        }
        try Fixtures.write(#"{"split": "test", "id": 0, "rating": 8, "text": "no label"}"#, to: jsonl)
        #expect(throws: DataError(file: jsonl, location: .line(1), problem: .malformedRow("missing field \"label\""))) {
            try IMDB.load(.test, from: .jsonLines(jsonl))
        }
        try Fixtures.write(#"{"split": "train", "id": 0, "rating": 8, "label": 1, "text": "x"}"#, to: jsonl)
        #expect(
            throws: DataError(file: jsonl, location: .line(1), problem: .malformedRow("split \"train\" in a test file"))
        ) {
            try IMDB.load(.test, from: .jsonLines(jsonl))
        }
    }

    @Test func sst2TSVAndJSONLines() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.write(
            "sentence\tlabel\nit 's good \t1\nbad , bad \t0\n", to: Fixtures.path(directory, "train.tsv"))
        try Fixtures.write(
            Gzip.compress(Array("sentence\tlabel\nfine \t1\n".utf8)),
            to: Fixtures.path(directory, "glue_sst2_dev.tsv.gz"))
        try Fixtures.write("index\tsentence\n0\tfirst .\n1\tsecond .\n", to: Fixtures.path(directory, "test.tsv"))
        try Fixtures.write(
            #"{"split": "train", "label": 1, "text": "it 's good "}"# + "\n"
                + #"{"split": "train", "label": 0, "text": "bad , bad "}"# + "\n",
            to: Fixtures.path(directory, "sst2_train.jsonl"))
        let train = try SST2.load(.train, from: directory)
        #expect(train.texts == ["it 's good ", "bad , bad "] && train.labels == [1, 0])
        #expect(try SST2.load(.train, from: directory, format: .jsonLines) == train)
        let test = try SST2.load(.test, from: directory)  // GLUE dev serves as test
        #expect(test.texts == ["fine "] && test.labels == [1])
        #expect(try SST2.loadUnlabelledTest(from: directory) == ["first .", "second ."])
    }

    @Test func sst2BadInput() throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = Fixtures.path(directory, "train.tsv")
        try Fixtures.write("sentence\tlabel\ngood\t1\nno label here\n", to: path)
        #expect(throws: DataError(file: path, location: .line(3), problem: .malformedRow("1 fields (expected 2)"))) {
            try SST2.load(.train, from: directory)
        }
        try Fixtures.write("sentence\tlabel\ngood\tpositive\n", to: path)
        #expect(
            throws: DataError(
                file: path, location: .line(2), problem: .malformedRow("label \"positive\" is not 0 or 1"))
        ) {
            try SST2.load(.train, from: directory)
        }
        try Fixtures.write("text\tlabel\ngood\t1\n", to: path)
        #expect(
            throws: DataError(
                file: path, location: .line(1),
                problem: .malformedRow(
                    "header [\"text\", \"label\"] (expected sentence<TAB>label)"))
        ) {
            try SST2.load(.train, from: directory)
        }
        let jsonl = Fixtures.path(directory, "sst2_dev.jsonl")
        try Fixtures.write(#"{"split": "dev", "label": 2, "text": "x"}"#, to: jsonl)
        #expect(throws: DataError(file: jsonl, location: .line(1), problem: .labelOutOfRange(label: 2, classCount: 2)))
        {
            try SST2.load(.test, from: directory, format: .jsonLines)
        }
        #expect(throws: DataError(file: Fixtures.path(directory, "dev.tsv"), problem: .missingFile)) {
            try SST2.load(.test, from: directory)
        }
    }
}

@Suite("Text pipeline consistency")
struct TextPipelineConsistencyTests {
    /// fitAndEncode is fit followed by encode of the same texts, tokenizing once.
    @Test func fitAndEncodeEqualsFitThenEncode() throws {
        let texts = ["A film, a <br />film!", "Don't watch it", "great &amp; good", "ünïcödé wörds — fine…"]
        let options = try TextPipeline.Options(maximumVocabularySize: 8, minimumFrequency: 1, maximumLength: 5)
        let (pipeline, encoded) = try TextPipeline.fitAndEncode(trainingTexts: texts, options: options)
        let separate = try TextPipeline.fit(trainingTexts: texts, options: options)
        #expect(pipeline == separate)
        #expect(encoded == separate.encode(texts))
    }

    @Test func nonASCIITokens() {
        // Non-ASCII letters are lower-cased and stay in words; the em dash and the ellipsis are tokens;
        // the typographic apostrophe inside a word becomes "'".
        #expect(Tokenizer().tokens("ÜBER Café — it\u{2019}s…") == ["über", "café", "—", "it's", "…"])
    }
}
