/// The normalized loss slope `s = q · (L_B − L_1) / L̄` of DLRS, computed as pytorch-dlrs 0.3.0 does so
/// that it is bit-identical to it and invariant under power-of-two rescaling of the losses:
///
/// 1. scale every loss by `2^−e`, with `e` the `frexp` exponent of the largest loss (no overflow, and
///    the scaling is exact unless a loss underflows);
/// 2. `s = q · (x̂_B − x̂_1) / (fsum(x̂) / B)` with a correctly rounded sum (``CorrectlyRoundedSum``);
/// 3. recompute `s` as an exact rational, and decide the branch from it, when `|s − 1| ≤ 1e−15`, when an
///    endpoint underflows on scaling, when `s` is subnormal, or when `s = 0` although the endpoints
///    differ (`docs/dlrs.md`, "The rule"). A nonzero exact slope that rounds to 0 is an error.
///
/// There is no 1e−10 cutoff on the mean (pytorch-dlrs 0.2.1 skips small-scale losses); callers skip only
/// all-zero losses.
struct LossSlope: Sendable, Equatable {
    /// The slope as binary64 (the exact slope rounded once when the exact path was taken).
    var value: Double
    /// Whether the exact slope is greater than 1 (the divergence branch).
    var isAboveOne: Bool
    /// Whether the exact slope equals 1 (the branch where the paper's Section 3.2 and Algorithm 1 differ).
    var isExactlyOne: Bool
    /// Whether the exact rational path decided the branch.
    var usedExactArithmetic: Bool

    /// Raised when the exact slope is nonzero but rounds to 0.0 in binary64.
    struct NotRepresentable: Error {
        var exactSlope: ExactRational
    }

    /// What one validating pass over an epoch's losses found.
    struct Scan {
        /// The largest loss.
        var maximum: Double
        /// The smallest positive loss (+∞ if none).
        var smallestPositive: Double
        /// The exact sum of the losses, times 2^1074.
        var exactSum: BigUInt
    }

    /// Why a loss was rejected.
    enum Rejection: Error {
        case negative(index: Int)
        case notFinite(index: Int)
    }

