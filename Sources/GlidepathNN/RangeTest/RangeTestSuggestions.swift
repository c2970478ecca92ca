/// The rates a range test suggests, by the three usual rules, from its record with the first
/// `skipStart` and last `skipEnd` entries left out (the trimmed record; entries from the first
/// non-finite loss on are dropped too, as fastai does):
///
/// * **steepest** (torch-lr-finder 0.2.2, `LRFinder.plot(suggest_lr=True)`): the rate where the
///   smoothed loss falls fastest per update, argmin of the index-spaced gradient (`np.gradient`: central
///   differences inside, one-sided at the ends). Needs ≥ 2 trimmed entries (torch-lr-finder refuses fewer
///   than skipStart + skipEnd + 2 records).
/// * **minimum** (fastai, `minimum`): a tenth of the rate at the smallest smoothed loss.
/// * **valley** (fastai, `valley`): the longest strictly decreasing subsequence of the smoothed loss
///   ends at index b and has length ℓ; with a = b − ℓ, the entry a + ⌊(b − a)/3⌋ + ⌊(b − a)/6⌋, about
///   half-way down the valley. (An index of −1, when the valley starts at the first entry and is
///   short, means the last entry, as Python's indexing does in fastai.)
public struct RangeTestSuggestions: Codable, Equatable, Sendable {
    /// One suggestion: the rate, and the record entry it comes from.
    public struct Suggestion: Codable, Equatable, Sendable {
        /// The suggested rate.
        public var rate: Double
        /// The index in the full record of the entry the rule picked (for minimum: the minimum itself).
        public var index: Int
        /// The smoothed loss there.
        public var loss: Double
    }

    public var steepest: Suggestion?
    public var minimum: Suggestion?
    public var valley: Suggestion?

    public init(rates: [Double], smoothedLosses: [Double], skipStart: Int, skipEnd: Int) {
        var end = max(0, rates.count - skipEnd)
        if let bad = smoothedLosses.firstIndex(where: { !$0.isFinite }) { end = min(end, bad) }
        guard skipStart < end else { return }
        let range = skipStart..<end
        let losses = Array(smoothedLosses[range])
        func suggestion(_ local: Int, rate: Double? = nil) -> Suggestion {
            Suggestion(rate: rate ?? rates[skipStart + local], index: skipStart + local, loss: losses[local])
        }
        if losses.count >= 2 {
            steepest = suggestion(Self.argmin(Self.gradient(losses)))
        }
        let lowest = Self.argmin(losses)
        minimum = suggestion(lowest, rate: rates[skipStart + lowest] / 10)
        valley = suggestion(Self.valleyIndex(losses))
    }

    /// `np.gradient` with unit spacing (n ≥ 2).
    static func gradient(_ values: [Double]) -> [Double] {
        let n = values.count
        return (0..<n).map { i in
            if i == 0 { return values[1] - values[0] }
            if i == n - 1 { return values[n - 1] - values[n - 2] }
            return (values[i + 1] - values[i - 1]) / 2
        }
    }

    /// The first index of the smallest value (`argmin`).
    static func argmin(_ values: [Double]) -> Int {
        var best = 0
        for index in values.indices where values[index] < values[best] { best = index }
        return best
    }

    /// fastai's `valley` index into `losses` (n ≥ 1), wrapped as Python wraps a negative index.
    static func valleyIndex(_ losses: [Double]) -> Int {
        let n = losses.count
        var longest = [Int](repeating: 1, count: n)
        var start = 0, end = 0
        for i in 1..<max(1, n) {
            for j in 0..<i {
                if losses[i] < losses[j] && longest[i] < longest[j] + 1 { longest[i] = longest[j] + 1 }
                if longest[end] < longest[i] {
                    end = i
                    start = end - longest[end]
                }
            }
        }
        let sections = Double(end - start) / 3
        let index = start + Int(sections) + Int(sections / 2)
        return index < 0 ? index + n : index
    }
}
