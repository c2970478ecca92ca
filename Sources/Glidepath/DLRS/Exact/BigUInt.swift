/// A minimal arbitrary-precision unsigned integer: exactly what DLRS needs to decide decades, branches and
/// decimal fallbacks without rounding (the exact binary64 value of a rate, sums of losses, powers of ten).
///
/// Little-endian 64-bit words with no trailing zero words (zero is the empty array). Only the operations
/// the exact paths use are provided; all are exact. Division is binary long division, which is fast
/// enough here because the callers arrange for short quotients (a double needs about 64 quotient bits).
struct BigUInt: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    private(set) var words: [UInt64]

    static let zero = BigUInt(words: [])
    static let one = BigUInt(1)

    init(_ value: UInt64) {
        words = value == 0 ? [] : [value]
    }

    init(words: [UInt64]) {
        self.words = words
        normalize()
    }

    private mutating func normalize() {
        while let last = words.last, last == 0 { words.removeLast() }
    }

    var isZero: Bool { words.isEmpty }

    /// Number of significant bits (0 for zero).
    var bitWidth: Int {
        guard let last = words.last else { return 0 }
        return words.count * 64 - last.leadingZeroBitCount
    }

    /// Bit `index` (0 = least significant).
    func bit(_ index: Int) -> Bool {
        let word = index >> 6
        guard index >= 0, word < words.count else { return false }
        return (words[word] >> UInt64(index & 63)) & 1 == 1
    }

    /// Whether any bit below `index` is set.
    func hasBits(below index: Int) -> Bool {
        guard index > 0 else { return false }
        let fullWords = index >> 6
        for position in 0..<min(fullWords, words.count) where words[position] != 0 { return true }
        let rest = index & 63
        if rest > 0, fullWords < words.count {
            return words[fullWords] & ((1 << UInt64(rest)) - 1) != 0
        }
        return false
    }

    /// Number of trailing zero bits (0 for zero).
    var trailingZeroBitCount: Int {
        for (index, word) in words.enumerated() where word != 0 {
            return index * 64 + word.trailingZeroBitCount
        }
        return 0
    }

    /// The value as a `UInt64`, if it fits.
    var uint64Value: UInt64? {
        switch words.count {
        case 0: return 0
        case 1: return words[0]
        default: return nil
        }
    }

    // MARK: Comparison

    static func < (lhs: BigUInt, rhs: BigUInt) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// −1, 0 or +1.
    static func compare(_ lhs: BigUInt, _ rhs: BigUInt) -> Int {
        if lhs.words.count != rhs.words.count { return lhs.words.count < rhs.words.count ? -1 : 1 }
        var index = lhs.words.count - 1
        while index >= 0 {
            if lhs.words[index] != rhs.words[index] { return lhs.words[index] < rhs.words[index] ? -1 : 1 }
            index -= 1
        }
        return 0
    }

    // MARK: Addition and subtraction

    static func + (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        var result = lhs
        result.add(rhs)
        return result
    }

    mutating func add(_ other: BigUInt) {
        if words.count < other.words.count {
            words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
        }
        var carry: UInt64 = 0
        for index in 0..<words.count {
            let addend = index < other.words.count ? other.words[index] : 0
            if addend == 0 && carry == 0 {
                if index >= other.words.count { break }
                continue
            }
            let (partial, overflow1) = words[index].addingReportingOverflow(addend)
            let (sum, overflow2) = partial.addingReportingOverflow(carry)
            words[index] = sum
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
    }

    /// `lhs − rhs`; requires `lhs ≥ rhs` (programmer misuse otherwise).
    static func - (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        precondition(compare(lhs, rhs) >= 0, "BigUInt subtraction would be negative")
        var result = lhs.words
        var borrow: UInt64 = 0
        for index in 0..<result.count {
            let subtrahend = index < rhs.words.count ? rhs.words[index] : 0
            if subtrahend == 0 && borrow == 0 && index >= rhs.words.count { break }
            let (partial, overflow1) = result[index].subtractingReportingOverflow(subtrahend)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            result[index] = difference
            borrow = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return BigUInt(words: result)
    }

    // MARK: Multiplication

    static func * (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        if lhs.isZero || rhs.isZero { return .zero }
        var result = [UInt64](repeating: 0, count: lhs.words.count + rhs.words.count)
        for (i, left) in lhs.words.enumerated() where left != 0 {
            var carry: UInt64 = 0
            for (j, right) in rhs.words.enumerated() {
                let product = left.multipliedFullWidth(by: right)
                let (low1, overflow1) = product.low.addingReportingOverflow(result[i + j])
                let (low2, overflow2) = low1.addingReportingOverflow(carry)
                result[i + j] = low2
                carry = product.high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            }
            result[i + rhs.words.count] = carry
        }
        return BigUInt(words: result)
    }

    static func * (lhs: BigUInt, rhs: UInt64) -> BigUInt {
        lhs * BigUInt(rhs)
    }

    /// `base^exponent` by repeated squaring.
    static func power(_ base: UInt64, _ exponent: Int) -> BigUInt {
        precondition(exponent >= 0, "BigUInt.power needs a nonnegative exponent")
        var result = BigUInt.one
        var square = BigUInt(base)
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result = result * square }
            remaining >>= 1
            if remaining > 0 { square = square * square }
        }
        return result
    }

    // MARK: Shifts

    static func << (lhs: BigUInt, shift: Int) -> BigUInt {
        precondition(shift >= 0, "negative shift")
        if lhs.isZero || shift == 0 { return lhs }
        let wordShift = shift >> 6
        let bitShift = UInt64(shift & 63)
        var result = [UInt64](repeating: 0, count: lhs.words.count + wordShift + 1)
        for (index, word) in lhs.words.enumerated() {
            result[index + wordShift] |= word << bitShift
            if bitShift != 0 { result[index + wordShift + 1] |= word >> (64 - bitShift) }
        }
        return BigUInt(words: result)
    }

    static func >> (lhs: BigUInt, shift: Int) -> BigUInt {
        precondition(shift >= 0, "negative shift")
        if shift == 0 { return lhs }
        let wordShift = shift >> 6
        guard wordShift < lhs.words.count else { return .zero }
        let bitShift = UInt64(shift & 63)
        var result = [UInt64](repeating: 0, count: lhs.words.count - wordShift)
        for index in 0..<result.count {
            result[index] = lhs.words[index + wordShift] >> bitShift
            if bitShift != 0, index + wordShift + 1 < lhs.words.count {
                result[index] |= lhs.words[index + wordShift + 1] << (64 - bitShift)
            }
        }
        return BigUInt(words: result)
    }

    // MARK: Division

    /// Quotient and remainder of `self / divisor` by binary long division (cost grows with the
    /// quotient's bit width times the operand's word count). `divisor` must be nonzero.
    func quotientAndRemainder(dividingBy divisor: BigUInt) -> (quotient: BigUInt, remainder: BigUInt) {
        precondition(!divisor.isZero, "BigUInt division by zero")
        if BigUInt.compare(self, divisor) < 0 { return (.zero, self) }
        if let small = divisor.uint64Value, words.count <= 1 || small == 1 {
            if small == 1 { return (self, .zero) }
            let value = words[0]
            return (BigUInt(value / small), BigUInt(value % small))
        }
        let shift = bitWidth - divisor.bitWidth
        var remainder = self
        var shifted = divisor << shift
        var quotientWords = [UInt64](repeating: 0, count: (shift >> 6) + 1)
        var position = shift
        while position >= 0 {
            if BigUInt.compare(remainder, shifted) >= 0 {
                remainder = remainder - shifted
                quotientWords[position >> 6] |= 1 << UInt64(position & 63)
            }
            shifted = shifted >> 1
            position -= 1
        }
        return (BigUInt(words: quotientWords), remainder)
    }

    /// Quotient and remainder of `self / divisor` for a one-word divisor (fast: one pass).
    func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: BigUInt, remainder: UInt64) {
        precondition(divisor != 0, "BigUInt division by zero")
        var quotient = [UInt64](repeating: 0, count: words.count)
        var remainder: UInt64 = 0
        var index = words.count - 1
        while index >= 0 {
            let (q, r) = divisor.dividingFullWidth((high: remainder, low: words[index]))
            quotient[index] = q
            remainder = r
            index -= 1
        }
        return (BigUInt(words: quotient), remainder)
    }

    // MARK: Decimal

    /// Number of decimal digits (0 for zero).
    var decimalDigitCount: Int {
        if isZero { return 0 }
        // log10(2) ≈ 0.30103: the estimate is the true count or one less.
        var estimate = Int(Double(bitWidth - 1) * 0.30102999566398120) + 1
        if BigUInt.compare(self, BigUInt.power(10, estimate)) >= 0 { estimate += 1 }
        return estimate
    }

    /// The decimal digits.
    var description: String {
        if isZero { return "0" }
        var chunks: [UInt64] = []
        var value = self
        while !value.isZero {
            let (quotient, remainder) = value.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
            chunks.append(remainder)
            value = quotient
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}
