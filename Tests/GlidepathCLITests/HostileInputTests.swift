import Foundation
import GlidepathLab
import GlidepathMLRSNet
import GlidepathTestSupport
import Testing

/// Issue 17's hostile-input sweep as a table: each case is one `glidepath` command on a hand-made input,
/// with the exit status it must give, key words its standard error must contain, and — for every case —
/// the check that the run store (and every other file of the directory the command runs in) is byte for
/// byte unchanged unless the case says it may write. Each case runs the built binary in a fresh
/// directory holding the CLI fixture store (`makeFixtureStore`), and takes well under a second.
@Suite("Hostile inputs: typed errors, no crash, nothing written")
struct HostileInputTests {
    struct Case: CustomStringConvertible {
        var name: String
        var arguments: [String]
        /// Files to create first, relative to the case's directory.
        var files: [String: Data] = [:]
        var status: Int32
        /// Words standard error must contain.
        var errorWords: [String] = []
        /// Words standard output must contain.
        var outputWords: [String] = []
        /// Whether the command may change files of its directory (an output file it was asked to write).
        var mayWrite = false
        /// SQL run on the fixture store (with the `sqlite3` tool) before the command: a tampered store.
        var tamper: String?
        /// Bytes XOR-ed with 0xFF in the fixture store's file, at these offsets: a damaged page.
        var flippedBytes: [Int] = []
        var description: String { name }
    }

    static func json(_ text: String) -> [String: Data] { ["c.json": Data(text.utf8)] }

    /// A legacy `.pth` whose state-dict pickle nests `depth` tuples.
    static func deepPTH(depth: Int) -> Data {
        var stream = LegacyStream.make([StoredTensor(name: "a", shape: [1], values: [1])])
        stream.stateDictionary =
            PickleBytes.proto2 + PickleBytes.emptyTuple
            + [UInt8](repeating: 0x85, count: depth) + PickleBytes.stop
        return Data(stream.bytes)
    }

    static let schedule = ["schedule", "--config", "c.json"]
    static let cifar = [
        "train", "--task", "cifar10-cnn", "--scheduler", "cosine", "--epochs", "1", "--cifar-batches", "1",
        "--data-dir", "data",
    ]

    /// `count` CIFAR-10 records (label 1, black pixels): the binary layout, 3,073 bytes each.
    static func cifarRecords(_ count: Int) -> Data {
        Data((0..<count).flatMap { _ in [UInt8(1)] + [UInt8](repeating: 0, count: 3_072) })
    }

    /// A CIFAR-10 directory `data/cifar10/` with a 3-record first training batch and `test` as the test batch.
    static func cifarFiles(test: Data) -> [String: Data] {
        ["data/cifar10/data_batch_1.bin": cifarRecords(3), "data/cifar10/test_batch.bin": test]
    }

    /// One UCI Adult row in the distributed layout (the first row of `adult.data`, with `workclass`).
    static func adultRow(workclass: String, label: String) -> String {
        "39, \(workclass), 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, "
            + "United-States, \(label)\n"
    }
    static let train = ["train", "--task", "adult-mlp", "--scheduler", "cosine"]

