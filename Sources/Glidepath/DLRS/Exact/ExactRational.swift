/// The exact value of a finite binary64 number as `significand · 2^exponent` with an integer significand.
///
/// Zero is `(0, 0)`. Subnormals use exponent −1074. The sign is not part of the decomposition.
struct BinaryParts: Sendable, Equatable {
    var significand: UInt64
    var exponent: Int

    init(_ value: Double) {
        precondition(value.isFinite, "BinaryParts needs a finite value")
        let magnitude = value.magnitude
        if magnitude == 0 {
            significand = 0
            exponent = 0
        } else if magnitude.isSubnormal {
            significand = magnitude.significandBitPattern
            exponent = -1074
        } else {
            significand = magnitude.significandBitPattern | (1 << 52)
            exponent = Int(magnitude.exponentBitPattern) - 1075
        }
    }
}

/// An exact signed rational `±numerator / denominator` with arbitrary-precision parts (not reduced).
///
/// Used where DLRS must decide something that rounding could flip: the branch at s = 1, a slope whose
/// rounded value is 0 or subnormal, and the correctly rounded conversion of exact values to binary64.
struct ExactRational: Sendable, CustomStringConvertible {
    var isNegative: Bool
    var numerator: BigUInt
    var denominator: BigUInt

    init(isNegative: Bool = false, numerator: BigUInt, denominator: BigUInt = .one) {
        precondition(!denominator.isZero, "ExactRational with zero denominator")
        self.isNegative = isNegative && !numerator.isZero
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The exact value of a finite double.
    init(_ value: Double) {
        let parts = BinaryParts(value)
        let significand = BigUInt(parts.significand)
        if parts.exponent >= 0 {
            self.init(isNegative: value.sign == .minus, numerator: significand << parts.exponent)
        } else {
            self.init(
                isNegative: value.sign == .minus, numerator: significand,
                denominator: BigUInt.one << -parts.exponent)
        }
    }

    var isZero: Bool { numerator.isZero }

    /// The same value with the common power of two removed from both parts, which keeps later
    /// multiplications and divisions short (fixed-point sums carry ~1,000 trailing zero bits).
    func removingCommonPowersOfTwo() -> ExactRational {
        guard !numerator.isZero else { return self }
        let shift = min(numerator.trailingZeroBitCount, denominator.trailingZeroBitCount)
        guard shift > 0 else { return self }
        return ExactRational(isNegative: isNegative, numerator: numerator >> shift, denominator: denominator >> shift)
    }

    /// −1, 0 or +1: the sign of `lhs − rhs`, exactly.
    static func compare(_ lhs: ExactRational, _ rhs: ExactRational) -> Int {
        if lhs.isZero && rhs.isZero { return 0 }
        let lhsSign = lhs.isZero ? 0 : (lhs.isNegative ? -1 : 1)
        let rhsSign = rhs.isZero ? 0 : (rhs.isNegative ? -1 : 1)
        if lhsSign != rhsSign { return lhsSign < rhsSign ? -1 : 1 }
        let magnitude = BigUInt.compare(lhs.numerator * rhs.denominator, rhs.numerator * lhs.denominator)
        return lhsSign < 0 ? -magnitude : magnitude
    }

    /// The nearest binary64 value, ties to even (IEEE 754 round-to-nearest): ±∞ beyond the range,
    /// subnormals and signed zero below it. This is what Python's `float(Fraction)` and `float(Decimal)`
    /// return.
    var doubleValue: Double {
        let magnitude = Self.roundedMagnitude(numerator: numerator, denominator: denominator)
        return isNegative ? -magnitude : magnitude
    }

    var description: String {
        "\(isNegative ? "-" : "")\(numerator)/\(denominator)"
    }

    /// Correctly rounded `numerator / denominator` for nonnegative parts.
    static func roundedMagnitude(numerator: BigUInt, denominator: BigUInt) -> Double {
        if numerator.isZero { return 0 }
        // Scale so the integer quotient has 65 or 66 bits: 53 kept, the rest decide the rounding,
        // and a nonzero remainder is the sticky bit.
        let shift = 65 - (numerator.bitWidth - denominator.bitWidth)
        let scaledNumerator = shift >= 0 ? numerator << shift : numerator
        let scaledDenominator = shift >= 0 ? denominator : denominator << -shift
        let (quotient, remainder) = scaledNumerator.quotientAndRemainder(dividingBy: scaledDenominator)
        return rounded(quotient, timesTwoToThe: -shift, sticky: !remainder.isZero)
    }

    /// Correctly rounded `(integer + f) · 2^exponent`, where `f` in [0, 1) is nonzero exactly when
    /// `sticky` is set (then `integer` must carry at least 54 significant bits, so `f` only breaks ties
    /// and decides inexact half-way cases). No division: used directly for exact sums, which are
    /// integers times a power of two.
    static func rounded(_ integer: BigUInt, timesTwoToThe exponent: Int, sticky: Bool = false) -> Double {
        let bits = integer.bitWidth
        if bits == 0 { return 0 }
        // value in [2^(bits−1), 2^bits) · 2^exponent.
        let topExponent = bits - 1 + exponent
        if topExponent > 1023 { return .infinity }
        let keep = topExponent >= -1022 ? 53 : 53 - (-1022 - topExponent)
        let drop = bits - keep
        if drop > bits { return 0 }  // below half the smallest subnormal
        var kept: UInt64
        if drop <= 0 {
            precondition(!sticky, "rounding needs more bits than the integer part provides")
            kept = integer.uint64Value ?? 0
        } else {
            kept = (integer >> drop).uint64Value ?? 0
            let half = integer.bit(drop - 1)
            let below = sticky || integer.hasBits(below: drop - 1)
            if half && (below || kept & 1 == 1) { kept += 1 }
        }
        // kept ≤ 2^53 and kept · 2^(exponent + max(drop, 0)) is representable (or rounds up into the
        // next binade, or past the largest finite value to +∞), so this scaling is exact.
        return Double(sign: .plus, exponent: exponent + max(drop, 0), significand: Double(kept))
    }
}
