/// One row of UCI Adult as distributed: six numeric and eight categorical attributes and the income label.
public struct AdultRecord: Equatable, Sendable {
    /// age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week; NaN where missing (`?`).
    public var numeric: [Double]
    /// workclass, education, marital-status, occupation, relationship, race, sex, native-country;
    /// nil where missing (`?`).
    public var categorical: [String?]
    /// 1 for `>50K`, 0 for `<=50K`.
    public var label: Int32
}

/// UCI Adult / Census Income (Kohavi 1996, "Scaling up the accuracy of naive-Bayes classifiers: a
/// decision-tree hybrid", KDD; https://archive.ics.uci.edu/dataset/2/adult), read from `adult.data`
/// and `adult.test` exactly as distributed.
///
/// Format handled: 15 comma-separated fields with a space after each comma; `?` for a missing value;
/// blank lines (the files end with them); in `adult.test` a first line `|1x3 Cross validator` and
/// labels with a trailing full stop (`<=50K.`). Lines starting with `|` are comments. Any other
/// deviation (wrong field count, non-numeric number, unknown label, a category value that `adult.names`
/// does not list: ``categoryValues``) is an error naming the line.
public enum Adult {
    /// The numeric attributes, in file order.
    public static let numericNames = [
        "age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week",
    ]
    /// The categorical attributes, in file order.
    public static let categoricalNames = [
        "workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country",
    ]
    /// Class names by label.
    public static let classNames = ["<=50K", ">50K"]
    /// Field positions of the numeric attributes (0-based) among the 15.
    static let numericColumns = [0, 2, 4, 10, 11, 12]
    static let categoricalColumns = [1, 3, 5, 6, 7, 8, 9, 13]

    /// The file name of a split.
    public static func fileName(_ split: Split) -> String { split == .train ? "adult.data" : "adult.test" }

    /// Parses a file's bytes. `file` names it in errors.
    ///
    /// Lines and fields are cut and trimmed as bytes and only the trimmed fields become `String`s: the
    /// separators (`\n`, `\r`, `,`, space, tab, `|`) are ASCII, which UTF-8 never uses inside a multi-byte
    /// sequence, so this gives the same fields as decoding each line first and trimming its scalars (issue
    /// 13 item 5: the scalar-by-scalar trim was half and the parse three quarters of `glidepath train --task
    /// adult-mlp`'s start-up; time to the first step fell from 6.6–8.0 s to 1.7–2.2 s on a loaded machine,
    /// `docs/benchmarks.md`).
    public static func parse(_ bytes: [UInt8], file: String) throws(DataError) -> [AdultRecord] {
        var records: [AdultRecord] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let trimmed = trimmingSpaces(line)
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "|") { continue }
            let fields = trimmed.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
                String(decoding: trimmingSpaces($0), as: UTF8.self)
            }
            guard fields.count == 15 else {
                throw DataError(
                    file: file, location: .line(lineNumber),
                    problem: .malformedRow("\(fields.count) fields (expected 15)"))
            }
            var numeric: [Double] = []
            for (position, column) in numericColumns.enumerated() {
                let field = fields[column]
                if field == "?" { numeric.append(.nan); continue }
                guard let value = Double(field), value.isFinite else {
                    throw DataError(
                        file: file, location: .line(lineNumber),
                        problem: .malformedRow("\(numericNames[position]) \"\(field)\" is not a number"))
                }
                numeric.append(value)
            }
            let categorical: [String?] = categoricalColumns.map { fields[$0] == "?" ? nil : fields[$0] }
            for (position, value) in categorical.enumerated() where value?.isEmpty == true {
                throw DataError(
                    file: file, location: .line(lineNumber),
                    problem: .malformedRow("\(categoricalNames[position]) is empty"))
            }
            for (position, value) in categorical.enumerated() {
                guard let value, !categoryValues[position].contains(value) else { continue }
                throw DataError(
                    file: file, location: .line(lineNumber),
                    problem: .malformedRow(
                        "\(categoricalNames[position]) (field \(categoricalColumns[position] + 1)) "
                            + "\"\(value.prefix(60))\" is not one of the values adult.names lists"))
            }
            var labelText = fields[14]
            if labelText.hasSuffix(".") { labelText.removeLast() }
            guard let label = classNames.firstIndex(of: labelText) else {
                throw DataError(
                    file: file, location: .line(lineNumber),
                    problem: .malformedRow("income \"\(fields[14])\" is neither <=50K nor >50K"))
            }
            records.append(AdultRecord(numeric: numeric, categorical: categorical, label: Int32(label)))
        }
        return records
    }

    /// Reads `adult.data` (train) or `adult.test` (test) from `directory`.
    public static func read(_ split: Split, from directory: String) throws(DataError) -> [AdultRecord] {
        let path = try FileAccess.firstExisting(in: directory, [fileName(split), fileName(split) + ".gz"])
        return try parse(try FileAccess.readContent(at: path), file: path)
    }

    /// Reads both splits and encodes them with an ``AdultEncoder`` fitted on the training split.
    public static func load(from directory: String) throws(DataError)
        -> (train: TabularDataset, test: TabularDataset, encoder: AdultEncoder)
    {
        let train = try read(.train, from: directory)
        let test = try read(.test, from: directory)
        let encoder = try AdultEncoder(fitting: train)
        return (encoder.encode(train), encoder.encode(test), encoder)
    }
}

extension Adult {
    /// `bytes` without its leading and trailing spaces and tabs.
    static func trimmingSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        return bytes
    }
}
