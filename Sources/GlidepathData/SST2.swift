import Foundation

/// SST-2, the binary Stanford Sentiment Treebank (Socher et al. 2013, "Recursive Deep Models for
/// Semantic Compositionality Over a Sentiment Treebank", EMNLP) as packaged by GLUE (Wang et al.
/// 2018, ICLR 2019; https://gluebenchmark.com): 67,349 training and 872 dev sentences labelled
/// 0 (negative) / 1 (positive), and 1,821 unlabelled test sentences.
///
/// GLUE's test labels are not public, so **the dev set is this project's test split**
/// (``load(_:from:format:)`` with `.test`), and validation is carved from train with
/// ``ValidationSplit``.
///
/// Formats: GLUE TSV (`sentence<TAB>label` with that header line; the unlabelled test file has
/// `index<TAB>sentence`), named as in GLUE's `SST-2/` folder (`train.tsv`, `dev.tsv`, `test.tsv`) or
/// `glue_sst2_*.tsv`, gzip or not; or JSON lines `{"split","label","text"}` (`sst2_train.jsonl`,
/// `sst2_dev.jsonl`).
public enum SST2 {
    public static let classNames = ["negative", "positive"]

    public enum Format: String, Sendable, CaseIterable {
        case tsv
        case jsonLines
    }

    /// The GLUE file of a project split: train → train, test → dev.
    static func glueName(_ split: Split) -> String { split == .train ? "train" : "dev" }

    /// Candidate file names for a GLUE file in a directory, first match wins.
    static func candidates(_ glue: String, format: Format) -> [String] {
        switch format {
        case .tsv:
            return [
                "\(glue).tsv", "\(glue).tsv.gz", "glue_sst2_\(glue).tsv", "glue_sst2_\(glue).tsv.gz",
                "SST-2/\(glue).tsv",
            ]
        case .jsonLines:
            return ["sst2_\(glue).jsonl", "sst2_\(glue).jsonl.gz"]
        }
    }

    /// Loads a split (`.test` is GLUE's dev set) from `directory`.
    public static func load(_ split: Split, from directory: String, format: Format = .tsv) throws(DataError)
        -> TextDataset
    {
        let path = try FileAccess.firstExisting(in: directory, candidates(glueName(split), format: format))
        let bytes = try FileAccess.readContent(at: path)
        switch format {
        case .tsv: return try parseTSV(bytes, file: path)
        case .jsonLines: return try parseJSONLines(bytes, file: path, glueSplit: glueName(split))
        }
    }

    /// Parses a labelled GLUE TSV (`sentence<TAB>label` header, then one row per sentence).
    public static func parseTSV(_ bytes: [UInt8], file: String) throws(DataError) -> TextDataset {
        var texts: [String] = [], labels: [Int32] = []
        try LineReader.forEachLine(bytes) { (number, line) throws(DataError) in
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            if number == 1 {
                let header = fields.map { String(decoding: $0, as: UTF8.self) }
                guard header == ["sentence", "label"] else {
                    throw DataError(
                        file: file, location: .line(1),
                        problem: .malformedRow(
                            "header \(header) (expected sentence<TAB>label)"))
                }
                return
            }
            guard fields.count == 2 else {
                throw DataError(
                    file: file, location: .line(number), problem: .malformedRow("\(fields.count) fields (expected 2)"))
            }
            let labelText = String(decoding: fields[1], as: UTF8.self)
            guard labelText == "0" || labelText == "1" else {
                throw DataError(
                    file: file, location: .line(number), problem: .malformedRow("label \"\(labelText)\" is not 0 or 1"))
            }
            texts.append(String(decoding: fields[0], as: UTF8.self))
            labels.append(labelText == "1" ? 1 : 0)
        }
        guard !labels.isEmpty || !bytes.isEmpty else {
            throw DataError(
                file: file, location: .line(1), problem: .malformedRow("empty file (expected a header line)"))
        }
        return TextDataset(texts: texts, labels: labels, classNames: classNames)
    }

    /// The unlabelled GLUE test sentences (`index<TAB>sentence`), in index order.
    public static func loadUnlabelledTest(from directory: String) throws(DataError) -> [String] {
        let path = try FileAccess.firstExisting(in: directory, candidates("test", format: .tsv))
        let bytes = try FileAccess.readContent(at: path)
        var sentences: [String] = []
        try LineReader.forEachLine(bytes) { (number, line) throws(DataError) in
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            if number == 1 {
                guard fields.map({ String(decoding: $0, as: UTF8.self) }) == ["index", "sentence"] else {
                    throw DataError(
                        file: path, location: .line(1), problem: .malformedRow("header is not index<TAB>sentence"))
                }
                return
            }
            guard fields.count == 2, let index = Int(String(decoding: fields[0], as: UTF8.self)),
                index == sentences.count
            else {
                throw DataError(
                    file: path, location: .line(number),
                    problem: .malformedRow(
                        "expected index \(sentences.count)<TAB>sentence"))
            }
            sentences.append(String(decoding: fields[1], as: UTF8.self))
        }
        return sentences
    }

    private struct Row: Decodable {
        var split: String
        var label: Int
        var text: String
    }

    static func parseJSONLines(_ bytes: [UInt8], file: String, glueSplit: String) throws(DataError) -> TextDataset {
        var texts: [String] = [], labels: [Int32] = []
        let decoder = JSONDecoder()
        try LineReader.forEachLine(bytes) { (number, line) throws(DataError) in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let row = try LineReader.decodeJSON(Row.self, line, file: file, lineNumber: number, decoder: decoder)
            guard row.split == glueSplit else {
                throw DataError(
                    file: file, location: .line(number),
                    problem: .malformedRow("split \"\(row.split)\" in a \(glueSplit) file"))
            }
            guard row.label == 0 || row.label == 1 else {
                throw DataError(
                    file: file, location: .line(number), problem: .labelOutOfRange(label: row.label, classCount: 2))
            }
            texts.append(row.text)
            labels.append(Int32(row.label))
        }
        return TextDataset(texts: texts, labels: labels, classNames: classNames)
    }
}
