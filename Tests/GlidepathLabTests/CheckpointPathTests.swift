import Foundation
import GRDB
import Glidepath
import Testing

@testable import GlidepathLab

/// Issue 17, data loss: resume deleted checkpoint files by the absolute path the store recorded, so a
/// copied project (`cp -a projA projB`) deleted projA's checkpoints and a tampered row deleted any file.
@Suite("Checkpoint paths: relative to the store, deletions confined to the run's directory")
struct CheckpointPathTests {
    func state(epochs: Int, steps: Int) -> Checkpoint {
        Checkpoint(
            counters: TrainingCounters(completedEpochs: epochs, stepsIntoEpoch: 0, completedSteps: steps),
            modelState: Data([UInt8(steps)]), optimizerState: Data(), schedulerState: .int(steps),
            randomState: Data(), loaderState: .null)
    }

    func epochRecord(_ epoch: Int) -> EpochRecord {
        EpochRecord(
            epoch: epoch, trainLoss: 1, validationLoss: 1, validationAccuracy: 0.5, validationF1: 0.5,
            validationAUC: nil, learningRates: [1e-3], trainSeconds: 1, evaluationSeconds: 0.25)
    }

    /// Trains epochs `epochs` (one step each) through a fresh recorder, which is released on return.
    func train(_ store: RunStore, _ run: RunIdentifier, epochs: ClosedRange<Int>, clock: ManualClock) throws {
        let recorder = try RunRecorder(store: store, run: run, retainedCheckpoints: 2, clock: clock)
        if epochs.lowerBound > 1 {
            let point = try #require(try recorder.resumePoint())
            try store.rewind(run, to: point.record)
        }
        for epoch in epochs {
            recorder.record(StepRecord(step: epoch, epoch: epoch, loss: 1, learningRates: [1e-3], gradientNorm: nil))
            try recorder.completeEpoch(epochRecord(epoch), checkpoint: state(epochs: epoch, steps: epoch))
        }
    }

    /// The stored `checkpoints.path` column of `run`, oldest first.
    func storedPaths(_ storePath: String, _ run: RunIdentifier) throws -> [String] {
        let queue = try DatabaseQueue(path: storePath)
        return try queue.read { db in
            try String.fetchAll(
                db, sql: "SELECT path FROM checkpoints WHERE run_id = ? ORDER BY step",
                arguments: [run.rawValue])
        }
    }

    func execute(_ storePath: String, _ sql: String, _ arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: storePath)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// Every file under `directory` with its bytes.
    func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    func copyTree(_ source: String, to destination: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cp")
        process.arguments = ["-a", source, destination]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(
        "paths are stored relative to the store; `cp -a` of the project resumes in the copy, the original is untouched and still resumable"
    )
    func copiedProject() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let projectA = root.path("projA")
        let projectB = root.path("projB")
        try FileManager.default.createDirectory(atPath: projectA, withIntermediateDirectories: true)
        let clock = ManualClock(start: fixedStart)
        let run: RunIdentifier
        do {
            let store = try RunStore(path: projectA + "/runs.sqlite", clock: clock)
            run = try store.createRun(
                configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
            try train(store, run, epochs: 1...3, clock: clock)
        }
        // Relative to the store's directory: glidepath-checkpoints/<store file>/<run>/<file>.
        #expect(
            try storedPaths(projectA + "/runs.sqlite", run)
                == [2, 3].map {
                    "glidepath-checkpoints/runs.sqlite/\(run.rawValue)/step-0000000\($0)-epoch.gpck"
                })
        try copyTree(projectA, to: projectB)
        let original = try snapshot(projectA)

        // Resume in the copy: it reads the copy's files and prunes only the copy's.
        let storeB = try RunStore(path: projectB + "/runs.sqlite", clock: clock)
        let point = try #require(try RunRecorder(store: storeB, run: run, clock: clock).resumePoint())
        #expect(point.record.path.hasPrefix(URL(fileURLWithPath: projectB).standardizedFileURL.path + "/"))
        try train(storeB, run, epochs: 4...5, clock: clock)
        #expect(try snapshot(projectA) == original)

        // The original is still resumable from its newest checkpoint.
        let storeA = try RunStore(path: projectA + "/runs.sqlite", clock: clock)
        let pointA = try #require(try RunRecorder(store: storeA, run: run, clock: clock).resumePoint())
        #expect(pointA.record.step == 3 && pointA.skipped.isEmpty)
        #expect(pointA.record.path.hasPrefix(URL(fileURLWithPath: projectA).standardizedFileURL.path + "/"))
    }