    static let cases: [Case] = [
        // Configurations: counts and sizes.
        Case(
            name: "steps 10^9 (was: abort allocating 88 GB)",
            arguments: schedule,
            files: json(#"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 10}, "steps": 1000000000}"#),
            status: 1, errorWords: ["steps=1000000000", "at most 10000000"]),
        Case(
            name: "steps Int.max",
            arguments: schedule,
            files: json(#"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 10}, "steps": 9223372036854775807}"#),
            status: 1, errorWords: ["steps=9223372036854775807"]),
        Case(
            name: "svg of 200,000 steps (held in memory: at most 100,000)",
            arguments: schedule + ["--format", "svg"],
            files: json(#"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 10}, "steps": 200000}"#),
            status: 1, errorWords: ["steps=200000", "at most 100000"]),
        Case(
            name: "lrs with 20,000 groups (was: a hang at 1.6 GB)",
            arguments: schedule,
            files: json(
                #"{"lrs": ["# + Array(repeating: "0.1", count: 20_000).joined(separator: ",")
                    + #"], "scheduler": {"name": "cosine"}}"#),
            status: 1, errorWords: ["lrs=[20000 rates]", "at most 10000 parameter groups"]),
        Case(
            name: "inverseSquareRoot timescale Int.max (was: an overflow trap)",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "inverseSquareRoot", "timescale": 9223372036854775807}, "steps": 2}"#
            ),
            // η(t) = η₀/√((t + τ)/τ) with τ = 2^63 − 1: (t + τ)/τ rounds to 1 in doubles for t ≤ 2.
            status: 0, outputWords: [#"{"step": 2, "lrs": [0.1]}"#]),
        // Finite extremes that overflow to ±∞ or NaN.
        Case(
            name: "exponential gamma 1e308",
            arguments: schedule,
            files: json(#"{"lrs": [0.1], "scheduler": {"name": "exponential", "gamma": 1e308}, "steps": 3}"#),
            // η(1) = 0.1·1e308 = 1e307 is finite; η(2) = 1e307·1e308 overflows.
            status: 1, errorWords: ["step 2", "learning rate of group 0 is inf"],
            outputWords: [#"{"step": 1, "lrs": [1.0000000000000001e+307]}"#]),
        Case(
            name: "lrs 1e308 with cosine",
            arguments: schedule,
            files: json(#"{"lrs": [1e308], "scheduler": {"name": "cosine", "tMax": 4}, "steps": 3}"#),
            status: 1, errorWords: ["step 0", "is inf"]),
        Case(
            name: "cosine etaMin 1e308",
            arguments: schedule,
            files: json(#"{"lrs": [0.1], "scheduler": {"name": "cosine", "tMax": 4, "etaMin": 1e308}, "steps": 3}"#),
            status: 1, errorWords: ["step 0", "is -inf"]),
        Case(
            name: "oneCycle divFactor 1e-320",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "oneCycle", "maxLR": 0.1, "totalSteps": 10, "divFactor": 1e-320}, "steps": 2}"#
            ),
            status: 1, errorWords: ["step 0", "is inf"]),
        Case(
            name: "a 1 MB unknown-field value is echoed cut, on one line",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "cosine"}, "junk": ""# + String(repeating: "x", count: 1_000_000)
                    + #""}"#),
            status: 1, errorWords: ["invalid argument junk=", "… (1000002 bytes)", "unknown field"]),
        // .pth files.
        Case(
            name: ".pth nesting tuples 100,000 deep (was: SIGSEGV freeing them)",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "mlrsnet", "weights": ["deep.pth"], "numClasses": 10, "initialLoss": 1}, "steps": 1}"#
            )
            .merging(["deep.pth": deepPTH(depth: 100_000)]) { $1 },
            status: 1, errorWords: ["deep.pth", "nesting depth 1001 exceeds the limit 1000"]),
        Case(
            name: "/dev/zero as MLR-SNet weights (was: 'You don't have permission')",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "mlrsnet", "weights": ["/dev/zero"], "numClasses": 10, "initialLoss": 1}, "steps": 1}"#
            ),
            status: 1, errorWords: ["/dev/zero", "not a regular file"]),
        Case(
            name: "a directory as MLR-SNet weights (was: 'NSCocoaErrorDomain error 256')",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "mlrsnet", "weights": ["nets"], "numClasses": 10, "initialLoss": 1}, "steps": 1}"#
            )
            .merging(["nets/readme": Data("x".utf8)]) { $1 },
            status: 1, errorWords: ["nets", "it is a directory, not a weights file"]),
        Case(
            name: "MLR-SNet without weights names where they come from (was: 'missing field weights')",
            arguments: schedule,
            files: json(
                #"{"lrs": [0.1], "scheduler": {"name": "mlrsnet", "numClasses": 10, "initialLoss": 1}, "steps": 1}"#),
            status: 1, errorWords: ["weights=nil", "GLIDEPATH_WEIGHTS_DIR"]),
        // CLI options: counts refused up front, before the store is touched.
        Case(
            name: "--epochs Int.max (was: a trap after the run row was written)",
            arguments: train + ["--epochs", "9223372036854775807"], status: 1,
            errorWords: ["epochs=9223372036854775807: must be ≤ 1000000"]),
        Case(
            name: "--epochs -5 (was: 'Missing value')", arguments: train + ["--epochs", "-5"], status: 1,
            errorWords: ["epochs=-5: must be ≥ 1"]),
        Case(
            name: "--threads 0", arguments: train + ["--threads", "0"], status: 1,
            errorWords: ["threads=0: must be ≥ 1"]),
        Case(
            name: "--threads 10^6", arguments: train + ["--threads", "1000000"], status: 1,
            errorWords: ["threads=1000000: must be ≤ 1024"]),
        Case(
            name: "--train-limit -1", arguments: train + ["--train-limit", "-1"], status: 1,
            errorWords: ["trainingLimit=-1: must be ≥ 2"]),
        Case(
            name: "--resume with --seed and --threads (was: silently ignored)",
            arguments: ["train", "--resume", "20261123", "--seed", "99", "--threads", "2"], status: 64,
            errorWords: ["--seed, --threads cannot be given with it"]),
        Case(
            name: "--resume with --optimizer", arguments: ["train", "--resume", "20261123", "--optimizer", "sgd"],
            status: 64, errorWords: ["--optimizer"]),
        // Functional findings (these train for about a second on 1,000 Adult rows, and write the store).
        Case(
            name: "oneCycle with --epochs 1 (was: refused, totalSteps resolved from 1 update per epoch)",
            arguments: [
                "train", "--task", "adult-mlp", "--scheduler", "oneCycle", "--scheduler-config", "c.json",
                "--epochs", "1", "--train-limit", "1000", "--eval-limit", "200",
            ],
            files: json(#"{"name": "oneCycle", "maxLR": 0.01}"#), status: 0, errorWords: ["completed"], mayWrite: true),
        Case(
            name: "exponential gamma 1000 diverges (was: recorded completed)",
            arguments: [
                "train", "--task", "adult-mlp", "--scheduler", "exponential", "--scheduler-config", "c.json",
                "--epochs", "3", "--train-limit", "1000", "--eval-limit", "200",
            ],
            files: json(#"{"gamma": 1000}"#), status: 0, errorWords: ["diverged:"], mayWrite: true),
        // Run stores: damaged values, damaged pages, other programs' databases, empty files.
        Case(
            name: "a loss holding the text 'abc' (was: GRDB fatal error in runs show)",
            arguments: ["runs", "show", "20261123-071749-0001"], status: 1,
            errorWords: ["is damaged", "steps.loss of run 20261123-071749-0001", "'abc' (text)", "Double"],
            tamper: "UPDATE steps SET loss = 'abc' WHERE step = 2"),
        Case(
            name: "runs export of the same", arguments: ["runs", "export", "20261123-071749-0001"], status: 1,
            errorWords: ["steps.loss of run 20261123-071749-0001"],
            tamper: "UPDATE steps SET loss = 'abc' WHERE step = 2"),
        Case(
            name: "runs export -o over an existing file, damaged row mid-stream: the file is left as it was",
            arguments: ["runs", "export", "20261123-071749-0001", "-o", "out.csv"],
            files: ["out.csv": Data("old export\n".utf8)], status: 1,
            errorWords: ["steps.loss of run 20261123-071749-0001"],
            tamper: "UPDATE steps SET loss = 'abc' WHERE step = 4"),
        Case(
            name: "an epoch column holding a blob", arguments: ["runs", "show", "20261123-071749-0001"], status: 1,
            errorWords: ["epochs.train_seconds", "<blob of 2 bytes>"],
            tamper: "UPDATE epochs SET train_seconds = x'0102' WHERE epoch = 1"),
        Case(
            name: "a tampered timestamp", arguments: ["runs", "list"], status: 1,
            errorWords: ["runs.created_at=yesterday", "not an ISO 8601 UTC timestamp"],
            tamper: "UPDATE runs SET created_at = 'yesterday'"),
        Case(
            name: "flipped bytes in the store's pages (was: export of fewer rows, exit 0)",
            arguments: ["runs", "export", "20261123-071749-0001"], status: 1,
            errorWords: ["run store glidepath-runs.sqlite is damaged"],
            flippedBytes: Array(4096..<4096 + 64) + Array(8192 + 100..<8192 + 164)),
        Case(
            name: "another program's SQLite database as --store is refused without being changed",
            arguments: train + ["--store", "other.db"],
            files: ["other.db": HostileInputTests.foreignDatabase], status: 1,
            errorWords: ["other.db is not a Glidepath run store"]),
        Case(
            name: "resume with a 0-byte store does not initialise it",
            arguments: ["train", "--resume", "20261123", "--store", "empty.sqlite"],
            files: ["empty.sqlite": Data()], status: 1, errorWords: ["empty.sqlite", "empty"]),
        Case(
            name: "a refused resume of a completed run writes nothing",
            arguments: ["train", "--resume", "20261123-071749-0001"], status: 1,
            errorWords: ["already completed"]),
        // Found only after training started, now before any store write (issue 17 follow-up).
        Case(
            name: "runs show on a store whose checkpoints table was dropped",
            arguments: ["runs", "show", "20261123-071749-0001"], status: 1,
            errorWords: ["lacks table checkpoints of schema version 4"], tamper: "DROP TABLE checkpoints"),
        Case(
            name: "train into a store whose checkpoints table was dropped (was: failed at the first checkpoint)",
            arguments: train + ["--epochs", "1"], status: 1,
            errorWords: ["glidepath-runs.sqlite lacks table checkpoints"], tamper: "DROP TABLE checkpoints"),
        Case(
            name: "a store missing one column (steps.gradient_norm)",
            arguments: ["runs", "list"], status: 1, errorWords: ["lacks column steps.gradient_norm"],
            tamper: "ALTER TABLE steps DROP COLUMN gradient_norm"),
        Case(
            name: "a 0-byte CIFAR test_batch.bin (was: 'test: 0 examples' until evaluation failed)",
            arguments: cifar, files: cifarFiles(test: Data()), status: 1,
            errorWords: ["data/cifar10/test_batch.bin at byte 0", "truncated: expected 3073 bytes, found 0"]),
        Case(
            name: "a truncated CIFAR test_batch.bin", arguments: cifar,
            files: cifarFiles(test: cifarRecords(2) + Data([7, 7])), status: 1,
            errorWords: ["test_batch.bin at byte 6146", "size 6148 is not a multiple of the 3073-byte record"]),
        Case(
            name: "an unknown Adult category in adult.test (was: encoded as zeros, or a wrong feature width)",
            arguments: [
                "train", "--task", "adult-mlp", "--scheduler", "cosine", "--epochs", "1", "--data-dir", "data",
            ],
            files: [
                "data/adult/adult.data": Data(adultRow(workclass: "Private", label: "<=50K").utf8),
                "data/adult/adult.test": Data(
                    ("|1x3 Cross validator\n" + adultRow(workclass: "Private", label: "<=50K.")
                        + adultRow(workclass: "Martian", label: ">50K.")).utf8),
            ],
            status: 1,
            errorWords: [
                "data/adult/adult.test line 3", "workclass (field 2) \"Martian\"", "not one of the values adult.names",
            ]),
        Case(
            name: "a refused resume of a completed run in a v3 store writes nothing (was: migrated first)",
            arguments: ["train", "--resume", "20261123-071749-0001"], status: 1, errorWords: ["already completed"],
            tamper: """
                DROP TABLE study_cells; DROP TABLE studies; DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%';
                PRAGMA user_version = 3;
                """),
        Case(
            name: "train with exponential gamma 1e308: an infinite rate refused before training (was: trained)",
            arguments: [
                "train", "--task", "adult-mlp", "--scheduler", "exponential", "--scheduler-config", "c.json",
                "--epochs", "3", "--train-limit", "200", "--eval-limit", "50",
            ],
            // Per-epoch: η = 1e-3 (epoch 1), 1e-3·1e308 = 1e305 (epoch 2), 1e305·1e308 = ∞ (epoch 3).
            files: json(#"{"gamma": 1e308}"#), status: 1,
            errorWords: [
                "scheduler=exponential", "at epoch 3 the learning rate of group 0 would be inf", "before training",
            ]),
        // Output paths.
        Case(
            name: "runs export -o a directory", arguments: ["runs", "export", "20261123-071749-0001", "-o", "out"],
            files: ["out/keep": Data("x".utf8)], status: 1,
            errorWords: ["runs export: cannot write the output file out: it is a directory"]),
        Case(
            name: "runs export -o into a missing directory",
            arguments: ["runs", "export", "20261123-071749-0001", "-o", "missing-dir/x.csv"], status: 1,
            errorWords: ["runs export: cannot write the output file missing-dir/x.csv"]),
    ]

    /// A small SQLite database of another program (application id 0, one table), made with `sqlite3`.
    static let foreignDatabase: Data = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glidepath-foreign-\(UUID().uuidString).db"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try? sqlite(
            path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('x');")
        return (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
    }()

    /// Runs `sql` on the database at `path` with the `sqlite3` command-line tool.
    @discardableResult
    static func sqlite(_ path: String, _ sql: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Every regular file under `directory` (relative path → bytes).
    static func snapshot(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return files }
        while let name = enumerator.nextObject() as? String {
            let path = directory.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    @Test(
        "each hostile input gives its exit status and message; the store and directory are unchanged",
        arguments: cases)
    func hostile(_ item: Case) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFixtureStore(in: directory.url)
        let storePath = directory.path(RunStore.defaultFileName)
        if let tamper = item.tamper {
            #expect(try Self.sqlite(storePath, "PRAGMA journal_mode = DELETE; " + tamper) == 0)
        }
        if !item.flippedBytes.isEmpty {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: storePath))
            for offset in item.flippedBytes where offset < bytes.count { bytes[offset] ^= 0xFF }
            try bytes.write(to: URL(fileURLWithPath: storePath))
        }
        for (name, data) in item.files {
            let url = directory.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let before = try Self.snapshot(directory.url)
        let outcome = try runGlidepath(
            item.arguments, in: directory.url,
            environment: ["GLIDEPATH_DATA_DIR": TestEnvironment.dataDirectory?.path])
        #expect(outcome.status == item.status, "\(item.name): \(outcome.standardError.prefix(400))")
        for word in item.errorWords {
            #expect(
                outcome.standardError.contains(word),
                "\(item.name): '\(word)' not in \(outcome.standardError.prefix(400))")
        }
        for word in item.outputWords {
            #expect(
                outcome.standardOutput.contains(word),
                "\(item.name): '\(word)' not in \(outcome.standardOutput.prefix(400))")
        }
        // One line, and short, whatever the input's size.
        if item.status != 0 {
            #expect(outcome.standardError.count < 2_000, "\(item.name): \(outcome.standardError.count) characters")
        }
        if !item.mayWrite {
            let after = try Self.snapshot(directory.url)
            #expect(after.keys.sorted() == before.keys.sorted(), "\(item.name)")
            #expect(after == before, "\(item.name): a file changed")
        }
    }
}
