import Foundation

/// The Large Movie Review Dataset (Maas, Daly, Pham, Huang, Ng, Potts 2011, "Learning Word Vectors
/// for Sentiment Analysis", ACL; https://ai.stanford.edu/~amaas/data/sentiment/): 25,000 training and
/// 25,000 test reviews, half positive (rating 7–10, label 1) and half negative (rating 1–4, label 0).
///
/// Sources: the canonical extracted tree `aclImdb/{train,test}/{pos,neg}/ID_RATING.txt`, the
/// canonical archive `aclImdb_v1.tar.gz` read in one streaming pass, or JSON lines with objects
/// `{"split","id","rating","label","text"}` (gzip or not). Every source yields positives by ascending
/// id, then negatives by ascending id; the texts are the files' exact contents (`<br />` included,
/// removed later by ``Tokenizer``). Ratings are checked against labels; `unsup/` is ignored.
public enum IMDB {
    public static let classNames = ["neg", "pos"]
    public static let archiveName = "aclImdb_v1.tar.gz"

    public enum Source: Equatable, Sendable {
        /// The `aclImdb` directory.
        case tree(String)
        /// The canonical archive.
        case archive(String)
        /// One split's JSON-lines file.
        case jsonLines(String)
    }

    /// The source for `split` in a dataset directory: `aclImdb/` if present, else
    /// `imdb_SPLIT.jsonl[.gz]`, else `aclImdb_v1.tar.gz`, else the tree (reported missing on load).
    public static func locate(_ split: Split, in directory: String) -> Source {
        let tree = (directory as NSString).appendingPathComponent("aclImdb")
        if FileAccess.isDirectory(tree) { return .tree(tree) }
        for name in ["imdb_\(split.rawValue).jsonl.gz", "imdb_\(split.rawValue).jsonl"] {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileAccess.exists(path) { return .jsonLines(path) }
        }
        let archive = (directory as NSString).appendingPathComponent(archiveName)
        if FileAccess.exists(archive) { return .archive(archive) }
        return .tree(tree)
    }

    /// One review with its place in the canonical order.
    struct Review {
        var label: Int32
        var id: Int
        var rating: Int
        var text: String
    }

    public static func load(_ split: Split, from source: Source) throws(DataError) -> TextDataset {
        let reviews: [Review]
        switch source {
        case let .tree(root): reviews = try readTree(split, root: root)
        case let .archive(path): reviews = try readArchive(split, path: path)
        case let .jsonLines(path): reviews = try readJSONLines(split, path: path)
        }
        let ordered = reviews.sorted { $0.label != $1.label ? $0.label > $1.label : $0.id < $1.id }
        return TextDataset(texts: ordered.map(\.text), labels: ordered.map(\.label), classNames: classNames)
    }

    /// Checks a rating against its label (README: positive 7–10, negative 1–4).
    static func checkRating(_ rating: Int, label: Int32, file: String, location: DataError.Location) throws(DataError) {
        let valid = label == 1 ? (7...10).contains(rating) : (1...4).contains(rating)
        guard valid else {
            throw DataError(
                file: file, location: location,
                problem: .malformedRow(
                    "rating \(rating) does not fit label \(label) (positive 7–10, negative 1–4)"))
        }
    }

    /// Parses `ID_RATING.txt`.
    static func parseName(_ name: String, file: String, location: DataError.Location) throws(DataError) -> (
        id: Int, rating: Int
    ) {
        let stem = name.hasSuffix(".txt") ? String(name.dropLast(4)) : name
        let parts = stem.split(separator: "_")
        guard name.hasSuffix(".txt"), parts.count == 2, let id = Int(parts[0]), let rating = Int(parts[1]), id >= 0
        else {
            throw DataError(
                file: file, location: location,
                problem: .malformedRow("review file name \"\(name)\" is not ID_RATING.txt"))
        }
        return (id, rating)
    }

