import Foundation
import GlidepathTestSupport
import Testing

@testable import GlidepathLab

@Suite("Provenance")
struct ProvenanceTests {
    @Test("the code version is the work tree's git commit, or the build constant outside a repository")
    func codeVersion() throws {
        // The repository root is a git work tree (a developer checkout or CI's fresh clone).
        let version = CodeVersion.detect(in: TestEnvironment.repositoryRoot)
        let commit = try #require(version.commit, "no git commit found in \(TestEnvironment.repositoryRoot.path)")
        #expect(commit.count == 40 && commit.allSatisfy(\.isHexDigit))
        #expect(version.dirty != nil)
        #expect(version.package == CodeVersion.packageVersion)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(CodeVersion.detect(in: directory.url) == .build)
    }

    @Test("the machine description reads this machine")
    func machine() {
        let machine = MachineDescription.current(computeThreads: 3)
        #expect(machine.logicalCores == ProcessInfo.processInfo.activeProcessorCount)
        #expect(!machine.cpuModel.isEmpty && !machine.operatingSystem.isEmpty && !machine.kernel.isEmpty)
        #expect(machine.memoryBytes == ProcessInfo.processInfo.physicalMemory)
        #expect(machine.threads.computeThreads == 3)
        let environment = ProcessInfo.processInfo.environment
        for name in ThreadSettings.recordedVariables {
            #expect(machine.threads.environment[name] == environment[name])
        }
    }

    @Test("timestamps: fixed-width UTC text that parses back to the millisecond")
    func timestamps() {
        // 1_795_418_269.25 s after 1970-01-01 is 2026-11-23T07:17:49.250Z (date -u -d @1795418269).
        let date = Date(timeIntervalSince1970: 1_795_418_269.25)
        #expect(Timestamp.iso8601(date) == "2026-11-23T07:17:49.250Z")
        #expect(Timestamp.parse("2026-11-23T07:17:49.250Z") == date)
        #expect(Timestamp.parse("2026-11-23 07:17:49") == nil)
        #expect(RunIdentifier.prefix(for: date) == "20261123-071749")
    }
}
