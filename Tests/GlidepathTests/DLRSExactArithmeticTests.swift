import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// The small exact arithmetic behind DLRS: BigUInt, ExactRational, ExactDecimal and the correctly
/// rounded sum. Oracles: 128-bit hardware arithmetic, Swift's correctly rounded `Double(String)`
/// parser, and CPython's `math.fsum` (fixture).
@Suite("DLRS exact arithmetic")
struct DLRSExactArithmeticTests {
    @Test("BigUInt agrees with 128-bit arithmetic on seeded random operands")
    func bigUIntSmall() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<2_000 {
            let a = generator.next() >> UInt64.random(in: 0...63, using: &generator)
            let b = generator.next() >> UInt64.random(in: 0...63, using: &generator)
            let product = a.multipliedFullWidth(by: b)
            #expect(BigUInt(a) * BigUInt(b) == BigUInt(words: [product.low, product.high]))
            let (sum, carry) = a.addingReportingOverflow(b)
            #expect(BigUInt(a) + BigUInt(b) == BigUInt(words: [sum, carry ? 1 : 0]))
            let (high, low) = (max(a, b), min(a, b))
            #expect(BigUInt(high) - BigUInt(low) == BigUInt(high - low))
            #expect((BigUInt(a) < BigUInt(b)) == (a < b))
            if b != 0 {
                let (q, r) = BigUInt(a).quotientAndRemainder(dividingBy: BigUInt(b))
                #expect(q == BigUInt(a / b) && r == BigUInt(a % b))
            }
            let shift = Int.random(in: 0...200, using: &generator)
            #expect((BigUInt(a) << shift) >> shift == BigUInt(a))
        }
    }

    @Test("BigUInt division reconstructs the dividend on large operands")
    func bigUIntDivision() {
        var generator = SplitMix64(seed: 2)
        for _ in 0..<200 {
            let dividend = BigUInt(words: (0..<Int.random(in: 1...12, using: &generator)).map { _ in generator.next() })
            let divisor = BigUInt(words: (0..<Int.random(in: 1...6, using: &generator)).map { _ in generator.next() })
            guard !divisor.isZero else { continue }
            let (quotient, remainder) = dividend.quotientAndRemainder(dividingBy: divisor)
            #expect(quotient * divisor + remainder == dividend)
            #expect(remainder < divisor)
            let small = generator.next() | 1
            let (q2, r2) = dividend.quotientAndRemainder(dividingBy: small)
            #expect(q2 * small + BigUInt(r2) == dividend)
        }
    }

    @Test("BigUInt decimal digits")
    func bigUIntDecimal() {
        // 2^64 and 10^40 written out.
        #expect((BigUInt.one << 64).description == "18446744073709551616")
        #expect(BigUInt.power(10, 40).description == "1" + String(repeating: "0", count: 40))
        #expect(BigUInt.power(10, 40).decimalDigitCount == 41)
        #expect((BigUInt.power(10, 40) - .one).decimalDigitCount == 40)
        #expect(BigUInt.zero.decimalDigitCount == 0)
    }

    @Test("ExactRational rounds like a correctly rounded decimal parser, subnormals and overflow included")
    func rationalRounding() throws {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<1_500 {
            let digits = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                String(Int.random(in: 0...9, using: &generator))
            }.joined()
            let exponent = Int.random(in: -360...320, using: &generator)
            let text = "\(digits)e\(exponent)"
            let expected = try #require(Double(text))
            var coefficient = BigUInt.zero
            for character in digits {
                coefficient = coefficient * 10 + BigUInt(UInt64(character.wholeNumberValue ?? 0))
            }
            let decimal = ExactDecimal(isNegative: false, coefficient: coefficient, exponent: exponent)
            #expect(decimal.doubleValue.bitPattern == expected.bitPattern, "\(text)")
        }
        // Ties to even at the halfway point between 1 and nextUp(1): 1 + 2^-53 rounds to 1.
        let halfway = ExactRational(numerator: (BigUInt.one << 53) + .one, denominator: BigUInt.one << 53)
        #expect(halfway.doubleValue == 1)
        let aboveHalfway = ExactRational(numerator: (BigUInt.one << 54) + BigUInt(3), denominator: BigUInt.one << 54)
        #expect(aboveHalfway.doubleValue == 1.0.nextUp)
        // Exact doubles round-trip.
        for value in [0.1, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -3.5] {
            #expect(ExactRational(value).doubleValue.bitPattern == value.bitPattern)
        }
    }

    @Test("ExactDecimal: shortest representations, exact doubles, 50-digit rounding ties to even")
    func decimal() {
        let tenth = ExactDecimal(shortestRepresentationOf: 0.1)
        #expect(tenth.coefficient == BigUInt(1) && tenth.exponent == -1)
        let tiny = ExactDecimal(shortestRepresentationOf: 5e-324)
        #expect(tiny.coefficient == BigUInt(5) && tiny.exponent == -324)
        let negative = ExactDecimal(shortestRepresentationOf: -0.6666666666666666)
        #expect(
            negative.isNegative && negative.coefficient == BigUInt(6_666_666_666_666_666) && negative.exponent == -16)
        let large = ExactDecimal(shortestRepresentationOf: 1.2345678901234568e17)
        #expect(large.doubleValue == 1.2345678901234568e17)
        // Decimal.from_float(0.1) = 0.1000000000000000055511151231257827021181583404541015625 (55 digits).
        let exactTenth = ExactDecimal(exactly: 0.1)
        let digits = exactTenth.coefficient.description
        #expect(
            String(digits.reversed().drop { $0 == "0" }.reversed())
                == "1000000000000000055511151231257827021181583404541015625")
        // The leading digit sits at 10^−1: digit count + exponent = 0.
        #expect(digits.count + exactTenth.exponent == 0)
        // Rounding to 4 digits, ties to even: 12345 → 1234, 12355 → 1236, 12346 → 1235.
        for (value, expected) in [(12_345, 1_234), (12_355, 1_236), (12_346, 1_235)] {
            let rounded = ExactDecimal(isNegative: false, coefficient: BigUInt(UInt64(value)), exponent: 0)
                .rounded(toSignificantDigits: 4)
            #expect(rounded.coefficient == BigUInt(UInt64(expected)) && rounded.exponent == 1)
        }
        // Subtraction with a sign change.
        let difference = ExactDecimal(shortestRepresentationOf: 0.25) - ExactDecimal(shortestRepresentationOf: 1.0)
        #expect(difference.doubleValue == -0.75)
    }

    @Test("the correctly rounded sum matches CPython math.fsum bit for bit (fixture)")
    func fsumFixture() throws {
        let fixture = try DLRSFixture.load()
        #expect(fixture.fsum.count >= 200)
        for entry in fixture.fsum {
            let values = hexDoubles(entry.values)
            #expect(CorrectlyRoundedSum.sum(values)?.bitPattern == hexDouble(entry.fsum).bitPattern, "\(entry.values)")
        }
    }

    @Test("the correctly rounded sum equals the exact sum rounded once; the superaccumulator is exact")
    func fsumExact() throws {
        var generator = SplitMix64(seed: 4)
        for _ in 0..<300 {
            let values = (0..<Int.random(in: 1...80, using: &generator)).map { _ in
                Double.random(in: 0..<1, using: &generator)
                    * Foundation.pow(2, Double(Int.random(in: -1100...1000, using: &generator)))
            }
            // Oracle: the exact sum as a BigUInt sum of each value's exact fixed-point integer.
            var reference = BigUInt.zero
            for value in values { reference.add(LossSlope.fixedPoint(value)) }
            let scan = try values.withUnsafeBufferPointer { buffer throws(LossSlope.Rejection) in
                try LossSlope.scan(buffer)
            }
            #expect(scan.exactSum == reference)
            let exact = ExactRational(numerator: reference, denominator: BigUInt.one << 1074).doubleValue
            #expect(ExactRational.rounded(scan.exactSum, timesTwoToThe: -1074) == exact)
            #expect(CorrectlyRoundedSum.sum(values) == exact)
        }
        // The classic: [1e-16, 1, 1e16] rounds up to 10000000000000002.
        #expect(CorrectlyRoundedSum.sum([1e-16, 1, 1e16]) == 10_000_000_000_000_002)
        #expect(CorrectlyRoundedSum.sum([]) == 0)
        #expect(CorrectlyRoundedSum.sum([.greatestFiniteMagnitude, .greatestFiniteMagnitude]) == nil)
    }
}
