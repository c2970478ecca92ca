/// The normalized loss slope `s = q · (L_B − L_1) / L̄` of DLRS, computed as pytorch-dlrs 0.3.0 does so
/// that it is bit-identical to it and invariant under power-of-two rescaling of the losses:
///
/// 1. scale every loss by `2^−e`, with `e` the `frexp` exponent of the largest loss (no overflow, and
///    the scaling is exact unless a loss underflows);
/// 2. `s = q · (x̂_B − x̂_1) / (fsum(x̂) / B)` with a correctly rounded sum (``CorrectlyRoundedSum``);
/// 3. recompute `s` as an exact rational, and decide the branch from it, when `|s − 1| ≤ 1e−15`, when an
///    endpoint underflows on scaling, when `s` is subnormal, or when `s = 0` although the endpoints
///    differ (dlrs.md §11.6). A nonzero exact slope that rounds to 0 is an error.
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

    /// The slope of validated losses (finite, nonnegative, at least two, `maximum > 0` their maximum).
    /// `direction` is q = +1, or −1 for a metric that should rise (the plateau wrapper's max mode).
    static func compute(
        _ losses: UnsafeBufferPointer<Double>, maximum: Double, direction: Double
    ) throws(NotRepresentable) -> LossSlope {
        let count = losses.count
        // frexp(maximum) = m · 2^e with m in [0.5, 1); Swift's `exponent` is e − 1 (also for subnormals).
        let scaleExponent = Int(maximum.exponent) + 1
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

        // Every scaled loss is at most 1, so the sum cannot overflow for any realistic count.
        let sum = CorrectlyRoundedSum.sum(count: count) { scaled(losses[$0]) } ?? .infinity
        let first = losses[0]
        let last = losses[count - 1]
        let scaledFirst = scaled(first)
        let scaledLast = scaled(last)
        let slope = direction * (scaledLast - scaledFirst) / (sum / Double(count))

        let endpointUnderflow = (first > 0 && scaledFirst < .leastNormalMagnitude)
            || (last > 0 && scaledLast < .leastNormalMagnitude)
        let needsExact = (slope - 1).magnitude <= 1e-15
            || endpointUnderflow
            || (slope != 0 && slope.magnitude < .leastNormalMagnitude)
            || (slope == 0 && first != last)
        guard needsExact else {
            return LossSlope(value: slope, isAboveOne: slope > 1, isExactlyOne: false, usedExactArithmetic: false)
        }
        let exact = exactSlope(losses, direction: direction)
        let rounded = exact.doubleValue
        if !exact.isZero && rounded == 0 { throw NotRepresentable(exactSlope: exact) }
        let versusOne = ExactRational.compare(exact, ExactRational(numerator: .one))
        return LossSlope(value: rounded, isAboveOne: versusOne > 0, isExactlyOne: versusOne == 0,
                         usedExactArithmetic: true)
    }

    /// `q · (L_B − L_1) · B / Σ L_k` exactly, from the unscaled losses.
    static func exactSlope(_ losses: UnsafeBufferPointer<Double>, direction: Double) -> ExactRational {
        var accumulator = FixedPointAccumulator()
        for value in losses { accumulator.add(value) }
        let sum = accumulator.value
        let first = FixedPointAccumulator.fixedPoint(losses[0])
        let last = FixedPointAccumulator.fixedPoint(losses[losses.count - 1])
        let rising = BigUInt.compare(last, first) >= 0
        let difference = rising ? last - first : first - last
        let negative = (direction < 0) == rising
        return ExactRational(isNegative: negative, numerator: difference * UInt64(losses.count), denominator: sum)
    }
}

/// An exact fixed-point accumulator for nonnegative finite doubles: the sum as an integer multiple of
/// 2^−1074 (the smallest subnormal), in 64-bit words. One addition costs O(1) amortized, so the exact
/// sum of 100,000 losses takes well under a millisecond (a rational sum of `Fraction`s in Python takes
/// about 190 ms).
struct FixedPointAccumulator {
    /// 2,098 bit positions of binary64 plus 64 bits of headroom for carries of up to 2^64 additions.
    private var words = [UInt64](repeating: 0, count: 35)

    /// `value · 2^1074` as an integer (exact for any finite nonnegative double).
    static func fixedPoint(_ value: Double) -> BigUInt {
        let parts = BinaryParts(value)
        return BigUInt(parts.significand) << (parts.exponent + 1074)
    }

    mutating func add(_ value: Double) {
        let parts = BinaryParts(value)
        guard parts.significand != 0 else { return }
        let position = parts.exponent + 1074
        let word = position >> 6
        let offset = UInt64(position & 63)
        addWord(parts.significand << offset, at: word)
        if offset != 0 { addWord(parts.significand >> (64 - offset), at: word + 1) }
    }

    private mutating func addWord(_ addend: UInt64, at index: Int) {
        guard addend != 0 else { return }
        var (sum, overflow) = words[index].addingReportingOverflow(addend)
        words[index] = sum
        var position = index + 1
        while overflow {
            (sum, overflow) = words[position].addingReportingOverflow(1)
            words[position] = sum
            position += 1
        }
    }

    /// The sum times 2^1074.
    var value: BigUInt { BigUInt(words: words) }
}
