import Foundation
import GlidepathData
import Testing

@Suite("MD5, zip, verification and fetching on generated fixtures")
struct ChecksumAndArchiveTests {
    /// RFC 1321 appendix A.5 test suite.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5ReferenceVectors(input: String, digest: String) {
        #expect(MD5.hexDigest(of: Array(input.utf8)) == digest)
    }

    @Test func md5IncrementalEqualsOneShot() throws {
        let bytes = (0..<10_000).map { (index: Int) -> UInt8 in UInt8(index * 13 % 256) }
        var hasher = MD5()
        for start in stride(from: 0, to: bytes.count, by: 37) {
            hasher.update(Array(bytes[start..<min(start + 37, bytes.count)]))
        }
        #expect(hasher.hexDigest() == MD5.hexDigest(of: bytes))
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.write(bytes, to: Fixtures.path(directory, "f"))
        #expect(try MD5.hexDigest(ofFile: Fixtures.path(directory, "f")) == MD5.hexDigest(of: bytes))
    }

    @Test func zipStoredAndDeflatedMembers() throws {
        let text = Array(String(repeating: "sentence\tlabel\n", count: 50).utf8)
        let zip = Fixtures.zip([("SST-2/train.tsv", text, true), ("SST-2/readme", Array("hi".utf8), false)])
        let archive = try ZipArchive(bytes: zip, path: "f.zip")
        #expect(archive.members.map(\.name) == ["SST-2/train.tsv", "SST-2/readme"])
        #expect(try archive.content(of: "SST-2/train.tsv") == text)
        #expect(try archive.content(of: "SST-2/readme") == Array("hi".utf8))
        #expect(
            throws: DataError(file: "f.zip", location: .member("SST-2/dev.tsv", byteOffset: nil), problem: .missingFile)
        ) {
            try archive.content(of: "SST-2/dev.tsv")
        }
        #expect(throws: DataError.self) { try ZipArchive(bytes: Array("not a zip".utf8), path: "n.zip") }
        // Flip a byte of the stored member's data (after its 30-byte local header and 12-byte name): CRC mismatch.
        var corrupt = Fixtures.zip([("SST-2/readme", Array("hello".utf8), false)])
        corrupt[30 + 12] ^= 0x01
        let bad = try ZipArchive(bytes: corrupt, path: "c.zip")
        do {
            _ = try bad.content(of: "SST-2/readme")
            Issue.record("a CRC mismatch was accepted")
        } catch {
            guard case .corruptGzip = error.problem else { Issue.record("\(error)"); return }
        }
    }

    @Test func fetchVerifiesChecksumsFromAMirror() throws {
        let mirror = try Fixtures.temporaryDirectory("mirror")
        let target = try Fixtures.temporaryDirectory("target")
        let content = Array("canonical bytes\n".utf8)
        try Fixtures.write(content, to: Fixtures.path(mirror, "file.bin"))
        let item = DownloadItem(fileName: "file.bin", urls: [], md5: MD5.hexDigest(of: content))
        let fetcher = DatasetFetcher()
        let first = try fetcher.fetch(item, into: target, mirror: mirror)
        #expect(first.outcome == .downloaded(from: Fixtures.path(mirror, "file.bin")))
        #expect(try FileAccess.readBytes(at: Fixtures.path(target, "file.bin")) == content)
        #expect(try fetcher.fetch(item, into: target, mirror: mirror).outcome == .alreadyPresent)

        // A corrupt mirror copy is rejected and nothing is left behind.
        let other = try Fixtures.temporaryDirectory("other")
        try Fixtures.write(Array("tampered bytes\n".utf8), to: Fixtures.path(mirror, "file.bin"))
        do {
            _ = try fetcher.fetch(item, into: other, mirror: mirror)
            Issue.record("a download with the wrong checksum was accepted")
        } catch {
            #expect(
                error.problem
                    == .checksumMismatch(expected: item.md5, actual: MD5.hexDigest(of: Array("tampered bytes\n".utf8))))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: other).isEmpty)
        // A missing mirror file is reported as missing.
        let missing = DownloadItem(fileName: "absent.bin", urls: [], md5: item.md5)
        #expect(throws: DataError(file: Fixtures.path(mirror, "absent.bin"), problem: .missingFile)) {
            try fetcher.fetch(missing, into: other, mirror: mirror)
        }
    }

    @Test func verifyFlagsUnknownChecksumsAndWrongCounts() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 20, testCount: 10, gzip: true)
        let report = DatasetInspector.verify(.mnist, directory: directory)
        #expect(!report.passed)
        #expect(report.files.count == 4)
        #expect(report.files.allSatisfy { if case .unrecognised = $0.status { true } else { false } })
        // Fixture labels are index % 10: train 2 per class, test 1 per class; MNIST expects thousands.
        #expect(
            report.problems.contains(
                "train: class counts [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], expected [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]"
            ))
        let lenient = DatasetInspector.verify(.mnist, directory: directory, allowUnrecognised: true)
        #expect(lenient.problems.count == 2)  // still the two count mismatches
        #expect(DatasetCatalog.directory(for: .mnist, in: directory) == directory)  // files directly in the data dir
    }
}