    /// One pass over the losses: rejects the first NaN, infinite or negative value (negativity is
    /// checked first, as 0.3.0 does, so −∞ is reported as negative), and otherwise returns the maximum,
    /// the smallest positive value and the exact sum.
    ///
    /// The exact sum uses a small superaccumulator (Neal, "Fast exact summation using small and large
    /// superaccumulators", arXiv:1505.05571): 32-bit digits held in 64-bit words, so each loss costs three
    /// branch-free additions and carries are resolved once at the end. Exact for up to 2^31 losses.
    static func scan(_ losses: UnsafeBufferPointer<Double>) throws(Rejection) -> Scan {
        precondition(losses.count < 1 << 31, "an epoch of more than 2^31 losses")
        return try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: digitCount) { digits throws(Rejection) in
            digits.initialize(repeating: 0)
            var maximum = 0.0
            var smallestPositive = Double.infinity
            for index in losses.indices {
                let value = losses[index]
                if value < 0 { throw .negative(index: index) }
                if !value.isFinite { throw .notFinite(index: index) }
                maximum = Swift.max(maximum, value)
                if value > 0 { smallestPositive = Swift.min(smallestPositive, value) }
                // value = significand · 2^(position − 1074), significand < 2^53, for every finite value.
                let pattern = value.bitPattern
                let biased = pattern >> 52 & 0x7FF
                let significand = (pattern & 0xF_FFFF_FFFF_FFFF) | (biased != 0 ? 1 << 52 : 0)
                let position = Int(biased == 0 ? 0 : biased - 1)
                let shift = UInt64(position & 31)
                let low = significand &<< shift
                let high = (significand &>> 1) &>> (63 - shift)
                let digit = position >> 5
                digits[digit] &+= low & 0xFFFF_FFFF
                digits[digit + 1] &+= low >> 32
                digits[digit + 2] &+= high
            }
            // Resolve carries into 64-bit words.
            var words = [UInt64](repeating: 0, count: (digitCount + 1) / 2)
            var carry: UInt64 = 0
            for digit in 0..<digitCount {
                let total = digits[digit] &+ carry
                words[digit / 2] |= (total & 0xFFFF_FFFF) << (digit % 2 == 0 ? 0 : 32)
                carry = total >> 32
            }
            return Scan(maximum: maximum, smallestPositive: smallestPositive, exactSum: BigUInt(words: words))
        }
    }

    /// 32-bit digits covering 2^−1074 … 2^1024 times 2^31 losses, plus one spare.
    private static let digitCount = 70

    /// The slope of scanned losses (at least two, `scan.maximum > 0`). `direction` is q = +1, or −1
    /// for a metric that should rise (the plateau wrapper's max mode).
    static func compute(
        _ losses: UnsafeBufferPointer<Double>, scan: Scan, direction: Double
    ) throws(NotRepresentable) -> LossSlope {
        let count = losses.count
        // frexp(maximum) = m · 2^e with m in [0.5, 1); Swift's `exponent` is e − 1 (also for subnormals).
        let scaleExponent = Int(scan.maximum.exponent) + 1
        // ldexp(x, −e) as one or two exact-or-correctly-rounded multiplications by powers of two:
        // when 2^−e is representable (−e ≤ 1023) one multiplication is exactly ldexp; beyond that every
        // loss is subnormal and both multiplications scale up, which is exact.
        let firstFactor: Double
        let secondFactor: Double
        if -scaleExponent <= 1023 {
            firstFactor = Double(sign: .plus, exponent: -scaleExponent, significand: 1)
            secondFactor = 1
        } else {
            firstFactor = Double(sign: .plus, exponent: 1023, significand: 1)
            secondFactor = Double(sign: .plus, exponent: -scaleExponent - 1023, significand: 1)
        }
        @inline(__always) func scaled(_ value: Double) -> Double { value * firstFactor * secondFactor }

        // fsum(x̂) is the exact sum of the scaled losses rounded once. When no loss underflows on
        // scaling, that sum is exactly 2^−e times the exact sum of the losses, which the scan already
        // holds; otherwise sum the rounded scaled values (every one is at most 1, so no overflow).
        let sum: Double
        if scaled(scan.smallestPositive) >= .leastNormalMagnitude || scan.smallestPositive == .infinity {
            sum = ExactRational.rounded(scan.exactSum, timesTwoToThe: -1074 - scaleExponent)
        } else {
            sum = CorrectlyRoundedSum.sum(count: count) { scaled(losses[$0]) } ?? .infinity
        }
        let first = losses[0]
        let last = losses[count - 1]
        let scaledFirst = scaled(first)
        let scaledLast = scaled(last)
        let slope = direction * (scaledLast - scaledFirst) / (sum / Double(count))

        let endpointUnderflow =
            (first > 0 && scaledFirst < .leastNormalMagnitude)
            || (last > 0 && scaledLast < .leastNormalMagnitude)
        let needsExact =
            (slope - 1).magnitude <= 1e-15
            || endpointUnderflow
            || (slope != 0 && slope.magnitude < .leastNormalMagnitude)
            || (slope == 0 && first != last)
        guard needsExact else {
            return LossSlope(value: slope, isAboveOne: slope > 1, isExactlyOne: false, usedExactArithmetic: false)
        }
        let exact = exactSlope(first: first, last: last, count: count, exactSum: scan.exactSum, direction: direction)
        let rounded = exact.doubleValue
        if !exact.isZero && rounded == 0 { throw NotRepresentable(exactSlope: exact) }
        let versusOne = ExactRational.compare(exact, ExactRational(numerator: .one))
        return LossSlope(
            value: rounded, isAboveOne: versusOne > 0, isExactlyOne: versusOne == 0,
            usedExactArithmetic: true)
    }

    /// `q · (L_B − L_1) · B / Σ L_k` exactly, from the unscaled endpoints and the exact sum (× 2^1074).
    static func exactSlope(first: Double, last: Double, count: Int, exactSum: BigUInt, direction: Double)
        -> ExactRational
    {
        let firstFixed = fixedPoint(first)
        let lastFixed = fixedPoint(last)
        let rising = BigUInt.compare(lastFixed, firstFixed) >= 0
        let difference = rising ? lastFixed - firstFixed : firstFixed - lastFixed
        let negative = (direction < 0) == rising
        return ExactRational(isNegative: negative, numerator: difference * UInt64(count), denominator: exactSum)
            .removingCommonPowersOfTwo()
    }

    /// `value · 2^1074` as an integer (exact for any finite nonnegative double).
    static func fixedPoint(_ value: Double) -> BigUInt {
        let parts = BinaryParts(value)
        return BigUInt(parts.significand) << (parts.exponent + 1074)
    }
}
