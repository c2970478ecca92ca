import Foundation
import GlidepathData

/// Generators for the small files the tests read. Every fixture is written by the test that uses
/// it into a fresh temporary directory; nothing here reads `../shared`.
enum Fixtures {
    /// A fresh, empty temporary directory.
    static func temporaryDirectory(_ label: String = #function) throws -> String {
        let clean = label.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("glidepath-data-\(clean)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    static func path(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// An IDX file of unsigned bytes: `00 00 08 rank`, big-endian sizes, elements.
    static func idx(dimensions: [Int], elements: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        }
        return bytes + elements
    }

    /// Pixel value of image `image` at byte `offset`: a fixed formula so tests can recompute it.
    static func pixel(image: Int, offset: Int) -> UInt8 {
        UInt8((image * 31 + offset * 7) % 256)
    }

    /// A tiny MNIST-layout split: `count` images of `rows × columns`, labels `index % 10`.
    static func mnistFiles(count: Int, rows: Int = 4, columns: Int = 3) -> (images: [UInt8], labels: [UInt8]) {
        var pixels: [UInt8] = []
        for image in 0..<count {
            for offset in 0..<(rows * columns) { pixels.append(pixel(image: image, offset: offset)) }
        }
        let labels = (0..<count).map { UInt8($0 % 10) }
        return (idx(dimensions: [count, rows, columns], elements: pixels), idx(dimensions: [count], elements: labels))
    }

    /// Writes a four-file MNIST directory (gzip-compressed when `gzip`): train has `trainCount`
    /// images, test `testCount`.
    static func writeMNIST(to directory: String, trainCount: Int, testCount: Int, gzip: Bool) throws {
        for (split, count) in [(Split.train, trainCount), (Split.test, testCount)] {
            let stems = MNIST.fileStems(split)
            let files = mnistFiles(count: count)
            let suffix = gzip ? ".gz" : ""
            try write(gzip ? Gzip.compress(files.images) : files.images, to: path(directory, stems.images + suffix))
            try write(gzip ? Gzip.compress(files.labels) : files.labels, to: path(directory, stems.labels + suffix))
        }
    }

    /// CIFAR-10 records: label `(first + index) % 10`, pixels from ``pixel(image:offset:)``.
    static func cifarRecords(count: Int, first: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * CIFAR10.recordSize)
        for record in 0..<count {
            bytes.append(UInt8((first + record) % 10))
            for offset in 0..<CIFAR10.imageSize { bytes.append(pixel(image: first + record, offset: offset)) }
        }
        return bytes
    }

    /// A ustar archive (POSIX.1-2017 layout) of regular files, optionally with a directory entry.
    static func tar(_ members: [(name: String, content: [UInt8])], directory: String? = nil) -> [UInt8] {
        var archive: [UInt8] = []
        if let directory { archive += tarHeader(name: directory + "/", size: 0, type: UInt8(ascii: "5")) }
        for member in members {
            archive += tarHeader(name: member.name, size: member.content.count, type: UInt8(ascii: "0"))
            archive += member.content
            archive += [UInt8](repeating: 0, count: (512 - member.content.count % 512) % 512)
        }
        archive += [UInt8](repeating: 0, count: 1024)
        return archive
    }

    static func tarHeader(name: String, size: Int, type: UInt8) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        let octalSize = String(size, radix: 8)
        put(String(repeating: "0", count: 11 - octalSize.count) + octalSize, at: 124)
        put("00000000000", at: 136)
        header[156] = type
        put("ustar", at: 257)
        put("00", at: 263)
        for index in 148..<156 { header[index] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let octalSum = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - octalSum.count) + octalSum, at: 148)
        header[154] = 0
        header[155] = 0x20
        return header
    }

    /// A zip archive (APPNOTE 6.3 layout). Deflated members reuse zlib's gzip output: the raw deflate
    /// stream sits between gzip's 10-byte header and its 8-byte trailer, whose first 4 bytes are
    /// the CRC-32 the zip directory needs.
    static func zip(_ members: [(name: String, content: [UInt8], deflate: Bool)]) -> [UInt8] {
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16 & 0xFFFF) }
        var body: [UInt8] = []
        var directory: [UInt8] = []
        for member in members {
            let gzip = Gzip.compress(member.content)
            let crc = Array(gzip[(gzip.count - 8)..<(gzip.count - 4)])
            let data = member.deflate ? Array(gzip[10..<(gzip.count - 8)]) : member.content
            let method = member.deflate ? 8 : 0
            let name = Array(member.name.utf8)
            let offset = body.count
            body +=
                le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + crc
                + le32(data.count) + le32(member.content.count) + le16(name.count) + le16(0) + name + data
            directory +=
                le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + crc
                + le32(data.count) + le32(member.content.count) + le16(name.count) + le16(0) + le16(0) + le16(0)
                + le16(0) + le32(0) + le32(offset) + name
        }
        let end =
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(directory.count) + le32(body.count) + le16(0)
        return body + directory + end
    }
}
