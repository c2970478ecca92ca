import Foundation

/// One of the two official splits of a dataset.
public enum Split: String, CaseIterable, Codable, Sendable {
    case train, test
}

/// MNIST (LeCun, Bottou, Bengio, Haffner 1998; http://yann.lecun.com/exdb/mnist/) and Fashion-MNIST
/// (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747; https://github.com/zalandoresearch/fashion-mnist),
/// which share the IDX file layout: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each gzip-compressed (`.gz`, as distributed)
/// or raw.
///
/// Checks: the image file is rank 3 (count × rows × columns), the label file rank 1, the two counts
/// agree, every label is in 0…9. Images come out as 1 × 28 × 28 bytes.
public enum MNIST {
    /// Which dataset: the class names differ, the format does not.
    public enum Variant: String, Sendable, CaseIterable {
        case digits
        case fashion
    }

    /// Class names: digits "0"…"9"; Fashion-MNIST's ten article names from its README.
    public static func classNames(_ variant: Variant) -> [String] {
        switch variant {
        case .digits: return (0...9).map(String.init)
        case .fashion:
            return [
                "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                "Ankle boot",
            ]
        }
    }

    /// The canonical file stems (without `.gz`) of a split: images, then labels.
    public static func fileStems(_ split: Split) -> (images: String, labels: String) {
        switch split {
        case .train: return ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        case .test: return ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        }
    }

    /// Loads one split from `directory`, taking `NAME.gz` if present, else `NAME`. The two files are
    /// decompressed in parallel.
    public static func load(_ split: Split, from directory: String, variant: Variant = .digits) throws(DataError)
        -> ImageDataset
    {
        try loadSplits([split], from: directory, variant: variant)[0]
    }

    /// Loads both splits (train, then test), decompressing the four files in parallel.
    public static func loadAll(from directory: String, variant: Variant = .digits) throws(DataError)
        -> (train: ImageDataset, test: ImageDataset)
    {
        let splits = try loadSplits([.train, .test], from: directory, variant: variant)
        return (splits[0], splits[1])
    }

    /// Builds a dataset from a parsed image array and label array (exposed for fuzzing and tests).
    public static func assemble(
        images: IDXArray, imagesFile: String, labels: IDXArray, labelsFile: String, variant: Variant
    ) throws(DataError) -> ImageDataset {
        guard images.dimensions.count == 3 else {
            throw DataError(
                file: imagesFile, location: .byteOffset(3),
                problem: .badDimensions("images need 3 dimensions (count, rows, columns), found \(images.dimensions)"))
        }
        guard images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw DataError(
                file: imagesFile, location: .byteOffset(8),
                problem: .badDimensions("empty images \(images.dimensions[1])×\(images.dimensions[2])"))
        }
        guard labels.dimensions.count == 1 else {
            throw DataError(
                file: labelsFile, location: .byteOffset(3),
                problem: .badDimensions("labels need 1 dimension (count), found \(labels.dimensions)"))
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError(
                file: labelsFile, location: .byteOffset(4),
                problem: .countMismatch(
                    "\(labels.dimensions[0]) labels for \(images.dimensions[0]) images in \(imagesFile)"))
        }
        let classCount = 10
        var labelValues = [Int32](repeating: 0, count: labels.elements.count)
        for (index, label) in labels.elements.enumerated() {
            guard Int(label) < classCount else {
                throw DataError(
                    file: labelsFile, location: .byteOffset(8 + index),
                    problem: .labelOutOfRange(label: Int(label), classCount: classCount))
            }
            labelValues[index] = Int32(label)
        }
        return ImageDataset(
            pixels: images.elements, labels: labelValues, channels: 1,
            height: images.dimensions[1], width: images.dimensions[2],
            classNames: classNames(variant))
    }

    private static func loadSplits(_ splits: [Split], from directory: String, variant: Variant) throws(DataError)
        -> [ImageDataset]
    {
        var paths: [String] = []
        for split in splits {
            let stems = fileStems(split)
            paths.append(try FileAccess.firstExisting(in: directory, [stems.images + ".gz", stems.images]))
            paths.append(try FileAccess.firstExisting(in: directory, [stems.labels + ".gz", stems.labels]))
        }
        let arrays = try parallelMap(paths) { (path) throws(DataError) in try IDX.read(at: path) }
        var datasets: [ImageDataset] = []
        for (index, _) in splits.enumerated() {
            datasets.append(
                try assemble(
                    images: arrays[2 * index], imagesFile: paths[2 * index],
                    labels: arrays[2 * index + 1], labelsFile: paths[2 * index + 1],
                    variant: variant))
        }
        return datasets
    }
}
