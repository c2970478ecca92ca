extension RunStoreSchema {
    /// The optimizers' internal step-size estimates (Prodigy's and D-Adaptation's d, DoG's η), recorded per
    /// update and at each epoch's end like the rates: a JSON array per row, NULL for optimizers without one
    /// and for rows written before the columns existed. Additive: older stores migrate and resume.
    static let stepSizeEstimates = """
        ALTER TABLE steps ADD COLUMN step_sizes TEXT;
        ALTER TABLE epochs ADD COLUMN step_sizes TEXT;
        """
}
