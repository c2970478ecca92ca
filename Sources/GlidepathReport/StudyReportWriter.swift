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
    /// - Returns: the statistics that were written (the content of `results.json`) and the figures.
    /// - Throws: ``ReportError`` for invalid input or a file that cannot be written.
    @discardableResult
    public static func write(
        _ input: ReportInput, to directory: URL, options: ReportOptions = ReportOptions()
    ) throws(ReportError) -> ReportResults {
        let results = try ReportResults(input: input, options: options)
        let figures = ReportFigures.make(input, analysis: results.analysis, options: options)
        let blocks = ReportDocument.blocks(input, analysis: results.analysis, options: options, figures: figures)
        // Everything is rendered before the first file is written.
        var files: [(String, String)] = figures.map { ("figures/\($0.fileName)", $0.svg) }
        files.append(("report.md", MarkdownRenderer.render(blocks)))
        files.append(("index.html", HTMLRenderer.render(blocks, title: input.title)))
        files.append(("results.json", results.json()))
        for (name, text) in files { try writeFile(Data(text.utf8), named: name, in: directory) }
        return results
    }

    static func writeFile(_ data: Data, named name: String, in directory: URL) throws(ReportError) {
        let url = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: "\(error)")
        }
    }
}
