import Foundation
import GlidepathData
import GlidepathTestSupport
import Testing

/// The tar reader against archives written by Python's `tarfile` (scripts/make-data-fixtures.py),
/// an implementation independent of our own test writer: PAX and GNU formats, long member names.
@Suite("Tar reader on tarfile-generated archives")
struct TarFixtureTests {
    static func fixture(_ name: String) -> String {
        TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/data/\(name)").path
    }

    /// The long name the generator adds ("a-very-long-member-name-" × 5 + ".txt" in the folder).
    static let longName = "cifar-10-batches-bin/" + String(repeating: "a-very-long-member-name-", count: 5) + ".txt"

    @Test(arguments: ["cifar-10-binary-pax.tar.gz", "cifar-10-binary-gnu.tar"])
    func membersAndLongNames(archive: String) throws {
        let reader = try TarReader(path: Self.fixture(archive))
        var names: [String] = []
        var longContent: [UInt8] = []
        while let entry = try reader.next() {
            names.append(entry.name)
            if entry.name == Self.longName { longContent = try reader.readContent(of: entry) }
        }
        #expect(names.first == "cifar-10-batches-bin/")
        #expect(names.contains(Self.longName))
        #expect(longContent == Array("long name\n".utf8))
        #expect(names.count == 9)  // directory, meta, 5 training batches, test batch, long name
    }

    @Test(arguments: ["cifar-10-binary-pax.tar.gz", "cifar-10-binary-gnu.tar"])
    func cifarFromTarfileArchive(archive: String) throws {
        let path = Self.fixture(archive)
        let train = try CIFAR10.load(.train, from: .archive(path))
        // Generator: batch k holds images 2(k−1) and 2(k−1)+1, labels image % 10.
        #expect(train.labels == (0..<10).map { Int32($0 % 10) })
        #expect(train.pixels[7 * 3072 + 3000] == Fixtures.pixel(image: 7, offset: 3000))
        let test = try CIFAR10.load(.test, from: .archive(path))
        #expect(test.labels == [0, 1, 2])  // images 100, 101, 102
        #expect(test.pixels[2 * 3072 + 5] == Fixtures.pixel(image: 102, offset: 5))
    }
}
