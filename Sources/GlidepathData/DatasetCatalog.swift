/// The datasets Glidepath knows by name.
public enum DatasetName: String, CaseIterable, Codable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10
    case imdb
    case sst2
    case adult
}

/// A checksum a file is known to have, and whose copy it identifies.
public struct KnownChecksum: Equatable, Sendable {
    /// What the MD5 covers.
    public enum Coverage: Equatable, Sendable {
        /// The file's bytes as stored.
        case storedBytes
        /// The decompressed content of a gzip file (so a re-compressed copy of the same data is recognised).
        case content
    }

    public var md5: String
    public var coverage: Coverage
    /// Whose copy this checksum identifies (the canonical distribution, Debian's package, …).
    public var copy: String

    public init(md5: String, coverage: Coverage, copy: String) {
        self.md5 = md5
        self.coverage = coverage
        self.copy = copy
    }
}

/// A file to download: its name in the dataset directory, where to get it, its published checksum.
public struct DownloadItem: Equatable, Sendable {
    public var fileName: String
    /// Tried in order; the first that yields the right checksum wins.
    public var urls: [String]
    public var md5: String

    public init(fileName: String, urls: [String], md5: String) {
        self.fileName = fileName
        self.urls = urls
        self.md5 = md5
    }
}

/// What a complete dataset holds: per split, the number of examples per class.
public struct ExpectedSplit: Equatable, Sendable {
    public var split: String
    public var classCounts: [Int]

    public init(split: String, classCounts: [Int]) {
        self.split = split
        self.classCounts = classCounts
    }

    public var total: Int { classCounts.reduce(0, +) }
}

/// Everything the CLI's `info`, `verify` and `fetch` need to know about a dataset.
///
/// Checksums: "canonical" ones are those the dataset's own page or torchvision / torchtext publish
/// (MNIST, Fashion-MNIST, CIFAR-10, IMDB, SST-2 and its extracted TSVs) or that equal them
/// (Adult's `adult.data`/`adult.test`); "content" checksums of gzip files were computed by
/// decompressing the canonical files; "Glidepath shared copy" ones identify the files of the
/// project's data directory listed in its `MD5SUMS` (the JPEG-derived CIFAR-10 batches, the IMDB
/// and SST-2 JSON lines, the gzip-wrapped GLUE TSVs); "Debian" ones identify
/// `dataset-fashion-mnist` 0.0~git20200523.55506a9-1.
public struct DatasetCatalogEntry: Sendable {
    public var name: DatasetName
    /// A one-line description with the citation.
    public var summary: String
    public var knownFiles: [String: [KnownChecksum]]
    public var downloads: [DownloadItem]
    /// The complete dataset's splits (test = GLUE dev for SST-2).
    public var expected: [ExpectedSplit]
}

public enum DatasetCatalog {
    /// The Debian package's Fashion-MNIST directory (`apt-get install dataset-fashion-mnist`).
    public static let debianFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    private static func canonical(_ md5: String) -> KnownChecksum {
        KnownChecksum(md5: md5, coverage: .storedBytes, copy: "canonical")
    }
    private static func content(_ md5: String, _ copy: String = "canonical") -> KnownChecksum {
        KnownChecksum(md5: md5, coverage: .content, copy: copy)
    }
    private static func shared(_ md5: String) -> KnownChecksum {
        KnownChecksum(md5: md5, coverage: .storedBytes, copy: "Glidepath shared copy")
    }

