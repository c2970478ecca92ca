/// An array read from an IDX file: its dimensions and its unsigned-byte elements in row-major order.
public struct IDXArray: Equatable, Sendable {
    public var dimensions: [Int]
    public var elements: [UInt8]
}

/// The IDX format of the MNIST distribution (LeCun, Cortes, Burges, "The MNIST database of
/// handwritten digits", file-format section): a magic number `00 00 TT DD` (TT the element type, DD
/// the number of dimensions), DD big-endian 32-bit sizes, then the elements.
///
/// Only unsigned bytes (TT = 0x08), the type of every MNIST and Fashion-MNIST file, are accepted; the
/// other IDX types are reported as ``DataError/Problem/badMagic(expected:found:)``. The element count
/// must equal the product of the dimensions exactly: a short file is
/// ``DataError/Problem/truncated(expected:actual:)``, extra bytes are ``DataError/Problem/trailingBytes(count:)``.
public enum IDX {
    /// The most elements an IDX file may declare (`docs/limits.md`): 2^28 bytes, 5.7× the largest real
    /// file (MNIST's 60,000 × 28 × 28 training images). Checked from the header, before the content is
    /// decompressed or copied.
    public static let maximumElements = 1 << 28

    /// Parses decompressed IDX bytes. `file` names the file in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(DataError) -> IDXArray {
        guard bytes.count >= 4 else {
            throw DataError(file: file, location: .byteOffset(0), problem: .truncated(expected: 4, actual: bytes.count))
        }
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08 else {
            throw DataError(
                file: file, location: .byteOffset(0),
                problem: .badMagic(
                    expected: "00 00 08 DD (unsigned bytes)",
                    found: Gzip.hexPrefix(bytes, count: 4)))
        }
        let rank = Int(bytes[3])
        guard (1...4).contains(rank) else {
            throw DataError(
                file: file, location: .byteOffset(3),
                problem: .badDimensions("\(rank) dimensions (expected 1 to 4)"))
        }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw DataError(
                file: file, location: .byteOffset(4),
                problem: .truncated(expected: headerLength, actual: bytes.count))
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for axis in 0..<rank {
            let at = 4 + 4 * axis
            let size = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            dimensions.append(size)
            // Sizes are untrusted: stop at the first product that overflows or exceeds any real file.
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            elementCount = product
            guard !overflow, elementCount <= maximumElements else {
                throw DataError(
                    file: file, location: .byteOffset(at),
                    problem: .badDimensions(
                        "\(dimensions) describe more than \(maximumElements) elements "
                            + "(the limit; MNIST's largest file has 47,040,000)"))
            }
        }
        let available = bytes.count - headerLength
        if available < elementCount {
            throw DataError(
                file: file, location: .byteOffset(bytes.count),
                problem: .truncated(expected: headerLength + elementCount, actual: bytes.count))
        }
        if available > elementCount {
            throw DataError(
                file: file, location: .byteOffset(headerLength + elementCount),
                problem: .trailingBytes(count: available - elementCount))
        }
        return IDXArray(dimensions: dimensions, elements: Array(bytes[headerLength...]))
    }

    /// Reads and parses the IDX file at `path`, gzip-compressed or raw.
    ///
    /// A compressed file's header is decompressed and checked first, and the rest only up to the size it
    /// declares (plus a margin, so extra bytes are reported as such): a small `.gz` declaring 5,000,000
    /// images is refused without decompressing gigabytes.
    public static func read(at path: String) throws(DataError) -> IDXArray {
        let bytes = try FileAccess.readBytes(at: path)
        guard Gzip.hasMagic(bytes) else { return try parse(bytes, file: path) }
        let header = try Gzip.decompress(bytes, file: path, prefix: 4 + 4 * 4)
        let declared = try declaredLength(header, file: path)
        return try parse(try Gzip.decompress(bytes, file: path, limit: declared + (1 << 16)), file: path)
    }

    /// The file length (header + elements) a header declares, checked against the limits; `nil`
    /// dimensions (a short header) leave the checks to ``parse(_:file:)``.
    static func declaredLength(_ header: [UInt8], file: String) throws(DataError) -> Int {
        guard header.count >= 4, header[0] == 0, header[1] == 0, header[2] == 0x08, (1...4).contains(Int(header[3])),
            header.count >= 4 + 4 * Int(header[3])
        else {
            return 4 + 4 * 4 + maximumElements  // parse reports the problem
        }
        let rank = Int(header[3])
        // parse checks each product; its error is the one to report.
        let trial = Array(header.prefix(4 + 4 * rank))
        do {
            _ = try parse(trial, file: file)
        } catch {
            if case .badDimensions = error.problem { throw error }
        }
        var count = 1
        for axis in 0..<rank {
            let at = 4 + 4 * axis
            count *= Int(header[at]) << 24 | Int(header[at + 1]) << 16 | Int(header[at + 2]) << 8 | Int(header[at + 3])
        }
        return 4 + 4 * rank + count
    }
}