    @Test("absolute rows of earlier builds: a copied store reads its own files and never deletes the original's")
    func legacyAbsoluteRows() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let projectA = root.path("projA")
        let projectB = root.path("projB")
        try FileManager.default.createDirectory(atPath: projectA, withIntermediateDirectories: true)
        let clock = ManualClock(start: fixedStart)
        let run: RunIdentifier
        do {
            let store = try RunStore(path: projectA + "/runs.sqlite", clock: clock)
            run = try store.createRun(
                configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
            try train(store, run, epochs: 1...3, clock: clock)
        }
        // What an earlier build wrote: the absolute path.
        let absoluteA = URL(fileURLWithPath: projectA).standardizedFileURL.path + "/"
        try execute(projectA + "/runs.sqlite", "UPDATE checkpoints SET path = ? || path", [absoluteA])
        try copyTree(projectA, to: projectB)
        let original = try snapshot(projectA)

        let storeB = try RunStore(path: projectB + "/runs.sqlite", clock: clock)
        let point = try #require(try RunRecorder(store: storeB, run: run, clock: clock).resumePoint())
        #expect(point.record.path.hasPrefix(URL(fileURLWithPath: projectB).standardizedFileURL.path + "/"))
        try train(storeB, run, epochs: 4...6, clock: clock)
        #expect(try snapshot(projectA) == original)
        let storeA = try RunStore(path: projectA + "/runs.sqlite", clock: clock)
        #expect(try RunRecorder(store: storeA, run: run, clock: clock).resumePoint()?.record.step == 3)
    }

    @Test("a tampered path (absolute, or escaping with ..) is never unlinked; the row is still pruned")
    func tamperedPaths() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let victimAbsolute = root.path("victim-absolute")
        let victimRelative = root.path("victim-relative")
        for victim in [victimAbsolute, victimRelative] {
            try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        }
        let project = root.path("proj")
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        let clock = ManualClock(start: fixedStart)
        let storePath = project + "/runs.sqlite"
        let store = try RunStore(path: storePath, clock: clock)
        let run = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        try train(store, run, epochs: 1...2, clock: clock)
        // `update checkpoints set path='/tmp/x'`, and a relative path that climbs out of the project.
        try execute(storePath, "UPDATE checkpoints SET path = ? WHERE step = 1", [victimAbsolute])
        try execute(storePath, "UPDATE checkpoints SET path = '../victim-relative' WHERE step = 2")
        // Neither row verifies (their files are not checkpoints), so the run restarts from step 0.
        let recorder = try RunRecorder(store: store, run: run, retainedCheckpoints: 2, clock: clock)
        let point = try recorder.resumePoint()
        #expect(point == nil)
        for epoch in 3...5 {
            recorder.record(StepRecord(step: epoch, epoch: epoch, loss: 1, learningRates: [1e-3], gradientNorm: nil))
            try recorder.completeEpoch(epochRecord(epoch), checkpoint: state(epochs: epoch, steps: epoch))
        }
        // Both tampered rows were pruned, both files survive byte for byte.
        #expect(try store.checkpoints(of: run).map(\.step) == [4, 5])
        for victim in [victimAbsolute, victimRelative] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == Data("precious".utf8))
        }
    }

    @Test("a FIFO or directory named by a row is refused as not a regular file, without blocking")
    func specialFiles() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let fifo = root.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, root.path("")] {
            #expect {
                _ = try CheckpointFile.read(from: path)
            } throws: { error in
                guard case let CheckpointError.unreadable(_, reason) = error else { return false }
                return reason.hasPrefix("not a regular file")
            }
        }
        #expect {
            _ = try CheckpointFile.read(from: root.path("missing"))
        } throws: { error in
            (error as? CheckpointError) == .unreadable(path: root.path("missing"), reason: "the file does not exist")
        }
    }
}