    public static func entry(_ name: DatasetName) -> DatasetCatalogEntry {
        switch name {
        case .mnist:
            let mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
            let files: [(String, String, String)] = [
                ("train-images-idx3-ubyte", "f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
                ("train-labels-idx1-ubyte", "d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
                ("t10k-images-idx3-ubyte", "9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
                ("t10k-labels-idx1-ubyte", "ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
            ]
            var known: [String: [KnownChecksum]] = [:]
            for (stem, gz, raw) in files {
                known[stem + ".gz"] = [canonical(gz), content(raw)]
                known[stem] = [KnownChecksum(md5: raw, coverage: .storedBytes, copy: "canonical, decompressed")]
            }
            return DatasetCatalogEntry(
                name: name, summary: "MNIST handwritten digits (LeCun, Bottou, Bengio, Haffner 1998), IDX format",
                knownFiles: known,
                downloads: files.map { file in
                    DownloadItem(fileName: file.0 + ".gz", urls: mirrors.map { $0 + file.0 + ".gz" }, md5: file.1)
                },
                expected: [
                    ExpectedSplit(
                        split: "train", classCounts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]),
                    ExpectedSplit(split: "test", classCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]),
                ])
        case .fashionMNIST:
            let base = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
            let files: [(String, String, String, String)] = [
                (
                    "train-images-idx3-ubyte", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "cf8536b0aa1a6ac5fa3f23001093305c",
                    "f4a8712d7a061bf5bd6d2ca38dc4d50a"
                ),
                (
                    "train-labels-idx1-ubyte", "25c81989df183df01b3e8a0aad5dffbe", "10bea18fdb374794d4bb42e356e600c9",
                    "9018921c3c673c538a1fc5bad174d6f9"
                ),
                (
                    "t10k-images-idx3-ubyte", "bef4ecab320f06d8554ea6380940ec79", "f78720b4224f21cce2f2ccf2d7a94c9a",
                    "8181f5470baa50b63fa0f6fddb340f0a"
                ),
                (
                    "t10k-labels-idx1-ubyte", "bb300cfdad3c16e7a12a480ee83cd310", "0d30e22e447f3c33dab9ed536400ac01",
                    "15d484375f8d13e6eb1aabb0c3f46965"
                ),
            ]
            var known: [String: [KnownChecksum]] = [:]
            for (stem, gz, debian, raw) in files {
                known[stem + ".gz"] = [
                    canonical(gz),
                    KnownChecksum(md5: debian, coverage: .storedBytes, copy: "Debian dataset-fashion-mnist"),
                    content(raw, "Debian dataset-fashion-mnist"),
                ]
                known[stem] = [
                    KnownChecksum(md5: raw, coverage: .storedBytes, copy: "Debian dataset-fashion-mnist, decompressed")
                ]
            }
            return DatasetCatalogEntry(
                name: name, summary: "Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), IDX format",
                knownFiles: known,
                downloads: files.map { DownloadItem(fileName: $0.0 + ".gz", urls: [base + $0.0 + ".gz"], md5: $0.1) },
                expected: [
                    ExpectedSplit(split: "train", classCounts: [Int](repeating: 6000, count: 10)),
                    ExpectedSplit(split: "test", classCounts: [Int](repeating: 1000, count: 10)),
                ])
        case .cifar10:
            return DatasetCatalogEntry(
                name: name, summary: "CIFAR-10 (Krizhevsky 2009), binary version",
                knownFiles: [
                    CIFAR10.archiveName: [canonical("c32a1d4ab5d03f1284b67883e8d87530")],
                    "data_batch_1.bin.gz": [
                        shared("4d047b015f4a0a37da178d942fab5712"),
                        content("5a5142663b2c457eb7edf61944cf14cd", "Glidepath shared copy"),
                    ],
                    "data_batch_2.bin.gz": [
                        shared("713c4cc692576c5b7d531629a0c5fda7"),
                        content("a03813b579934887e19fffa24f57e096", "Glidepath shared copy"),
                    ],
                    "test_batch.bin.gz": [
                        shared("2dd2a123954e70e8cc7c3cea48291606"),
                        content("11e2161f06e495577766fe4411c65d23", "Glidepath shared copy"),
                    ],
                    "batches.meta.txt": [shared("728051cd483f366e254dddb25bead8b3")],
                ],
                downloads: [
                    DownloadItem(
                        fileName: CIFAR10.archiveName,
                        urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
                        md5: "c32a1d4ab5d03f1284b67883e8d87530")
                ],
                expected: [
                    ExpectedSplit(split: "train", classCounts: [Int](repeating: 5000, count: 10)),
                    ExpectedSplit(split: "test", classCounts: [Int](repeating: 1000, count: 10)),
                ])
        case .imdb:
            return DatasetCatalogEntry(
                name: name, summary: "IMDB Large Movie Review Dataset (Maas et al. 2011)",
                knownFiles: [
                    IMDB.archiveName: [canonical("7c2ac02c03563afcf9b574c7e56c153a")],
                    "imdb_train.jsonl.gz": [
                        shared("77fcfd26ad96c1388c363be3623eb7bb"),
                        content("3dff68398844e003fbbcc8a8b6bf257d", "Glidepath shared copy"),
                    ],
                    "imdb_test.jsonl.gz": [
                        shared("af514de36dcb95291210675bd5f79e98"),
                        content("aa32fabc5122272c88adb376a23a4f20", "Glidepath shared copy"),
                    ],
                ],
                downloads: [
                    DownloadItem(
                        fileName: IMDB.archiveName,
                        urls: ["https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"],
                        md5: "7c2ac02c03563afcf9b574c7e56c153a")
                ],
                expected: [
                    ExpectedSplit(split: "train", classCounts: [12_500, 12_500]),
                    ExpectedSplit(split: "test", classCounts: [12_500, 12_500]),
                ])
        case .sst2:
            let train = "da409a0a939379ed32a470bc0f7fe99a", dev = "268856b487b2a31a28c0a93daaff7288",
                test = "3230e4efec76488b87877a56ae49675a"
            return DatasetCatalogEntry(
                name: name, summary: "SST-2 (Socher et al. 2013) from GLUE (Wang et al. 2018); GLUE dev serves as test",
                knownFiles: [
                    "SST-2.zip": [canonical("9f81648d4199384278b86e315dac217c")],
                    "train.tsv": [canonical(train)], "dev.tsv": [canonical(dev)], "test.tsv": [canonical(test)],
                    "glue_sst2_train.tsv.gz": [shared("fe443a8c1346b0886e791afcc6422737"), content(train)],
                    "glue_sst2_dev.tsv.gz": [shared("a14438986fcc5dd924dd2b4f970fef04"), content(dev)],
                    "glue_sst2_test.tsv.gz": [shared("b1dd28e4c75607e79bfe9c043f0187c2"), content(test)],
                    "sst2_train.jsonl.gz": [
                        shared("add2956fbe099d394fc6db9dadc78e9f"),
                        content("41573f2e0ab8f8fa11b1f894926e9776", "Glidepath shared copy"),
                    ],
                    "sst2_dev.jsonl.gz": [
                        shared("4d26a3b8df32cd5632307398166183e2"),
                        content("84c0bb2a86d4672b775c58bc07804065", "Glidepath shared copy"),
                    ],
                ],
                downloads: [
                    DownloadItem(
                        fileName: "SST-2.zip", urls: ["https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"],
                        md5: "9f81648d4199384278b86e315dac217c")
                ],
                expected: [
                    ExpectedSplit(split: "train", classCounts: [29_780, 37_569]),
                    ExpectedSplit(split: "test", classCounts: [428, 444]),
                ])
        case .adult:
            let base = "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/"
            return DatasetCatalogEntry(
                name: name, summary: "UCI Adult / Census Income (Kohavi 1996)",
                knownFiles: [
                    "adult.data": [canonical("5d7c39d7b8804f071cdd1f2a7c460872")],
                    "adult.test": [canonical("35238206dfdf7f1fe215bbb874adecdc")],
                    "adult.names": [shared("1a7cdb3ff7a1b709968b1c7a11def63e")],
                ],
                downloads: [
                    DownloadItem(
                        fileName: "adult.data", urls: [base + "adult.data"], md5: "5d7c39d7b8804f071cdd1f2a7c460872"),
                    DownloadItem(
                        fileName: "adult.test", urls: [base + "adult.test"], md5: "35238206dfdf7f1fe215bbb874adecdc"),
                ],
                expected: [
                    ExpectedSplit(split: "train", classCounts: [24_720, 7_841]),
                    ExpectedSplit(split: "test", classCounts: [12_435, 3_846]),
                ])
        }
    }

    /// The directory holding dataset `name` under a data directory: `dataDirectory/NAME` if it
    /// exists; else `dataDirectory` itself if it directly holds the dataset's files (so
    /// `--data-dir /usr/share/datasets/fashion-mnist` works); for Fashion-MNIST, else Debian's
    /// directory if installed; else `dataDirectory/NAME` (reported missing when read).
    public static func directory(for name: DatasetName, in dataDirectory: String) -> String {
        let nested = dataDirectory.hasSuffix("/") ? dataDirectory + name.rawValue : dataDirectory + "/" + name.rawValue
        if FileAccess.isDirectory(nested) { return nested }
        let known = entry(name).knownFiles.keys
        if known.contains(where: { FileAccess.exists(dataDirectory + "/" + $0) }) { return dataDirectory }
        if name == .fashionMNIST, FileAccess.isDirectory(debianFashionMNISTDirectory) {
            return debianFashionMNISTDirectory
        }
        return nested
    }
}
