import Foundation
import GlidepathData
import GlidepathLab
import GlidepathTestSupport
import Testing

/// `TaskDataCache`: a second load of the same task and files comes from memory with the same data;
/// another limit or a changed file reads the files again.
@Suite("Task data cache")
struct TaskDataCacheTests {
    @Test(.enabled(if: TestEnvironment.dataTestsEnabled, "needs GLIDEPATH_DATA_DIR"))
    func reusesDataUntilTheKeyOrTheFilesChange() throws {
        let source = try TestEnvironment.requireDataDirectory().appendingPathComponent("adult")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let adult = directory.url.appendingPathComponent("adult")
        try FileManager.default.createDirectory(at: adult, withIntermediateDirectories: true)
        for name in ["adult.data", "adult.test"] {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: adult.appendingPathComponent(name))
        }
        let cache = TaskDataCache(capacity: 2)
        func load(_ limit: Int) throws -> TaskData {
            try cache.load(
                task: .adultMLP, dataDirectory: directory.url.path, trainingLimit: limit, evaluationLimit: 50)
        }
        let first = try load(100)
        #expect(cache.misses == 1 && cache.hits == 0)
        let second = try load(100)
        #expect(cache.misses == 1 && cache.hits == 1)
        #expect(second.train.labels == first.train.labels && second.test.count == first.test.count)
        _ = try load(200)  // another key
        #expect(cache.misses == 2 && cache.hits == 1)
        // A file added to the dataset folder changes the fingerprint.
        try Data("x".utf8).write(to: adult.appendingPathComponent("notes.txt"))
        _ = try load(100)
        #expect(cache.misses == 3 && cache.hits == 1)
        // The change is seen by every key; capacity 2 keeps the two newest entries.
        _ = try load(200)
        #expect(cache.misses == 4 && cache.hits == 1)
        _ = try load(100)
        #expect(cache.misses == 4 && cache.hits == 2)
        // A missing directory is reported, never cached.
        #expect(throws: TrainingError.self) {
            try cache.load(task: .adultMLP, dataDirectory: directory.url.appendingPathComponent("none").path)
        }
    }
}
