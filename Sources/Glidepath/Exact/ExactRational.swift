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
            self.init(isNegative: value.sign == .minus, numerator: significand,
                      denominator: BigUInt.one << -parts.exponent)
        }
    }

    var isZero: Bool { numerator.isZero }

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
        let bits = quotient.bitWidth
        // value = (quotient + fraction) · 2^(−shift), with 2^(bits−1) ≤ quotient < 2^bits.
        let exponent = bits - 1 - shift
        if exponent > 1023 { return .infinity }
        let keep = exponent >= -1022 ? 53 : 53 - (-1022 - exponent)
        let drop = bits - keep
        if drop > bits { return 0 }  // below half the smallest subnormal
        let sticky = !remainder.isZero
        var kept = (quotient >> drop).uint64Value ?? 0
        if drop > 0 {
            let half = quotient.bit(drop - 1)
            let below = quotient.hasBits(below: drop - 1) || sticky
            if half && (below || kept & 1 == 1) { kept += 1 }
        }
        // kept < 2^54 and the result is representable, so scaling by a power of two is exact
        // (it may round up to the next binade, or overflow to +∞ past the largest finite value).
        return Double(sign: .plus, exponent: drop - shift, significand: Double(kept))
    }
}
