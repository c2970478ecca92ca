/// `index.html`: the report's blocks as one self-contained HTML page — inline CSS, every figure as an
/// inline `<svg>` with its id, no scripts, fonts or links to other files, so it opens offline.
enum HTMLRenderer {
    static func render(_ blocks: [ReportBlock], title: String) -> String {
        var out = [
            "<!DOCTYPE html>",
            #"<html lang="en">"#,
            "<head>",
            #"<meta charset="utf-8">"#,
            "<title>\(Format.escape(title))</title>",
            "<style>",
            "body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }",
            "table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }",
            "th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }",
            "th { background: #f3f3f3; }",
            "figure { margin: 1.5em 0; }",
            "figcaption { font-size: 13px; color: #444; max-width: 720px; }",
            "</style>",
            "</head>",
            "<body>",
        ]
        for block in blocks {
            switch block {
            case let .heading(level, text): out.append("<h\(level)>\(Format.escape(text))</h\(level)>")
            case let .paragraph(text): out.append("<p>\(Format.escape(text))</p>")
            case let .list(items):
                out.append("<ul>\n" + items.map { "<li>\(Format.escape($0))</li>" }.joined(separator: "\n") + "\n</ul>")
            case let .table(header, rows):
                var table = ["<table>", "<tr>" + header.map { "<th>\(Format.escape($0))</th>" }.joined() + "</tr>"]
                table += rows.map { "<tr>" + $0.map { "<td>\(cell($0))</td>" }.joined() + "</tr>" }
                table.append("</table>")
                out.append(table.joined(separator: "\n"))
            case let .figure(figure):
                out.append(
                    "<figure>\n" + figure.svg + "<figcaption>\(Format.escape(figure.caption))</figcaption>\n</figure>")
            }
        }
        out += ["</body>", "</html>"]
        return out.joined(separator: "\n") + "\n"
    }

    /// A table cell's text, escaped; long cells (configurations as JSON) get a line-break opportunity
    /// (`<wbr>`) after each comma, so the table fits the page without breaking short words.
    static func cell(_ text: String) -> String {
        let escaped = Format.escape(text)
        return text.count > 40 ? escaped.replacingOccurrences(of: ",", with: ",<wbr>") : escaped
    }
}
