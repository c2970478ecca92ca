/// A dataset that can be cut into subsets by index: what ``DatasetSplits`` needs.
public protocol SubsettableDataset: Sendable {
    var count: Int { get }
    func subset(_ indices: [Int]) -> Self
}

extension ImageDataset: SubsettableDataset {}
extension TextDataset: SubsettableDataset {}
extension TabularDataset: SubsettableDataset {}

/// Training, validation and test sets of one dataset.
///
/// `test` is the official test split (for SST-2, GLUE's dev set); `train` and `validation` partition
/// the official training split with ``ValidationSplit`` (seeded, `round(fraction · count)` validation
/// examples, each part in file order). With `fraction` 0 the validation set is empty and `train` is
/// the whole official training split.
public struct DatasetSplits<Dataset: SubsettableDataset>: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset
    /// The indices into the official training split behind `train` and `validation`.
    public var split: ValidationSplit

    public init(officialTrain: Dataset, officialTest: Dataset, validationFraction: Double, seed: UInt64)
        throws(DataError)
    {
        let split = try ValidationSplit(count: officialTrain.count, fraction: validationFraction, seed: seed)
        self.split = split
        train = officialTrain.subset(split.trainingIndices)
        validation = officialTrain.subset(split.validationIndices)
        test = officialTest
    }
}
