/// An exact signed decimal `±coefficient · 10^exponent`, with rounding to a number of significant
/// digits (ties to even): the subset of Python's `decimal` that pytorch-dlrs 0.3.0's fallback uses.
struct ExactDecimal: Sendable, CustomStringConvertible {
    var isNegative: Bool
    var coefficient: BigUInt
    var exponent: Int

    init(isNegative: Bool, coefficient: BigUInt, exponent: Int) {
        self.isNegative = isNegative && !coefficient.isZero
        self.coefficient = coefficient
        self.exponent = exponent
    }

    /// The exact value of a finite double (Python's `Decimal.from_float`).
    init(exactly value: Double) {
        let parts = BinaryParts(value)
        let negative = value.sign == .minus
        if parts.exponent >= 0 {
            self.init(isNegative: negative, coefficient: BigUInt(parts.significand) << parts.exponent, exponent: 0)
        } else {
            // m · 2^−k = m · 5^k · 10^−k
            self.init(
                isNegative: negative,
                coefficient: BigUInt(parts.significand) * BigUInt.power(5, -parts.exponent),
                exponent: parts.exponent)
        }
    }

    /// The value of the shortest decimal string that round-trips to `value` (Python's
    /// `Decimal(str(value))`; Swift's `description` prints the same shortest digits).
    init(shortestRepresentationOf value: Double) {
        precondition(value.isFinite, "ExactDecimal needs a finite value")
        var text = Substring(value.description)
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: marker)...]) ?? 0
            text = text[..<marker]
        }
        var digits = ""
        if let point = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: point)...]
            digits = String(text[..<point]) + fraction
            exponent -= fraction.count
        } else {
            digits = String(text)
        }
        var coefficient = BigUInt.zero
        for character in digits {
            coefficient = coefficient * 10 + BigUInt(UInt64(character.wholeNumberValue ?? 0))
        }
        self.init(isNegative: negative, coefficient: coefficient, exponent: exponent)
    }

    /// Exactly 10^exponent.
    static func powerOfTen(_ exponent: Int) -> ExactDecimal {
        ExactDecimal(isNegative: false, coefficient: .one, exponent: exponent)
    }

    /// The exact product.
    static func * (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(
            isNegative: lhs.isNegative != rhs.isNegative,
            coefficient: lhs.coefficient * rhs.coefficient,
            exponent: lhs.exponent + rhs.exponent)
    }

    /// The exact difference.
    static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        let exponent = min(lhs.exponent, rhs.exponent)
        let left = lhs.coefficient * BigUInt.power(10, lhs.exponent - exponent)
        let right = rhs.coefficient * BigUInt.power(10, rhs.exponent - exponent)
        // Signed values: lhs − rhs = (±left) + (∓right).
        let leftNegative = lhs.isNegative
        let rightNegative = !rhs.isNegative
        if leftNegative == rightNegative {
            return ExactDecimal(isNegative: leftNegative, coefficient: left + right, exponent: exponent)
        }
        if BigUInt.compare(left, right) >= 0 {
            return ExactDecimal(isNegative: leftNegative, coefficient: left - right, exponent: exponent)
        }
        return ExactDecimal(isNegative: rightNegative, coefficient: right - left, exponent: exponent)
    }

    /// This value rounded to `digits` significant digits, ties to even (Python's `ROUND_HALF_EVEN`
    /// context with unbounded exponents).
    func rounded(toSignificantDigits digits: Int) -> ExactDecimal {
        let count = coefficient.decimalDigitCount
        guard count > digits else { return self }
        let dropped = count - digits
        let divisor = BigUInt.power(10, dropped)
        var (quotient, remainder) = coefficient.quotientAndRemainder(dividingBy: divisor)
        let twice = remainder << 1
        let comparison = BigUInt.compare(twice, divisor)
        if comparison > 0 || (comparison == 0 && quotient.bit(0)) {
            quotient.add(.one)
        }
        // A carry to 10^digits keeps the value; one more digit is harmless for the conversions here.
        return ExactDecimal(isNegative: isNegative, coefficient: quotient, exponent: exponent + dropped)
    }

    /// The nearest double, ties to even (Python's `float(Decimal)`).
    var doubleValue: Double {
        if coefficient.isZero { return isNegative ? -0.0 : 0.0 }
        let rational =
            exponent >= 0
            ? ExactRational(isNegative: isNegative, numerator: coefficient * BigUInt.power(10, exponent))
            : ExactRational(isNegative: isNegative, numerator: coefficient, denominator: BigUInt.power(10, -exponent))
        return rational.doubleValue
    }

    var description: String {
        "\(isNegative ? "-" : "")\(coefficient)E\(exponent)"
    }
}
