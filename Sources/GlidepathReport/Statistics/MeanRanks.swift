/// Mean rank of each arm across tasks (Demšar 2006, "Statistical comparisons of classifiers over multiple
/// data sets", JMLR 7, §3.2.2).
///
/// On each task the arms are ranked by their per-task value (the median over seeds), rank 1 the best
/// (lowest for lower-is-better endpoints, highest for higher-is-better), ties sharing the average rank
/// (`scipy.stats.rankdata(method="average")`); a miss (+∞) ranks last. An arm's mean rank is the mean over
/// tasks. Tasks where some arm has no value are left out. Fixture: `scripts/fixtures/report_statistics.py`.
public enum MeanRanks {
    /// Mean ranks per arm from `values[s][k]` (arm s, task k; `nil` = no value).
    /// - Returns: one mean rank per arm (`nil` when no task has every arm), and the number of tasks used.
    public static func compute(values: [[Double?]], direction: EndpointDirection) -> (ranks: [Double?], tasks: Int) {
        guard let taskCount = values.first?.count else { return ([], 0) }
        var sums = [Double](repeating: 0, count: values.count)
        var used = 0
        for task in 0..<taskCount {
            let column = values.map { $0.count > task ? $0[task] : nil }
            guard column.allSatisfy({ $0 != nil }) else { continue }
            let oriented = column.map { value -> Double in
                let v = value ?? .nan
                return direction == .higherIsBetter ? -v : v
            }
            for (arm, rank) in Ranking.averageRanks(oriented).enumerated() { sums[arm] += rank }
            used += 1
        }
        return (sums.map { used > 0 ? $0 / Double(used) : nil }, used)
    }
}
