/// Correctly rounded summation of binary64 values: Shewchuk's exact partials ("Adaptive precision
/// floating-point arithmetic", Discrete Comput. Geom. 18, 1997) with the final half-way correction of
/// CPython's `math.fsum` (Modules/mathmodule.c, `math_fsum`), so the result is the exact sum rounded
/// once, ties to even, and bit-identical to `math.fsum` on the same finite inputs.
///
/// ``LossRecorder`` uses it for its mean and standard deviation, and DLRS for the mean of an epoch's
/// scaled losses (pytorch-dlrs 0.3.0 computes `fsum(scaled losses) / B`) when some loss underflows on
/// scaling; otherwise DLRS rounds its exact superaccumulator sum, which gives the same value faster.
enum CorrectlyRoundedSum {
    /// The correctly rounded sum of `count` values produced by `value(i)`, or `nil` when an
    /// intermediate or the final sum overflows (CPython raises `OverflowError` there). The inputs must
    /// be finite (callers validate them first).
    @inline(__always)
    static func sum(count: Int, _ value: (Int) -> Double) -> Double? {
        // Nonoverlapping partials. Each occupies at least one of the 2,098 bit positions of binary64,
        // so 2,100 slots can never overflow.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2_100) { partials -> Double? in
            var used = 0
            for index in 0..<count {
                var x = value(index)
                var kept = 0
                for slot in 0..<used {
                    var y = partials[slot]
                    if x.magnitude < y.magnitude { swap(&x, &y) }
                    let high = x + y
                    let low = y - (high - x)
                    if low != 0 {
                        partials[kept] = low
                        kept += 1
                    }
                    x = high
                }
                if !x.isFinite { return nil }
                if x != 0 {
                    partials[kept] = x
                    kept += 1
                }
                used = kept
            }
            return roundPartials(partials, count: used)
        }
    }

    /// The correctly rounded sum of `values` (see ``sum(count:_:)``).
    static func sum(_ values: [Double]) -> Double? {
        values.withUnsafeBufferPointer { buffer in
            sum(count: buffer.count) { buffer[$0] }
        }
    }

    /// Adds the partials from the top and fixes the one case where two roundings would differ from one:
    /// a result exactly half-way whose remaining partials push it further in the same direction.
    private static func roundPartials(_ partials: UnsafeMutableBufferPointer<Double>, count: Int) -> Double {
        var remaining = count
        guard remaining > 0 else { return 0 }
        remaining -= 1
        var high = partials[remaining]
        var low = 0.0
        while remaining > 0 {
            let x = high
            remaining -= 1
            let y = partials[remaining]
            high = x + y
            let yr = high - x
            low = y - yr
            if low != 0 { break }
        }
        if remaining > 0 && ((low < 0 && partials[remaining - 1] < 0) || (low > 0 && partials[remaining - 1] > 0)) {
            let y = low * 2
            let x = high + y
            let yr = x - high
            if y == yr { high = x }
        }
        return high
    }
}
