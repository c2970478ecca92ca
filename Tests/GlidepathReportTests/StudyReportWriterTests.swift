import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathReport

@Suite("StudyReportWriter: files, golden report.md and SVG, results.json")
struct StudyReportWriterTests {
    /// The synthetic study's statistics, computed once for the tests that only read them.
    static let synthetic = Result { () throws(ReportError) -> ReportResults in
        try ReportResults(input: SyntheticStudy.input())
    }

    static func scratch(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("glidepath-report-\(name)-\(UUID().uuidString)")
    }

    @Test("writes index.html, report.md, results.json and every figure")
    func writesFiles() throws {
        let directory = Self.scratch("files")
        defer { try? FileManager.default.removeItem(at: directory) }
        let results = try StudyReportWriter.write(SyntheticStudy.input(), to: directory)
        let figures = results.figures()
        // 6 figures per task, the final-metric figures (toy-a: accuracy, F1, AUC; toy-b: accuracy, F1), the profile.
        #expect(figures.count == 2 * 6 + 3 + 2 + 1)
        for figure in figures {
            let text = try String(
                contentsOf: directory.appendingPathComponent("figures/\(figure.fileName)"), encoding: .utf8)
            #expect(text == figure.svg)
        }
        let html = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        for figure in figures { #expect(html.contains(#"<svg xmlns="http://www.w3.org/2000/svg" id="\#(figure.id)""#)) }
        // Self-contained: no external references.
        for forbidden in ["<script", "<link", "src=", "href=", "url("] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        for figure in figures { #expect(markdown.contains("(figures/\(figure.fileName))")) }
    }

    @Test("report.md and results.json match their golden files")
    func markdownGolden() throws {
        let results = try Self.synthetic.get()
        expectGolden(results.markdown(), named: "synthetic-report.md")
        // Byte for byte across processes too (dictionary order differs per process): sorted keys throughout.
        expectGolden(results.json(), named: "synthetic-results.json")
    }

    @Test("the time-to-target SVG and the performance profile SVG match their golden files")
    func svgGolden() throws {
        let figures = try Self.synthetic.get().figures()
        let time = try #require(figures.first { $0.id == "fig-time-toy-b" })
        expectGolden(time.svg, named: "time-toy-b.svg")
        let loss = try #require(figures.first { $0.id == "fig-loss-toy-a" })
        expectGolden(loss.svg, named: "loss-toy-a.svg")
        let profile = try #require(figures.first { $0.id == "fig-profile" })
        expectGolden(profile.svg, named: "profile.svg")
    }

    @Test("results.json has the issue's fields and is byte-identical across runs")
    func resultsJSON() throws {
        let input = SyntheticStudy.input()
        let first = try ReportResults(input: input).json()
        #expect(first == (try ReportResults(input: input).json()))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let cells = try #require(object["cells"] as? [[String: Any]])
        #expect(cells.count == 30)
        for key in [
            "task", "arm", "seed", "testAccuracy", "testF1", "epochsToTarget", "secondsToTarget", "bestValidationLoss",
        ] {
            #expect(cells[0][key] != nil, "cells[0].\(key)")
        }
        #expect(cells[0]["testAUC"] != nil)
        // toy-b, landscape, seed 3 missed the hard target: null.
        let missed = try #require(
            cells.first {
                $0["task"] as? String == "toy-b" && $0["arm"] as? String == "landscape" && $0["seed"] as? Int == 3
            })
        #expect(missed["secondsToTarget"] is NSNull)
        let comparisons = try #require(object["comparisons"] as? [[String: Any]])
        #expect(!comparisons.isEmpty)
        for key in ["effect", "ci95", "pWilcoxon", "pHolm", "verdict"] { #expect(comparisons[0][key] != nil, "\(key)") }
        #expect(object["summary"] is [[String: Any]])
        #expect(object["profiles"] is [String: Any])
    }

    @Test("five seeds cannot be significant after Holm: every comparison is 'not testable by design'")
    func resolution() throws {
        let analysis = try Self.synthetic.get().analysis
        // cosine is faster than constant on all five seeds of toy-a: raw exact p = 2/2⁵ = 0.0625 ≥ 0.05.
        let cosine = try #require(
            analysis.comparisons.first {
                $0.task == "toy-a" && $0.arm == "cosine" && $0.endpoint == .passesToHardTarget
            })
        #expect(cosine.smallestAttainableP == 0.0625)
        #expect(cosine.verdict == .notTestable)
        #expect(analysis.comparisons.allSatisfy { $0.verdict == .notTestable })
    }

    @Test("with ten seeds a consistent effect is called better; a null one is not")
    func tenSeeds() throws {
        let analysis = try ReportResults(input: SyntheticStudy.input(seeds: 0..<10)).analysis
        // toy-a: cosine's test accuracy is 0.01 above constant's on every seed (SyntheticStudy's formula):
        // 10 same-signed tied differences → exact p = 2/2¹⁰ ≈ 0.00195; the family on toy-a is
        // 2 arms × 5 endpoints = 10 → Holm p ≤ 0.0195 < 0.05.
        let cosine = try #require(
            analysis.comparisons.first {
                $0.task == "toy-a" && $0.arm == "cosine" && $0.endpoint == .testAccuracy
            })
        #expect(cosine.verdict == .better)
        // toy-b: landscape's validation loss falls faster (ratio 0.71 + 0.01·seed vs 0.75 + 0.01·seed per
        // epoch), so its best validation loss is lower — better — on every seed.
        let landscape = try #require(
            analysis.comparisons.first {
                $0.task == "toy-b" && $0.arm == "landscape" && $0.endpoint == .bestValidationLoss
            })
        #expect(landscape.verdict == .better)
        // Hard target 0.45 on toy-b is reached when 1.2·r⁴ + 0.05 ≤ 0.45 (r the per-epoch ratio): constant
        // (r = 0.75 + 0.01·seed) only at seed 0; landscape (r = 0.71 + 0.01·seed, forced misses from seed 3)
        // at seeds 0–2, both in epoch 4 at seed 0. Paired differences: 0 (seed 0), −∞ (seeds 1, 2), and
        // 0 for the seven double misses (a tie, dropped by the test): n = 2 → smallest p 0.5, not testable.
        let misses = try #require(
            analysis.comparisons.first {
                $0.task == "toy-b" && $0.arm == "landscape" && $0.endpoint == .passesToHardTarget
            })
        #expect(misses.effect == 0)
        #expect(misses.wilcoxon?.count == 2 && misses.wilcoxon?.zeros == 8)
        #expect(misses.verdict == .notTestable)
    }

    @Test("two baselines are compared once, not in both directions")
    func baselinePairOnce() throws {
        var input = SyntheticStudy.input()
        input.baselines = ["constant", "cosine"]
        var options = ReportOptions()
        options.bootstrapResamples = 10  // only the pairs matter here
        let comparisons = try ReportResults(input: input, options: options).analysis.comparisons
        let pairs = Set(comparisons.map { "\($0.arm) vs \($0.baseline)" })
        #expect(pairs == ["cosine vs constant", "landscape vs constant", "landscape vs cosine"])
    }

    @Test("self-tuning arms get their own comparison table, after the tuned arms'")
    func selfTuningTable() throws {
        var input = SyntheticStudy.input()
        input.arms[2].selfTuning = true  // landscape
        var options = ReportOptions()
        options.bootstrapResamples = 10  // only the layout matters here
        let markdown = try ReportResults(input: input, options: options).markdown()
        let tuned = try #require(markdown.range(of: "Each arm against each baseline"))
        let own = try #require(markdown.range(of: "Self-tuning arms (run at their defaults"))
        #expect(tuned.lowerBound < own.lowerBound)
        #expect(markdown.contains("| landscape | landscape (edge rule) | self-tuning (defaults, not tuned) |"))
        // The tuned table of toy-a lists cosine only; landscape's rows follow the self-tuning heading.
        let between = markdown[tuned.upperBound..<own.lowerBound]
        #expect(!between.contains("| landscape | constant |") && between.contains("| cosine | constant |"))
    }

    @Test("invalid input writes nothing")
    func invalidWritesNothing() {
        var input = SyntheticStudy.input()
        input.baselines = ["nope"]
        let directory = Self.scratch("invalid")
        #expect(throws: ReportError.unknownArm(field: "baselines[0]", name: "nope")) {
            try StudyReportWriter.write(input, to: directory)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }
}
