import GlidepathData

extension TaskData {
    /// The three parts of a tabular task from feature tables in memory (a synthetic problem, a test).
    public init(tables train: TabularDataset, validation: TabularDataset, test: TabularDataset, directory: String = "")
    {
        self.init(
            train: TabularSource(base: TabularBatchSource(dataset: train)),
            validation: TabularSource(base: TabularBatchSource(dataset: validation)),
            test: TabularSource(base: TabularBatchSource(dataset: test)), directory: directory)
    }
}
