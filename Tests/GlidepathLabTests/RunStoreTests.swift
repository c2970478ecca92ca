import Foundation
import GRDB
import Glidepath
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

/// 2026-11-23T07:17:49.250Z: a fixed instant for run identifiers and timestamps.
let fixedStart = Date(timeIntervalSince1970: 1_795_418_269.25)

func sampleConfiguration(task: TrainingTask = .adultMLP, scheduler: String = "cosine", seed: UInt64 = 7)
    -> RunConfiguration
{
    // A double with an integral value would come back as .int (StateValue decodes 0.0 as an integer),
    // so the sample uses 0.5.
    RunConfiguration(
        task: task, scheduler: scheduler,
        schedulerConfiguration: .object(["totalSteps": .int(100), "minimumRate": .double(0.5)]),
        epochs: 3, seed: seed, dataDirectory: "/data", targetValidationLoss: 0.35, threads: 2)
}

let sampleMachine = MachineDescription(
    cpuModel: "Test CPU", logicalCores: 2, memoryBytes: 1 << 34, operatingSystem: "Test OS", kernel: "6.1",
    loadAverages: [0.5, 0.25, 0.125], threads: ThreadSettings(computeThreads: 2, environment: ["OMP_NUM_THREADS": "1"]))

let sampleCode = CodeVersion(package: "0.1.0", commit: String(repeating: "a", count: 40), dirty: false)