    private static func readTree(_ split: Split, root: String) throws(DataError) -> [Review] {
        var items: [(path: String, label: Int32, id: Int, rating: Int)] = []
        for (folder, label) in [("pos", Int32(1)), ("neg", Int32(0))] {
            let directory = "\(root)/\(split.rawValue)/\(folder)"
            guard FileAccess.isDirectory(directory) else {
                throw DataError(
                    file: directory,
                    problem: FileAccess.exists(directory) ? .unreadable("not a directory") : .missingFile)
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw DataError(file: directory, problem: .unreadable("\(error)"))
            }
            for name in names where !name.hasPrefix(".") {
                let path = "\(directory)/\(name)"
                let (id, rating) = try parseName(name, file: path, location: .file)
                try checkRating(rating, label: label, file: path, location: .file)
                items.append((path, label, id, rating))
            }
        }
        let chunkSize = 1_000
        let starts = Array(stride(from: 0, to: items.count, by: chunkSize))
        let snapshot = items
        let chunks = try parallelMap(starts) { (start: Int) throws(DataError) -> [Review] in
            var reviews: [Review] = []
            for item in snapshot[start..<min(start + chunkSize, snapshot.count)] {
                let bytes = try FileAccess.readBytes(at: item.path)
                reviews.append(
                    Review(
                        label: item.label, id: item.id, rating: item.rating,
                        text: String(decoding: bytes, as: UTF8.self)))
            }
            return reviews
        }
        return chunks.flatMap { $0 }
    }

    private static func readArchive(_ split: Split, path: String) throws(DataError) -> [Review] {
        let reader = try TarReader(path: path)
        var reviews: [Review] = []
        while let entry = try reader.next() {
            guard entry.kind == .file else { continue }
            let parts = entry.name.split(separator: "/").map(String.init)
            // aclImdb/SPLIT/{pos,neg}/ID_RATING.txt (a leading "./" is tolerated).
            let tail = parts.suffix(4)
            guard tail.count == 4, tail.first == "aclImdb", tail.dropFirst().first == split.rawValue else { continue }
            let folder = tail[tail.startIndex + 2]
            guard folder == "pos" || folder == "neg" else { continue }
            let label: Int32 = folder == "pos" ? 1 : 0
            let location = DataError.Location.member(entry.name, byteOffset: nil)
            let (id, rating) = try parseName(tail[tail.startIndex + 3], file: path, location: location)
            try checkRating(rating, label: label, file: path, location: location)
            let bytes = try reader.readContent(of: entry)
            reviews.append(Review(label: label, id: id, rating: rating, text: String(decoding: bytes, as: UTF8.self)))
        }
        guard !reviews.isEmpty else {
            throw DataError(
                file: path, location: .member("aclImdb/\(split.rawValue)/pos", byteOffset: nil), problem: .missingFile)
        }
        return reviews
    }

    private struct Row: Decodable {
        var split: String
        var id: Int
        var rating: Int
        var label: Int
        var text: String
    }

    private static func readJSONLines(_ split: Split, path: String) throws(DataError) -> [Review] {
        let bytes = try FileAccess.readContent(at: path)
        var reviews: [Review] = []
        let decoder = JSONDecoder()
        try LineReader.forEachLine(bytes) { (number, line) throws(DataError) in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let row = try LineReader.decodeJSON(Row.self, line, file: path, lineNumber: number, decoder: decoder)
            guard row.split == split.rawValue else {
                throw DataError(
                    file: path, location: .line(number),
                    problem: .malformedRow("split \"\(row.split)\" in a \(split.rawValue) file"))
            }
            guard row.label == 0 || row.label == 1 else {
                throw DataError(
                    file: path, location: .line(number), problem: .labelOutOfRange(label: row.label, classCount: 2))
            }
            try checkRating(row.rating, label: Int32(row.label), file: path, location: .line(number))
            reviews.append(Review(label: Int32(row.label), id: row.id, rating: row.rating, text: row.text))
        }
        return reviews
    }
}
