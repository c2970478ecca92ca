import Foundation
import GlidepathData
import Testing

/// Issue 17, memory bombs: a 3.8 MB `train-images-idx3-ubyte.gz` declaring 5,000,000 × 28 × 28 images
/// drove `data info mnist` to 8 GB; counts read from a file must be checked before anything is allocated.
@Suite("Data readers: declared counts checked before allocating")
struct MemoryBudgetTests {
    func idxHeader(_ dimensions: [UInt32]) -> [UInt8] {
        [0, 0, 0x08, UInt8(dimensions.count)]
            + dimensions.flatMap { d in
                [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]
            }
    }

    func write(_ bytes: [UInt8], named name: String) throws -> String {
        let directory = try Fixtures.temporaryDirectory()
        let path = (directory as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "an IDX header declaring 5,000,000 × 28 × 28 images is refused from the header, the content never decompressed")
    func declaredImages() throws {
        // The header, then 8 MiB of zeros (compressing to about 8 KB): the bomb's shape, smaller.
        let bytes = Gzip.compress(idxHeader([5_000_000, 28, 28]) + [UInt8](repeating: 0, count: 1 << 23))
        let path = try write(bytes, named: "train-images-idx3-ubyte.gz")
        #expect {
            _ = try IDX.read(at: path)
        } throws: { error in
            guard let error = error as? DataError, case .badDimensions(let text) = error.problem else { return false }
            // 5,000,000 × 28 = 140,000,000 ≤ 2^28; × 28 again exceeds it: the error is at the third size.
            return error.location == .byteOffset(12) && text.contains("more than 268435456 elements")
        }
    }

    @Test("an IDX file whose content decompresses past its declared size stops at the size plus 64 KiB")
    func contentBeyondHeader() throws {
        // 10 × 2 × 2 declared (40 bytes), 4 MiB of content.
        let bytes = Gzip.compress(idxHeader([10, 2, 2]) + [UInt8](repeating: 7, count: 1 << 22))
        let path = try write(bytes, named: "t10k-images-idx3-ubyte.gz")
        #expect {
            _ = try IDX.read(at: path)
        } throws: { error in
            (error as? DataError)?.problem
                == .exceedsLimit(what: "the decompressed content", limit: 16 + 40 + (1 << 16))
        }
        // A small excess is still reported as trailing bytes.
        let small = try write(Gzip.compress(idxHeader([10, 2, 2]) + [UInt8](repeating: 7, count: 45)), named: "a.gz")
        #expect { _ = try IDX.read(at: small) } throws: { error in
            (error as? DataError)?.problem == .trailingBytes(count: 5)
        }
    }

    @Test("a gzip limit stops a bomb; a truncated member is still 'truncated'")
    func gzipLimit() throws {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 1 << 22))
        #expect { _ = try Gzip.decompress(bomb, file: "bomb.gz", limit: 1 << 20) } throws: { error in
            (error as? DataError)?.problem == .exceedsLimit(what: "the decompressed content", limit: 1 << 20)
        }
        #expect(try Gzip.decompress(bomb, file: "bomb.gz", limit: 1 << 22).count == 1 << 22)
        #expect(try Gzip.decompress(bomb, file: "bomb.gz", prefix: 20) == [UInt8](repeating: 0, count: 20))
        let truncated = Array(bomb.prefix(bomb.count - 9))
        #expect { _ = try Gzip.decompress(truncated, file: "t.gz") } throws: { error in
            (error as? DataError)?.problem == .truncatedGzip
        }
    }

    @Test("a FIFO or directory as a data file is refused, without blocking")
    func specialFiles() throws {
        let directory = try Fixtures.temporaryDirectory()
        let fifo = (directory as NSString).appendingPathComponent("train-images-idx3-ubyte")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect { _ = try FileAccess.readBytes(at: fifo) } throws: { error in
            guard case .unreadable(let reason) = (error as? DataError)?.problem else { return false }
            return reason.hasPrefix("not a regular file")
        }
    }
}