@Suite("Run store")
struct RunStoreTests {
    @Test("run identifiers: fixed format, counter per second, sortable")
    func identifiers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock(start: fixedStart)
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: clock)
        let first = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        let second = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        clock.advance(by: 1)
        let third = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        // fixedStart is 07:17:49.25 UTC on 2026-11-23; +1 s is 07:17:50.
        #expect(first.rawValue == "20261123-071749-0001")
        #expect(second.rawValue == "20261123-071749-0002")
        #expect(third.rawValue == "20261123-071750-0001")
        #expect([third, first, second].sorted() == [first, second, third])
        #expect(try store.runs().map(\.id) == [first, second, third])
        // A second connection to the same file (another process) continues the counter.
        let other = try RunStore(path: directory.path("runs.sqlite"), clock: clock)
        #expect(
            try other.createRun(configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
                .rawValue == "20261123-071750-0002")
        #expect(RunIdentifier("20261123-071749-0000") == nil)
        #expect(RunIdentifier("20261123T071749-0001") == nil)
        #expect(RunIdentifier("2026112-071749-00001") == nil)
    }

    @Test("a run's configuration, provenance, steps, epochs and checkpoints round-trip")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock(start: fixedStart)
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: clock)
        let configuration = sampleConfiguration()
        let id = try store.createRun(configuration: configuration, codeVersion: sampleCode, machine: sampleMachine)
        let steps = [
            StepRecord(step: 1, epoch: 1, loss: 0.69, learningRates: [1e-3, 5e-4], gradientNorm: 1.5),
            StepRecord(step: 2, epoch: 1, loss: .nan, learningRates: [(0.1).nextDown, 5e-4], gradientNorm: nil),
            StepRecord(step: 3, epoch: 1, loss: .infinity, learningRates: [1e-3, 5e-4], gradientNorm: 2.25),
        ]
        let epoch = EpochRecord(
            epoch: 1, trainLoss: 0.6, validationLoss: 0.5, validationAccuracy: 0.8,
            validationF1: 0.75, validationAUC: 0.9, learningRates: [1e-3, 5e-4],
            trainSeconds: 12.5, evaluationSeconds: 1.25, topEigenvalue: 40, hessianTrace: nil)
        let checkpoint = CheckpointRecord(
            step: 3, epoch: 1, reason: .epoch, path: "/ck/epoch-1.gpck",
            checksum: "0123abcd", byteCount: 1234, createdAt: fixedStart)
        try store.commit(RunCommit(steps: steps, epoch: epoch, checkpoint: checkpoint), to: id)

        let run = try store.run(id)
        #expect(run.status == .running)
        #expect(run.task == "adult-mlp")
        #expect(run.seed == 7)
        #expect(try run.configuration() == configuration)
        #expect(run.codeVersion == sampleCode)
        #expect(run.machine == sampleMachine)
        #expect(run.createdAt == fixedStart)
        #expect(run.epochsCompleted == 1)
        #expect(run.epochsConfigured == 3)
        #expect(run.bestValidationLoss == 0.5)
        let stored = try store.steps(of: id)
        #expect(stored.count == 3)
        #expect(stored[0] == steps[0])
        #expect(stored[1].loss.isNaN)  // stored as NULL, read back as NaN
        #expect(stored[1].learningRates[0].bitPattern == (0.1).nextDown.bitPattern)
        #expect(stored[2] == steps[2])
        #expect(try store.epochs(of: id) == [epoch])
        #expect(try store.latestCheckpoint(of: id) == checkpoint)

        let result = RunResultRecord(
            runId: id.rawValue, task: .adultMLP, scheduler: "cosine", seed: 7, epochs: 1,
            status: .completed, testLoss: 0.4, testAccuracy: 0.85, testF1: 0.8, testAUC: 0.9,
            bestValLoss: 0.5, epochsToTarget: nil, secondsToTarget: nil, trainSeconds: 12.5,
            evaluationSeconds: 1.25)
        try store.commit(RunCommit(status: .completed, result: result), to: id)
        #expect(try store.run(id).status == .completed)
        #expect(try store.run(id).result() == result)
    }

    @Test("a failing commit writes nothing: no half-written epoch")
    func atomicCommit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: ManualClock(start: fixedStart))
        let id = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        try store.commit(
            RunCommit(steps: [StepRecord(step: 1, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil)]), to: id
        )
        // Step 1 is already stored, so inserting it again fails inside the transaction after step 2 and
        // before the epoch row: SQLite must roll back step 2 as well.
        let epoch = EpochRecord(
            epoch: 1, trainLoss: 1, validationLoss: 1, validationAccuracy: 0.5, validationF1: 0.5,
            validationAUC: nil, learningRates: [1e-3], trainSeconds: 1, evaluationSeconds: 1)
        let bad = RunCommit(
            steps: [
                StepRecord(step: 2, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil),
                StepRecord(step: 3, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil),
            ],
            epoch: epoch, status: .completed)
        try store.commit(
            RunCommit(
                steps: [StepRecord(step: 3, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil)],
                checkpoint: CheckpointRecord(
                    step: 3, epoch: 0, reason: .interrupt, path: "/x",
                    checksum: "00000000", byteCount: 1, createdAt: fixedStart)),
            to: id)
        #expect(throws: RunStoreError.self) { try store.commit(bad, to: id) }
        #expect(try store.steps(of: id).map(\.step) == [1, 3])
        #expect(try store.epochs(of: id).isEmpty)
        #expect(try store.run(id).status == .running)
        // Validation failures are caught before the transaction.
        let disordered = RunCommit(steps: [
            StepRecord(step: 5, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil),
            StepRecord(step: 4, epoch: 1, loss: 1, learningRates: [1e-3], gradientNorm: nil),
        ])
        #expect(throws: RunStoreError.self) { try store.commit(disordered, to: id) }
        #expect(try store.steps(of: id).map(\.step) == [1, 3])
        let unknown = RunIdentifier(date: fixedStart, counter: 99)
        #expect(throws: RunStoreError.unknownRun(path: store.path, runId: unknown.rawValue)) {
            try store.commit(RunCommit(status: .failed), to: unknown)
        }
    }

    @Test("rewind deletes what follows a checkpoint")
    func rewind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: ManualClock(start: fixedStart))
        let id = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        func epochCommit(_ number: Int) -> RunCommit {
            let steps = (1...2).map {
                StepRecord(
                    step: 2 * (number - 1) + $0, epoch: number, loss: 1, learningRates: [1e-3], gradientNorm: nil)
            }
            return RunCommit(
                steps: steps,
                epoch: EpochRecord(
                    epoch: number, trainLoss: 1, validationLoss: 1, validationAccuracy: 0.5,
                    validationF1: 0.5, validationAUC: nil, learningRates: [1e-3],
                    trainSeconds: 1, evaluationSeconds: 1),
                checkpoint: CheckpointRecord(
                    step: 2 * number, epoch: number, reason: .epoch, path: "/e\(number)",
                    checksum: "00000000", byteCount: 1, createdAt: fixedStart))
        }
        try store.commit(epochCommit(1), to: id)
        try store.commit(epochCommit(2), to: id)
        try store.commit(RunCommit(status: .interrupted), to: id)
        let first = try #require(try store.checkpoints(of: id).first)
        try store.rewind(id, to: first)
        #expect(try store.steps(of: id).map(\.step) == [1, 2])
        #expect(try store.epochs(of: id).map(\.epoch) == [1])
        #expect(try store.latestCheckpoint(of: id) == first)
        #expect(try store.run(id).status == .running)
    }

    @Test("runs are found by identifier or unique prefix")
    func lookup() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock(start: fixedStart)
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: clock)
        let first = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        clock.advance(by: 60)
        let second = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        #expect(try store.run(matching: first.rawValue).id == first)
        #expect(try store.run(matching: "20261123-0718").id == second)
        #expect(throws: RunStoreError.self) { try store.run(matching: "20261123") }  // ambiguous
        #expect(throws: RunStoreError.unknownRun(path: store.path, runId: "nope")) { try store.run(matching: "nope") }
        #expect(throws: RunStoreError.unknownRun(path: store.path, runId: "")) { try store.run(matching: "") }
        #expect(throws: RunStoreError.unknownRun(path: store.path, runId: "%")) { try store.run(matching: "%") }
    }

    @Test("opening: missing, foreign, read-only")
    func opening() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("missing.sqlite")
        #expect(throws: RunStoreError.missingStore(path: missing)) { try RunStore(path: missing, access: .readOnly) }
        #expect(!FileManager.default.fileExists(atPath: missing))

        let text = directory.path("text.sqlite")
        try Data("hello, this is not a database".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: RunStoreError.notARunStore(path: text, reason: "not an SQLite database")) {
            try RunStore(path: text)
        }

        let foreign = directory.path("foreign.sqlite")
        do {
            let queue = try DatabaseQueue(path: foreign)
            try queue.write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        }
        #expect(
            throws: RunStoreError.notARunStore(
                path: foreign, reason: "an SQLite database without the run store's identity")
        ) {
            try RunStore(path: foreign)
        }

        // An empty file is refused for reading and becomes a new store for writing.
        let empty = directory.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: RunStoreError.notARunStore(path: empty, reason: "the file is empty")) {
            try RunStore(path: empty, access: .readOnly)
        }
        #expect(try RunStore(path: empty).runs().isEmpty)
        #expect(throws: RunStoreError.self) { try RunStore(path: directory.path("no/such/dir/runs.sqlite")) }

        let path = directory.path("runs.sqlite")
        do {
            let store = try RunStore(path: path, clock: ManualClock(start: fixedStart))
            _ = try store.createRun(
                configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        }
        let reader = try RunStore(path: path, access: .readOnly)
        #expect(try reader.runs().count == 1)
        #expect(throws: RunStoreError.self) {
            try reader.createRun(configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        }
        // The store runs in WAL mode.
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("an older schema: read-only access refuses it, read-write access migrates it")
    func olderSchema() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.sqlite")
        // A run store at schema version 0: the identity is set, no migration has run yet.
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { try $0.execute(sql: "PRAGMA application_id = \(RunStoreSchema.applicationID)") }
        }
        #expect(throws: RunStoreError.outdatedSchema(path: path, found: 0, supported: RunStore.schemaVersion)) {
            try RunStore(path: path, access: .readOnly)
        }
        #expect(try RunStore(path: path).runs().isEmpty)
        #expect(try RunStore(path: path, access: .readOnly).runs().isEmpty)
    }

    @Test("WAL: a reader sees the last committed state while a writer holds an open transaction")
    func concurrentReader() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.sqlite")
        let store = try RunStore(path: path, clock: ManualClock(start: fixedStart))
        _ = try store.createRun(configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        let writer = try DatabaseQueue(path: path)
        try writer.inTransaction(.immediate) { db in
            try db.execute(sql: "UPDATE runs SET scheduler = 'uncommitted'")
            // `glidepath runs list` during a training run's write: not blocked, and sees committed data only.
            let reader = try RunStore(path: path, access: .readOnly)
            #expect(try reader.runs().map(\.scheduler) == ["cosine"])
            return .rollback
        }
    }

    @Test("a store from a newer schema is refused with a typed error and left byte-identical")
    func newerSchema() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.sqlite")
        do {
            let store = try RunStore(path: path, clock: ManualClock(start: fixedStart))
            _ = try store.createRun(
                configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        }
        // What a future Glidepath does when it migrates: bump user_version (here to 99) in a transaction.
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { try $0.execute(sql: "PRAGMA user_version = 99") }
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        for access in [RunStoreAccess.readWrite, .readOnly] {
            #expect(throws: RunStoreError.newerSchema(path: path, found: 99, supported: RunStore.schemaVersion)) {
                try RunStore(path: path, access: access)
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == filesBefore)
        #expect(RunStoreError.newerSchema(path: path, found: 99, supported: 1).description.contains("newer"))
    }

    @Test("the schema matches its golden file")
    func schemaGolden() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.sqlite"))
        expectGolden(try store.schemaDump(), named: "run-store-schema.txt")
    }

    @Test("exports: tidy CSV and JSON lines")
    func export() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: ManualClock(start: fixedStart))
        let id = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        try store.commit(
            RunCommit(
                steps: [
                    StepRecord(step: 1, epoch: 1, loss: 0.5, learningRates: [1e-3, 1e-5], gradientNorm: 2),
                    StepRecord(step: 2, epoch: 1, loss: .nan, learningRates: [1e-3, 1e-5], gradientNorm: nil),
                ],
                epoch: EpochRecord(
                    epoch: 1, trainLoss: 0.5, validationLoss: 0.25, validationAccuracy: 0.75, validationF1: 0.5,
                    validationAUC: nil, learningRates: [1e-3, 1e-5], trainSeconds: 3, evaluationSeconds: 0.5)),
            to: id)
        let run = try store.run(id)
        // Expected text: the rows above in Swift's shortest round-trip number form.
        #expect(
            try RunExport.export(run, from: store, table: .steps, format: .csv) == """
                run_id,task,scheduler,seed,epoch,step,loss,gradient_norm,lr_0,lr_1
                20261123-071749-0001,adult-mlp,cosine,7,1,1,0.5,2.0,0.001,1e-05
                20261123-071749-0001,adult-mlp,cosine,7,1,2,nan,,0.001,1e-05

                """)
        #expect(
            try RunExport.export(run, from: store, table: .steps, format: .jsonl) == """
                {"epoch":1,"gradient_norm":2,"learning_rates":[0.001,1e-05],"loss":0.5,"run_id":"20261123-071749-0001","scheduler":"cosine","seed":7,"step":1,"step_sizes":null,"task":"adult-mlp"}
                {"epoch":1,"gradient_norm":null,"learning_rates":[0.001,1e-05],"loss":"NaN","run_id":"20261123-071749-0001","scheduler":"cosine","seed":7,"step":2,"step_sizes":null,"task":"adult-mlp"}

                """)
        #expect(
            try RunExport.export(run, from: store, table: .epochs, format: .csv) == """
                run_id,task,scheduler,seed,epoch,train_loss,validation_loss,validation_accuracy,validation_f1,validation_auc,train_seconds,evaluation_seconds,top_eigenvalue,hessian_trace,lr_0,lr_1
                20261123-071749-0001,adult-mlp,cosine,7,1,0.5,0.25,0.75,0.5,,3.0,0.5,,,0.001,1e-05

                """)
    }

    /// An optimizer's step-size estimates (Prodigy's d, DoG's η) are stored per step and per epoch and
    /// exported beside the rates; rows without them read back as nil.
    @Test("step-size estimates: stored, read back, exported")
    func stepSizeEstimates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.sqlite"), clock: ManualClock(start: fixedStart))
        let id = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        let steps = [
            StepRecord(step: 1, epoch: 1, loss: 0.5, learningRates: [1], gradientNorm: 2, stepSizes: [1e-6]),
            StepRecord(step: 2, epoch: 1, loss: 0.4, learningRates: [1], gradientNorm: 1, stepSizes: [0.25]),
        ]
        let epoch = EpochRecord(
            epoch: 1, trainLoss: 0.45, validationLoss: 0.5, validationAccuracy: 0.75, validationF1: 0.5,
            validationAUC: nil, learningRates: [1], trainSeconds: 3, evaluationSeconds: 0.5,
            stepSizes: [0.25])
        try store.commit(RunCommit(steps: steps, epoch: epoch), to: id)
        #expect(try store.steps(of: id) == steps)
        #expect(try store.epochs(of: id) == [epoch])
        let run = try store.run(id)
        #expect(
            try RunExport.export(run, from: store, table: .steps, format: .csv) == """
                run_id,task,scheduler,seed,epoch,step,loss,gradient_norm,lr_0,step_size_0
                20261123-071749-0001,adult-mlp,cosine,7,1,1,0.5,2.0,1.0,1e-06
                20261123-071749-0001,adult-mlp,cosine,7,1,2,0.4,1.0,1.0,0.25

                """)
        #expect(
            try RunExport.export(run, from: store, table: .epochs, format: .jsonl).contains(#""step_sizes":[0.25]"#))
        let plain = try store.createRun(
            configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
        try store.commit(
            RunCommit(steps: [StepRecord(step: 1, epoch: 1, loss: 0.5, learningRates: [1], gradientNorm: nil)]),
            to: plain)
        #expect(try store.steps(of: plain).first?.stepSizes == nil)
    }

    /// A store written before the step-size columns existed migrates when opened for writing:
    /// its rows read back without estimates and new rows get them.
    @Test("a store from before the step-size columns migrates and keeps its rows")
    func stepSizeMigration() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.sqlite")
        let id: RunIdentifier
        do {
            let store = try RunStore(path: path, clock: ManualClock(start: fixedStart))
            id = try store.createRun(
                configuration: sampleConfiguration(), codeVersion: sampleCode, machine: sampleMachine)
            try store.commit(
                RunCommit(steps: [StepRecord(step: 1, epoch: 1, loss: 0.5, learningRates: [1], gradientNorm: nil)]),
                to: id)
        }
        // Turn it back into the schema before this migration: the columns, the migration record and the
        // version go.
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TABLE study_cells;
                    DROP TABLE studies;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%';
                    ALTER TABLE steps DROP COLUMN step_sizes;
                    ALTER TABLE epochs DROP COLUMN step_sizes;
                    DELETE FROM grdb_migrations WHERE identifier LIKE '%optimizer step-size estimates%';
                    PRAGMA user_version = 2;
                    """)
        }
        try queue.close()
        #expect(throws: RunStoreError.self) { try RunStore(path: path, access: .readOnly) }
        let store = try RunStore(path: path, clock: ManualClock(start: fixedStart))
        #expect(try store.steps(of: id).map(\.stepSizes) == [nil])
        try store.commit(
            RunCommit(steps: [
                StepRecord(
                    step: 2, epoch: 1, loss: 0.4, learningRates: [1], gradientNorm: nil,
                    stepSizes: [0.5])
            ]), to: id)
        #expect(try store.steps(of: id).map(\.stepSizes) == [nil, [0.5]])
    }
}
