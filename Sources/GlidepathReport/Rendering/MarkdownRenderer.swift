/// `report.md`: the report's blocks as GitHub-flavoured Markdown, figures linked as `figures/<name>.svg`.
enum MarkdownRenderer {
    static func render(_ blocks: [ReportBlock]) -> String {
        var out = [String]()
        for block in blocks {
            switch block {
            case let .heading(level, text): out.append(String(repeating: "#", count: level) + " " + text)
            case let .paragraph(text): out.append(text)
            case let .list(items): out.append(items.map { "- " + $0 }.joined(separator: "\n"))
            case let .table(header, rows):
                let line = { (cells: [String]) in "| " + cells.map(cell).joined(separator: " | ") + " |" }
                out.append(
                    ([line(header), "|" + header.map { _ in "---|" }.joined()] + rows.map(line)).joined(separator: "\n")
                )
            case let .figure(figure):
                out.append("![\(figure.caption)](figures/\(figure.fileName))\n\n*\(figure.caption)*")
            }
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
