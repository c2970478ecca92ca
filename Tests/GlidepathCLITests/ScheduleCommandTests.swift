import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// `glidepath schedule` end to end: the built binary, its output contract and its error lines.
@Suite("glidepath schedule")
struct ScheduleCommandTests {
    struct Line: Decodable {
        var step: Int
        var lrs: [Double]
        var momentum: [Double]?
    }

    static func parse(_ result: BuiltBinary.Result) throws -> [Line] {
        try result.lines.map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
    }

    @Test("jsonl: one exact line per step k = 0…N")
    func jsonLines() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.1, 0.01], "scheduler": {"name": "cosine", "tMax": 10}, "steps": 25}"#)
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty)
        let lines = try Self.parse(result)
        #expect(lines.map(\.step) == Array(0...25))
        for line in lines {
            #expect(line.momentum == nil)  // cosine does not move momentum
            for (group, base) in [0.1, 0.01].enumerated() {
                // CosineAnnealingLR closed form, η_min = 0; the printed value must parse back exactly.
                let expected = 0 + (base - 0) * (1 + cos(Double.pi * Double(line.step) / 10)) / 2
                #expect(line.lrs[group].bitPattern == expected.bitPattern, "step \(line.step)")
            }
        }
        // The literal layout of the contract.
        #expect(result.lines.first == #"{"step": 0, "lrs": [0.1, 0.01]}"#)
    }

    @Test("momentum is printed when the scheduler moves it")
    func momentum() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.5], "momentum": [0.9], "scheduler": {"name": "oneCycle", "maxLR": 0.1, "totalSteps": 20}, "steps": 30}"#
        )
        #expect(result.status == 0)
        let lines = try Self.parse(result)
        #expect(lines.count == 31)
        // OneCycleLR starts momentum at maxMomentum 0.95 and ends there; it holds after totalSteps.
        #expect(lines.first?.momentum == [0.95])
        #expect(lines.last?.momentum == [0.95])
        #expect(lines.last?.lrs == lines[19].lrs)
    }

    @Test("csv: a header and one row per step")
    func csv() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.1, 0.2], "scheduler": {"name": "cyclic", "baseLR": 0.01, "maxLR": 0.1, "stepSizeUp": 2}, "steps": 4}"#,
            ["--format", "csv"])
        #expect(result.status == 0)
        #expect(result.lines.first == "step,lr_0,lr_1,momentum_0,momentum_1")
        #expect(result.lines.count == 6)
        // CyclicLR triangle: base 0.01 at k = 0, max 0.1 at k = stepSizeUp = 2; momentum 0.9 → 0.8.
        #expect(result.lines[1] == "0,0.01,0.01,0.9,0.9")
        #expect(result.lines[3] == "2,0.1,0.1,0.8,0.8")
    }

    @Test("signals feed observations: a plateau reduces after patience")
    func signals() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [1.0], "scheduler": {"name": "reduceOnPlateau", "patience": 1, "factor": 0.5}, "signals": [{"metric": 3}, {"metric": 3}, {"metric": 3}, {"metric": 2}]}"#
        )
        #expect(result.status == 0)
        // ReduceLROnPlateau: k=1 improves on +∞, k=2 one bad, k=3 two bad > patience → ×0.5.
        #expect(try Self.parse(result).map(\.lrs) == [[1.0], [1.0], [1.0], [0.5], [0.5]])
    }

    @Test(
        "an invalid config exits non-zero with one line naming the field and the value",
        arguments: [
            (#"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 0}, "steps": 3}"#, "scheduler.tMax=0"),
            (
                #"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 5, "etaMn": 0.1}, "steps": 3}"#,
                "scheduler.etaMn=0.1"
            ),
            (
                #"{"lrs": [0.1], "scheduler": {"name": "cosineAnnealingLR"}, "steps": 3}"#,
                #"scheduler.name="cosineAnnealingLR""#
            ),
            (#"{"lrs": [-0.1], "scheduler": {"name": "exponential", "gamma": 0.9}}"#, "lrs[0]=-0.1"),
            (#"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 0.9}, "steps": -2}"#, "steps=-2"),
            (
                #"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 0.9}, "steps": 2, "signals": []}"#,
                "steps=2"
            ),
            (#"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 0.9}, "epochs": 2}"#, "epochs=2"),
            (
                #"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 0.9}, "signals": [{"loss": 1}]}"#,
                "signals[0].loss=1"
            ),
            (#"{"lrs": [0.1], "scheduler": {"name": "dlrs", "maxLR": 1e-9}, "steps": 2}"#, "scheduler.maxLR=1e-09"),
            (#"{"lrs": [0.1], "scheduler": {"name": "step" "#, "--config="),
        ])
    func invalidConfig(_ json: String, _ named: String) throws {
        let result = try BuiltBinary.schedule(json)
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        let errorLines = result.standardError.split(separator: "\n")
        #expect(errorLines.count == 1, "\(result.standardError)")
        #expect(result.standardError.contains(named), "\(result.standardError)")
    }

    @Test("--log-scale without --format svg is refused rather than ignored")
    func logScaleNeedsSVG() throws {
        // Refused while the arguments are validated, before the configuration is read.
        let result = runInProcess(["schedule", "--config", "/nonexistent/config.json", "--log-scale"])
        #expect(result.status != 0)
        #expect(result.message.contains("--log-scale applies to --format svg only"), "\(result.message)")
    }

    @Test("the configuration is read from standard input (-), a pipe or a process substitution")
    func configurationFromStandardInputAndPipes() throws {
        let json = #"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 0.5}, "steps": 2}"#
        // 0.1·0.5^k for k = 0, 1, 2: 0.1, 0.05, 0.025 exactly as binary64 halvings.
        let expected = [#"{"step": 0, "lrs": [0.1]}"#, #"{"step": 1, "lrs": [0.05]}"#, #"{"step": 2, "lrs": [0.025]}"#]
        let standardInput = try runGlidepath(["schedule", "--config", "-"], standardInput: Data(json.utf8))
        #expect(standardInput.status == 0, "\(standardInput.standardError)")
        #expect(standardInput.lines == expected)
        // What the issue reports failing: `--config <(echo …)`, a /dev/fd path the shell opens as a pipe.
        let binary = try glidepathBinary().path
        let substituted = try shell("'\(binary)' schedule --config <(printf '%s' '\(json)')")
        #expect(substituted.status == 0, "\(substituted.standardError)")
        #expect(substituted.lines == expected)
        // The same through train's --scheduler-config: the file is read (and its unknown field named)
        // before any data is needed.
        let train = try shell(
            "'\(binary)' train --task adult-mlp --scheduler cosine --data-dir /nonexistent "
                + #"--scheduler-config <(printf '%s' '{"stepSize": 3}')"#)
        #expect(train.status == 1)
        #expect(
            train.standardError.contains("scheduler.stepSize=3: unknown field for cosine"), "\(train.standardError)")
        let directory = try runGlidepath(["schedule", "--config", FileManager.default.temporaryDirectory.path])
        #expect(directory.status == 1 && directory.standardError.contains("cannot read the file (it is a directory)"))
    }

    /// Runs `command` with bash (for process substitution), in a fresh temporary directory.
    private func shell(_ command: String) throws -> ProcessOutcome {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory.url
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    @Test("an invalid observation prints the lines before it, then exits naming the step and value")
    func invalidObservation() throws {
        let result = try BuiltBinary.schedule(
            #"{"lrs": [0.1], "scheduler": {"name": "reduceOnPlateau"}, "signals": [{"metric": 1}, {"metric": 0.5}, {"metric": "NaN"}, {"metric": 0.4}]}"#
        )
        #expect(result.status != 0)
        #expect(try Self.parse(result).map(\.step) == [0, 1, 2])
        #expect(result.standardError == "error: step 3 (signals[2]): metric=nan: metric is NaN\n")
        let missing = try BuiltBinary.schedule(
            #"{"lrs": [0.1], "scheduler": {"name": "warmup", "steps": 2, "scheduler": {"name": "reduceOnPlateau"}}, "steps": 4}"#
        )
        // Warm-up ignores observations; the plateau scheduler then needs a metric at step 3.
        #expect(missing.status != 0)
        #expect(try Self.parse(missing).map(\.step) == [0, 1, 2])
        #expect(missing.standardError.hasPrefix("error: step 3 (signals[2]): metric=nil"))
    }

    static let goldenConfig = #"""
        {"lrs": [0.1, 0.05], "scheduler": {"name": "warmup", "steps": 5, "startFactor": 0.1,
         "scheduler": {"name": "cosine", "tMax": 30, "etaMin": 0.001}}, "steps": 40}
        """#

    @Test("svg: a real plot with axes, ticks, labels, a polyline per group and a legend")
    func svgStructure() throws {
        for logScale in [false, true] {
            let result = try BuiltBinary.schedule(
                Self.goldenConfig, ["--format", "svg"] + (logScale ? ["--log-scale"] : []))
            #expect(result.status == 0)
            let svg = result.standardOutput
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(svg.hasSuffix("</svg>\n"))
            #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
            #expect(svg.contains(">group 0</text>") && svg.contains(">group 1</text>"))
            #expect(svg.contains(">step</text>"))
            #expect(svg.contains(logScale ? "learning rate (log scale)" : ">learning rate</text>"))
            // 41 points per polyline (k = 0…40).
            let points = svg.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
            #expect(points.split(separator: " ").count == 41)
            // Deterministic bytes.
            let again = try BuiltBinary.schedule(
                Self.goldenConfig, ["--format", "svg"] + (logScale ? ["--log-scale"] : []))
            #expect(again.standardOutput == svg)
        }
    }

    @Test("svg golden file")
    func svgGolden() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden/schedule-warmup-cosine.svg")
        let result = try BuiltBinary.schedule(Self.goldenConfig, ["--format", "svg"])
        #expect(result.status == 0)
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            try result.standardOutput.write(to: golden, atomically: true, encoding: .utf8)
            Issue.record("Recorded new baseline at \(golden.path); review it and rerun")
            return
        }
        #expect(result.standardOutput == expected, "SVG differs from \(golden.path)")
    }
}
