/// Rows of numeric features with class labels.
public struct TabularDataset: Equatable, Sendable {
    /// `count × featureCount` values, row-major.
    public var features: [Float]
    public var labels: [Int32]
    public var featureNames: [String]
    public var classNames: [String]

    public init(features: [Float], labels: [Int32], featureNames: [String], classNames: [String]) {
        precondition(
            features.count == labels.count * featureNames.count,
            "TabularDataset: \(features.count) values for \(labels.count) rows of \(featureNames.count)")
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
        self.classNames = classNames
    }

    public var count: Int { labels.count }
    public var featureCount: Int { featureNames.count }

    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    public func subset(_ indices: [Int]) -> TabularDataset {
        var rows: [Float] = []
        rows.reserveCapacity(indices.count * featureCount)
        for index in indices { rows += features[(index * featureCount)..<((index + 1) * featureCount)] }
        return TabularDataset(
            features: rows, labels: indices.map { labels[$0] }, featureNames: featureNames,
            classNames: classNames)
    }
}

/// Turns ``AdultRecord``s into features with statistics of the training split only.
///
/// - Numeric attributes: standardised, `(x − mean) / std` with the training mean and population
///   standard deviation (as scikit-learn's `StandardScaler`); a missing number (none occur in the
///   distributed files) is imputed with the training mean, i.e. becomes 0.
/// - Categorical attributes: one-hot over the values seen in training, sorted by Unicode scalar
///   order. **Missing-value strategy:** `?` is kept as a category of its own (`workclass=?`), so
///   the 2,399 training and 1,221 test rows with a missing value are kept (dropping them would
///   change the README's counts and the class balance) and missingness can carry signal. A test
///   value never seen in training encodes as all zeros in that attribute's block.
///
/// Feature order: the six numeric attributes, then each categorical attribute's block in file order.
public struct AdultEncoder: Equatable, Codable, Sendable {
    public var means: [Double]
    public var standardDeviations: [Double]
    /// Per categorical attribute, its training values in one-hot order (`?` for missing).
    public var categories: [[String]]

    public init(fitting training: [AdultRecord]) throws(DataError) {
        guard !training.isEmpty else {
            throw DataError(file: "adult.data", problem: .invalidArgument("cannot fit an encoder on no rows"))
        }
        var means: [Double] = [], deviations: [Double] = []
        for column in 0..<Adult.numericNames.count {
            let values = training.map { $0.numeric[column] }.filter { !$0.isNaN }
            let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            let variance =
                values.isEmpty ? 0 : values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            means.append(mean)
            // A constant column standardises to 0 rather than dividing by zero.
            deviations.append(variance > 0 ? variance.squareRoot() : 1)
        }
        self.means = means
        standardDeviations = deviations
        categories = (0..<Adult.categoricalNames.count).map { column in
            Set(training.map { $0.categorical[column] ?? "?" }).sorted {
                $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
            }
        }
    }

    /// Feature names: `age`, …, then `workclass=Private`, … .
    public var featureNames: [String] {
        Adult.numericNames
            + zip(Adult.categoricalNames, categories).flatMap { name, values in
                values.map { "\(name)=\($0)" }
            }
    }

    public func encode(_ records: [AdultRecord]) -> TabularDataset {
        let names = featureNames
        let width = names.count
        let lookup = categories.map { values in
            Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        }
        var blockStart: [Int] = []
        var offset = Adult.numericNames.count
        for values in categories {
            blockStart.append(offset)
            offset += values.count
        }
        var features = [Float](repeating: 0, count: records.count * width)
        for (row, record) in records.enumerated() {
            let base = row * width
            for column in 0..<means.count {
                let value = record.numeric[column]
                features[base + column] = value.isNaN ? 0 : Float((value - means[column]) / standardDeviations[column])
            }
            for column in 0..<categories.count {
                if let position = lookup[column][record.categorical[column] ?? "?"] {
                    features[base + blockStart[column] + position] = 1
                }
            }
        }
        return TabularDataset(
            features: features, labels: records.map(\.label), featureNames: names,
            classNames: Adult.classNames)
    }
}
