import Foundation

/// Writes a study's report into a directory: `index.html` (one self-contained page, inline SVG, no
/// external resources), `report.md` (the same tables, figures linked), `figures/*.svg` and
/// `results.json` (every cell and every statistic, machine-readable). `docs/report.md` describes each
/// statistic with its formula and source.
public enum StudyReportWriter {
    /// Validates `input`, computes every statistic and writes the report into `directory` (created if
    /// needed). Nothing is written when the input is invalid.
    ///
    /// - Parameters:
    ///   - input: the study's cells and description.
    ///   - directory: the output directory; existing report files in it are replaced.
    ///   - options: which endpoints are compared, bootstrap sizes and seeds.
    /// - Returns: the statistics that were written (the content of `results.json`).
    /// - Throws: ``ReportError`` for invalid input or a file that cannot be written.
    @discardableResult
    public static func write(
        _ input: ReportInput, to directory: URL, options: ReportOptions = ReportOptions()
    ) throws(ReportError) -> ReportResults {
        try input.validate()
        try options.validate()
        let results = ReportResults(input: input, options: options)
        let data: Data
        do {
            data = try results.jsonData()
        } catch {
            throw .writeFailed(path: "results.json", reason: "\(error)")
        }
        try writeFile(data, named: "results.json", in: directory)
        return results
    }

    static func writeFile(_ data: Data, named name: String, in directory: URL) throws(ReportError) {
        let url = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: "\(error)")
        }
    }
}
