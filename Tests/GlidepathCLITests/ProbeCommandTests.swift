import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN
import GlidepathTestSupport
import Testing

/// Landscape probing through the built binary: exact resume after SIGKILL, `runs export --what probes`,
/// `runs show`, `glidepath probe --json` and `runs export-model` (issue 11, items 3–5).
@Suite("glidepath train --probe-every, probe, export-model")
struct ProbeCommandTests {
    /// Every probe's measurement without its wall and CPU times, and its decision, bit for bit.
    static func probeRecord(store path: String, run: String) throws -> [String] {
        let store = try RunStore(path: path, access: .readOnly)
        return try store.probes(of: try store.run(matching: run).id).map { record in
            var m = record.measurement
            m.cost.seconds = 0
            m.cost.cpuSeconds = nil
            m.cost.updateCPUSeconds = nil
            m.cost.measuredCostFactor = nil  // measured from CPU times
            m.lambdaMax?.seconds = nil
            m.lambdaMax?.cpuSeconds = nil
            m.preconditionedLambdaMax?.seconds = nil
            m.preconditionedLambdaMax?.cpuSeconds = nil
            m.trace?.seconds = nil
            let encoded = try StateCoding.encoder().encode(m)
            let decision = try StateCoding.encoder().encode(record.decision)
            return "\(record.step) \(record.epoch) " + String(decoding: encoded, as: UTF8.self)
                + String(decoding: decision, as: UTF8.self)
        }
    }

    @Test(
        "a landscape run killed mid-epoch resumes to the uninterrupted run's steps and probes, bit for bit",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func killedLandscapeRunResumesExactly() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = smallAdultArguments(dataDirectory: data, scheduler: "landscape") + ["--probe-every", "3"]
        let baseline = try runGlidepath(arguments + ["--store", "baseline.sqlite"], in: directory.url)
        #expect(baseline.status == 0, "\(baseline.standardError)")
        let expected = try decodeResult(baseline)
        let expectedSteps = try deterministicRecord(store: directory.path("baseline.sqlite"), run: expected.runId)
        let expectedProbes = try Self.probeRecord(store: directory.path("baseline.sqlite"), run: expected.runId)
        #expect(expectedProbes.count == 8, "24 updates, a probe every 3")

        let killed = try WatchedGlidepath(
            arguments + ["--store", "killed.sqlite", "--step-delay-ms", "250"], in: directory.url)
        #expect(killed.waitFor("epoch 2/3 step 5/8"))
        killed.signal(SIGKILL)
        _ = killed.finish()
        let store = directory.path("killed.sqlite")
        let run = try #require(try RunStore(path: store, access: .readOnly).runs().first)
        let resumed = try runGlidepath(
            ["train", "--resume", run.id.rawValue, "--store", "killed.sqlite", "--json"],
            in: directory.url)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(deterministicFields(try decodeResult(resumed)) == deterministicFields(expected))
        #expect(try deterministicRecord(store: store, run: run.id.rawValue) == expectedSteps)
        #expect(try Self.probeRecord(store: store, run: run.id.rawValue) == expectedProbes)

        // The store's probes, exported and summarised.
        let export = try runGlidepath(
            ["runs", "export", run.id.rawValue, "--store", "killed.sqlite", "--what", "probes"],
            in: directory.url)
        #expect(export.status == 0)
        let lines = export.standardOutput.split(separator: "\n")
        #expect(lines.count == 1 + 8)
        #expect(lines.first?.hasPrefix("run_id,task,scheduler,seed,epoch,step,loss,") == true)
        let show = try runGlidepath(["runs", "show", run.id.rawValue, "--store", "killed.sqlite"], in: directory.url)
        #expect(show.standardOutput.contains("landscape probes: 8 (updates 3–24)"), "\(show.standardOutput)")
    }

    @Test(
        "glidepath probe --json and runs export-model work on a run's checkpoint",
        .enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func probeAndExportModel() throws {
        let data = try TestEnvironment.requireDataDirectory()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let trained = try runGlidepath(
            smallAdultArguments(dataDirectory: data, epochs: 1, scheduler: "fixed")
                + ["--store", "s.sqlite"], in: directory.url)
        #expect(trained.status == 0, "\(trained.standardError)")
        let run = try decodeResult(trained).runId
        let probe = try runGlidepath(
            [
                "probe", "--run", run, "--store", "s.sqlite", "--examples", "64", "--json",
                "--save-inputs", "inputs.safetensors",
            ], in: directory.url)
        #expect(probe.status == 0, "\(probe.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(probe.standardOutput.utf8)) as? [String: Any])
        for key in ["loss", "gradientNorm", "lambdaMax", "trace", "noiseScale"] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect(object["examples"] as? Int == 64)
        let inputs = try SafeTensorsFile.read(from: directory.url.appendingPathComponent("inputs.safetensors"))
        #expect(try inputs.entry("batch.features").shape == [64, 108])

        let export = try runGlidepath(
            ["runs", "export-model", run, "--store", "s.sqlite", "--output", "m.safetensors"],
            in: directory.url)
        #expect(export.status == 0, "\(export.standardError)")
        let model = try SafeTensorsFile.read(from: directory.url.appendingPathComponent("m.safetensors"))
        #expect(
            model.entries.map(\.name).sorted() == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"])
        #expect(try model.entry("0.weight").shape == [256, 108])
        #expect(model.metadata["task"] == "adult-mlp")
        // The probe's saved weights are the exported ones.
        #expect(try inputs.entry("0.weight") == (try model.entry("0.weight")))

        let bad = try runGlidepath(
            ["probe", "--run", run, "--store", "s.sqlite", "--examples", "0"], in: directory.url)
        #expect(bad.status != 0 && bad.standardError.contains("--examples"))
    }
}
