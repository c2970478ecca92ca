import Foundation

/// The machine-readable content of `results.json`: every cell's endpoints and, as the statistics land,
/// the summaries, comparisons and profiles.
public struct ReportResults: Sendable, Equatable {
    public var input: ReportInput
    public var options: ReportOptions

    init(input: ReportInput, options: ReportOptions) {
        self.input = input
        self.options = options
    }

    func jsonData() throws -> Data {
        var cells: [[String: JSONValue]] = []
        for cell in input.cells {
            var row: [String: JSONValue] = ["task": .string(cell.task), "arm": .string(cell.arm), "seed": .number(Double(cell.seed))]
            for endpoint in cell.endpoints.keys.sorted() {
                row[endpoint.rawValue] = (cell.endpoints[endpoint] ?? nil).map(JSONValue.number) ?? .null
            }
            cells.append(row)
        }
        let document: JSONValue = .object(["cells": .array(cells.map(JSONValue.object))])
        return Data(document.serialised().utf8)
    }
}
