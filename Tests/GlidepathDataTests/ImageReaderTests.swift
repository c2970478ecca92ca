import Foundation
import GlidepathData
import Testing

@Suite("IDX, MNIST and CIFAR-10 readers on generated fixtures")
struct ImageReaderTests {
    @Test(arguments: [true, false])
    func mnistDirectory(gzip: Bool) throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 23, testCount: 7, gzip: gzip)
        let (train, test) = try MNIST.loadAll(from: directory)
        #expect(train.count == 23 && test.count == 7)
        #expect(train.channels == 1 && train.height == 4 && train.width == 3)
        // Labels are index % 10 and pixels pixel(image:offset:) (Fixtures.mnistFiles).
        #expect(train.labels == (0..<23).map { Int32($0 % 10) })
        #expect(train.pixels[5 * 12 + 7] == Fixtures.pixel(image: 5, offset: 7))
        #expect(test.classCounts() == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
        let single = try MNIST.load(.test, from: directory, variant: .fashion)
        #expect(single.classNames[9] == "Ankle boot")
    }

    @Test func idxWrongMagic() throws {
        var bytes = Fixtures.idx(dimensions: [2], elements: [1, 2])
        bytes[2] = 0x0D  // IDX type 0x0D is float32: not what MNIST files hold
        #expect(
            throws: DataError(
                file: "f", location: .byteOffset(0),
                problem: .badMagic(expected: "00 00 08 DD (unsigned bytes)", found: "00 00 0d 01"))
        ) {
            try IDX.parse(bytes, file: "f")
        }
        #expect(
            throws: DataError(
                file: "f", location: .byteOffset(0),
                problem: .badMagic(expected: "00 00 08 DD (unsigned bytes)", found: "1f 8b 08 01"))
        ) {
            try IDX.parse([0x1F, 0x8B, 0x08, 0x01, 0, 0, 0, 0], file: "f")
        }
    }

    @Test func idxWrongDimensions() throws {
        // Rank 0 and rank 9 are outside 1…4.
        #expect(
            throws: DataError(
                file: "f", location: .byteOffset(3), problem: .badDimensions("0 dimensions (expected 1 to 4)"))
        ) {
            try IDX.parse([0, 0, 8, 0], file: "f")
        }
        // Header says 3×2×2 = 12 elements, file has 10: truncated at its end (4 + 12 header bytes + 10).
        #expect(throws: DataError(file: "f", location: .byteOffset(26), problem: .truncated(expected: 28, actual: 26)))
        {
            try IDX.parse(Fixtures.idx(dimensions: [3, 2, 2], elements: [UInt8](repeating: 1, count: 10)), file: "f")
        }
        #expect(throws: DataError(file: "f", location: .byteOffset(10), problem: .trailingBytes(count: 1))) {
            try IDX.parse(Fixtures.idx(dimensions: [2], elements: [1, 2, 3]), file: "f")
        }
        // A label file (rank 1) where images (rank 3) belong.
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 3, testCount: 3, gzip: false)
        let imagesPath = Fixtures.path(directory, "t10k-images-idx3-ubyte")
        try Fixtures.write(Fixtures.idx(dimensions: [3], elements: [0, 0, 0]), to: imagesPath)
        #expect(
            throws: DataError(
                file: imagesPath, location: .byteOffset(3),
                problem: .badDimensions("images need 3 dimensions (count, rows, columns), found [3]"))
        ) {
            try MNIST.load(.test, from: directory)
        }
    }

    @Test func mnistCountMismatch() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 5, testCount: 3, gzip: true)
        let labelsPath = Fixtures.path(directory, "t10k-labels-idx1-ubyte.gz")
        try Fixtures.write(Gzip.compress(Fixtures.idx(dimensions: [4], elements: [0, 1, 2, 3])), to: labelsPath)
        let imagesPath = Fixtures.path(directory, "t10k-images-idx3-ubyte.gz")
        #expect(
            throws: DataError(
                file: labelsPath, location: .byteOffset(4),
                problem: .countMismatch("4 labels for 3 images in \(imagesPath)"))
        ) {
            try MNIST.load(.test, from: directory)
        }
    }

    @Test func mnistLabelOutOfRange() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 5, testCount: 3, gzip: false)
        let labelsPath = Fixtures.path(directory, "t10k-labels-idx1-ubyte")
        try Fixtures.write(Fixtures.idx(dimensions: [3], elements: [0, 10, 2]), to: labelsPath)
        // Element 1 sits after the 8-byte header.
        #expect(
            throws: DataError(
                file: labelsPath, location: .byteOffset(9), problem: .labelOutOfRange(label: 10, classCount: 10))
        ) {
            try MNIST.load(.test, from: directory)
        }
    }

    @Test func mnistTruncatedGzipAndMissingFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.writeMNIST(to: directory, trainCount: 50, testCount: 3, gzip: true)
        let imagesPath = Fixtures.path(directory, "train-images-idx3-ubyte.gz")
        let full = try FileAccess.readBytes(at: imagesPath)
        try Fixtures.write(Array(full.prefix(full.count - 30)), to: imagesPath)
        do {
            _ = try MNIST.load(.train, from: directory)
            Issue.record("a truncated gzip file was accepted")
        } catch {
            #expect(error.file == imagesPath)
            #expect(error.problem == .truncatedGzip)
        }
        try FileManager.default.removeItem(atPath: imagesPath)
        #expect(throws: DataError(file: imagesPath, problem: .missingFile)) {
            try MNIST.load(.train, from: directory)
        }
    }

    @Test func cifarBatchFormats() throws {
        let directory = try Fixtures.temporaryDirectory()
        // test batch raw, training batches 1 and 2 gzip-compressed.
        try Fixtures.write(Fixtures.cifarRecords(count: 12), to: Fixtures.path(directory, "test_batch.bin"))
        try Fixtures.write(
            Gzip.compress(Fixtures.cifarRecords(count: 5, first: 0)),
            to: Fixtures.path(directory, "data_batch_1.bin.gz"))
        try Fixtures.write(
            Gzip.compress(Fixtures.cifarRecords(count: 4, first: 5)),
            to: Fixtures.path(directory, "data_batch_2.bin.gz"))
        let source = CIFAR10.locate(in: directory)
        #expect(source == .directory(directory))
        let test = try CIFAR10.load(.test, from: source)
        #expect(test.count == 12)
        #expect(test.labels == (0..<12).map { Int32($0 % 10) })
        // Record 3's green plane starts at pixel offset 1024 (R, G, B planes of 32×32).
        #expect(test.pixels[3 * 3072 + 1024] == Fixtures.pixel(image: 3, offset: 1024))
        let train = try CIFAR10.load(.train, from: source, trainingBatches: [1, 2])
        #expect(train.count == 9)
        #expect(train.labels == (0..<9).map { Int32($0) })
        #expect(train.pixels[8 * 3072 + 3071] == Fixtures.pixel(image: 8, offset: 3071))
        // The full training split needs batches 3–5: the first missing one is named.
        #expect(throws: DataError(file: Fixtures.path(directory, "data_batch_3.bin"), problem: .missingFile)) {
            try CIFAR10.load(.train, from: source)
        }
    }

    @Test func cifarSizeNotMultipleOfRecord() throws {
        let bytes = Fixtures.cifarRecords(count: 2) + [1, 2, 3]
        #expect(
            throws: DataError(
                file: "b.bin", location: .byteOffset(6146),
                problem: .sizeNotMultipleOfRecord(size: 6149, recordSize: 3073))
        ) {
            try CIFAR10.parseBatch(bytes, file: "b.bin")
        }
        var badLabel = Fixtures.cifarRecords(count: 3)
        badLabel[2 * 3073] = 11
        #expect(
            throws: DataError(
                file: "b.bin", location: .byteOffset(6146), problem: .labelOutOfRange(label: 11, classCount: 10))
        ) {
            try CIFAR10.parseBatch(badLabel, file: "b.bin")
        }
    }

    @Test func cifarFromGeneratedTarGz() throws {
        let directory = try Fixtures.temporaryDirectory()
        let folder = CIFAR10.archiveFolder
        var members: [(name: String, content: [UInt8])] = [(folder + "/batches.meta.txt", Array("airplane\n".utf8))]
        for batch in 1...5 {
            members.append(
                ("\(folder)/data_batch_\(batch).bin", Fixtures.cifarRecords(count: 3, first: 3 * (batch - 1))))
        }
        members.append((folder + "/test_batch.bin", Fixtures.cifarRecords(count: 4, first: 100)))
        let archive = Fixtures.path(directory, CIFAR10.archiveName)
        try Fixtures.write(Gzip.compress(Fixtures.tar(members, directory: folder)), to: archive)
        let source = CIFAR10.locate(in: directory)
        #expect(source == .archive(archive))
        let train = try CIFAR10.load(.train, from: source)
        #expect(train.count == 15)
        #expect(train.labels == (0..<15).map { Int32($0 % 10) })
        #expect(train.pixels[14 * 3072 + 2000] == Fixtures.pixel(image: 14, offset: 2000))
        let test = try CIFAR10.load(.test, from: source)
        #expect(test.labels == [0, 1, 2, 3])  // labels (100 + i) % 10
    }

    @Test func cifarArchiveMissingMemberAndTruncation() throws {
        let directory = try Fixtures.temporaryDirectory()
        let archive = Fixtures.path(directory, CIFAR10.archiveName)
        let members = [(name: "cifar-10-batches-bin/test_batch.bin", content: Fixtures.cifarRecords(count: 2))]
        try Fixtures.write(Gzip.compress(Fixtures.tar(members)), to: archive)
        #expect(
            throws: DataError(
                file: archive, location: .member("cifar-10-batches-bin/data_batch_1.bin", byteOffset: nil),
                problem: .missingFile)
        ) {
            try CIFAR10.load(.train, from: .archive(archive))
        }
        // Cut the uncompressed tar inside the member's content: 512 header + 1000 of 6146 bytes.
        let cut = Array(Fixtures.tar(members).prefix(1512))
        try Fixtures.write(Gzip.compress(cut), to: archive)
        #expect(
            throws: DataError(
                file: archive, location: .member("cifar-10-batches-bin/test_batch.bin", byteOffset: 1000),
                problem: .truncated(expected: 6146, actual: 1000))
        ) {
            try CIFAR10.load(.test, from: .archive(archive))
        }
        // A corrupted header checksum.
        var corrupt = Fixtures.tar(members)
        corrupt[10] = UInt8(ascii: "X")
        try Fixtures.write(corrupt, to: archive)
        do {
            _ = try CIFAR10.load(.test, from: .archive(archive))
            Issue.record("a tar header with a bad checksum was accepted")
        } catch {
            guard case .malformedArchive = error.problem else { Issue.record("\(error)"); return }
            #expect(error.location == .byteOffset(0))
        }
    }
}
