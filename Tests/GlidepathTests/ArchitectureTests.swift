import Foundation
import GlidepathTestSupport
import Testing

/// ARCHITECTURE.md's target table and dependency diagram against `Package.swift`, as SwiftPM reads it
/// (`swift package dump-package`): the same targets, and for each the same dependencies.
@Suite("ARCHITECTURE.md matches Package.swift")
struct ArchitectureTests {
    /// The part of `swift package dump-package`'s JSON this test reads.
    struct Manifest: Decodable {
        struct Target: Decodable {
            var name: String
            var type: String
            /// Each dependency is `{"byName" | "target" | "product": [name, …]}`.
            var dependencies: [[String: [String?]]]

            var dependencyNames: Set<String> {
                Set(dependencies.compactMap { $0.values.first?.first ?? nil })
            }
        }
        var targets: [Target]
    }

    static func manifest() throws -> Manifest {
        let root = TestEnvironment.repositoryRoot
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-dump-package")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swift", "package", "--package-path", root.path, "--scratch-path", scratch.path,
            "dump-package",
        ]
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift package dump-package failed: \(errorText)")
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    static func architecture() throws -> [Substring] {
        try String(
            contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8
        )
        .split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The `` `Name` `` identifiers in a table cell.
    static func names(in cell: Substring) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test("the table lists every target once, with exactly its dependencies")
    func table() throws {
        let manifest = try Self.manifest()
        var table: [String: Set<String>] = [:]
        for line in try Self.architecture() where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // "| target | what | depends on | guide |" → cells 1, 2, 3.
            guard cells.count >= 4 else { continue }
            for target in Self.names(in: Substring(cells[1])) {
                #expect(table[target] == nil, "\(target) appears twice in the table")
                table[target] = Set(Self.names(in: Substring(cells[3])))
            }
        }
        #expect(
            Set(table.keys) == Set(manifest.targets.map(\.name)),
            "in the table only: \(Set(table.keys).subtracting(manifest.targets.map(\.name))); in Package.swift only: \(Set(manifest.targets.map(\.name)).subtracting(table.keys))"
        )
        for target in manifest.targets {
            #expect(
                table[target.name] == target.dependencyNames,
                "\(target.name): the table says \(table[target.name]?.sorted() ?? []), Package.swift \(target.dependencyNames.sorted())"
            )
        }
    }

    @Test("the diagram's arrows are exactly the dependencies of the non-test targets")
    func diagram() throws {
        let manifest = try Self.manifest()
        let lines = try Self.architecture()
        let start = try #require(lines.firstIndex { $0.hasPrefix("```mermaid") })
        let end = try #require(lines[(start + 1)...].firstIndex { $0.hasPrefix("```") })
        var edges: Set<String> = [], nodes: Set<String> = []
        for line in lines[(start + 1)..<end].map({ $0.trimmingCharacters(in: .whitespaces) })
        where !line.hasPrefix("graph") {
            let parts = line.components(separatedBy: " --> ")
            if parts.count == 2 {
                edges.insert("\(parts[0]) -> \(parts[1])")
                nodes.insert(parts[0])
            } else if !line.isEmpty {
                nodes.insert(line)
            }
        }
        let shown = manifest.targets.filter { $0.type != "test" && $0.type != "system" }
        #expect(
            nodes == Set(shown.map(\.name)), "diagram nodes \(nodes.sorted()) vs targets \(shown.map(\.name).sorted())")
        let expected = Set(shown.flatMap { target in target.dependencyNames.map { "\(target.name) -> \($0)" } })
        #expect(
            edges == expected,
            "only in the diagram: \(edges.subtracting(expected).sorted()); missing: \(expected.subtracting(edges).sorted())"
        )
    }
}
