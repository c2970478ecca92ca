import Foundation
import GlidepathTestSupport
import Testing

@testable import Glidepath

/// The decade conventions of docs/dlrs.md, "Decades".
@Suite("DLRS decade conventions (docs/dlrs.md)")
struct DLRSDecadeTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var label: String
        var rate: Double
        var log10: Int
        var exact: Int
        var testDescription: String { label }
    }

    /// Every row of the table in docs/dlrs.md, "Decades".
    static let rows: [Row] =
        [
            Row(label: "1e-6", rate: 1e-6, log10: -6, exact: -7),
            Row(label: "1e-7", rate: 1e-7, log10: -7, exact: -8),
            Row(label: "1e-11", rate: 1e-11, log10: -11, exact: -12),
            Row(label: "1e-12", rate: 1e-12, log10: -12, exact: -13),
            Row(label: "0.09999999999999999", rate: 0.09999999999999999, log10: -1, exact: -2),
        ]
        + (Array(-12...(-1)) + [2]).map { k in
            // nextDown(10^k): the double just below the double nearest 10^k.
            let power = Double("1e\(k)") ?? .nan
            return Row(label: "nextDown(1e\(k))", rate: power.nextDown, log10: k, exact: k - 1)
        }

    @Test("the decade table: every row under both conventions", arguments: rows)
    func tableRow(_ row: Row) {
        #expect(DecadeConvention.log10.decade(of: row.rate) == row.log10)
        #expect(DecadeConvention.exact.decade(of: row.rate) == row.exact)
        #expect(PowersOfTen.exactDecadeByArithmetic(of: row.rate) == row.exact)
    }

    @Test("the stored values of the disagreeing literals are below their power of ten")
    func storedValues() {
        // docs/dlrs.md, "Decades": 1e-6 is stored as 9.99999999999999955e-7, 0.1.nextDown as 0x1.9999999999999p-4.
        #expect(String(format: "%.17e", 1e-6) == "9.99999999999999955e-07")
        #expect(String(format: "%.17e", 1e-7) == "9.99999999999999955e-08")
        #expect(0.09999999999999999 == Double("0x1.9999999999999p-4"))
        for literal in [1e-6, 1e-7, 1e-11, 1e-12] {
            let exponent = Int(Foundation.log10(literal).rounded())
            #expect(ExactRational.compare(ExactRational(literal), .powerOfTen(exponent)) < 0)
        }
    }

    @Test("between 1e-13 and 1e22 only the literals 1e-6, 1e-7, 1e-11, 1e-12 disagree; 1e-14, 1e-16, 1e-19 too")
    func disagreeingLiterals() throws {
        var disagreeing: [Int] = []
        for k in -13...22 {
            let rate = try #require(Double("1e\(k)"))
            if DecadeConvention.log10.decade(of: rate) != DecadeConvention.exact.decade(of: rate) {
                disagreeing.append(k)
            }
        }
        #expect(disagreeing == [-12, -11, -7, -6])
        for k in [-14, -16, -19] {
            let rate = try #require(Double("1e\(k)"))
            #expect(DecadeConvention.log10.decade(of: rate) == k)
            #expect(DecadeConvention.exact.decade(of: rate) == k - 1)
        }
        // Literals that agree (docs/dlrs.md, "Decades").
        for rate in [0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-8, 1e-9, 1e-10, 1, 10] {
            #expect(DecadeConvention.log10.decade(of: rate) == DecadeConvention.exact.decade(of: rate))
        }
    }

    @Test("both conventions match Python's floor(log10(x)) and Decimal.from_float(x).adjusted() on 3,900 rates")
    func fixtureDecades() throws {
        // Fixture: powers of ten and their neighbours over the whole binary64 range plus 2,000 random
        // rates, recorded by scripts/fixtures/pytorch_dlrs.py with CPython 3.11.
        let fixture = try DLRSFixture.load()
        #expect(fixture.decades.count > 3_000)
        var mismatches: [String] = []
        for entry in fixture.decades {
            let rate = hexDouble(entry.rate)
            if DecadeConvention.log10.decade(of: rate) != entry.log10 { mismatches.append("log10 \(entry.rate)") }
            if DecadeConvention.exact.decade(of: rate) != entry.exact { mismatches.append("exact \(entry.rate)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("the power-of-ten table agrees with exact arithmetic on seeded random rates")
    func tableAgainstArithmetic() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<400 {
            // Random bit patterns cover every binade, subnormals included.
            let rate = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            guard rate > 0 else { continue }
            #expect(
                DecadeConvention.exact.decade(of: rate) == PowersOfTen.exactDecadeByArithmetic(of: rate),
                "\(rate)")
        }
        // The extremes of the range.
        for rate in [Double.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 1e-323, 1e308] {
            #expect(DecadeConvention.exact.decade(of: rate) == PowersOfTen.exactDecadeByArithmetic(of: rate))
        }
    }

    @Test("the table holds 10^k correctly rounded; granularities follow each reference version")
    func powersOfTen() throws {
        for k in -323...308 {
            let entry = PowersOfTen.table[k - PowersOfTen.smallestExponent]
            // Swift's Double(String) is correctly rounded, an independent oracle for the table.
            let parsed = try #require(Double("1e\(k)"))
            #expect(entry.value == parsed, "10^\(k)")
            // 0.2.1 computes 10**n with Python integers for n ≥ 0 (then rounds once to binary64) and
            // pow(10.0, n) below; 0.3.0 always uses pow(10.0, n) (`10.0 ** n`).
            let libm = Foundation.pow(10.0, Double(k))
            #expect(DLRSRateUpdate.granularity(decade: k, convention: .log10) == (k >= 0 ? parsed : libm))
            #expect(DLRSRateUpdate.granularity(decade: k, convention: .exact) == libm)
        }
        // libm's pow(10, n) is correctly rounded for every decade an ordinary rate can have.
        for k in -323...22 {
            #expect(Foundation.pow(10.0, Double(k)) == Double("1e\(k)"), "pow(10, \(k))")
        }
    }
}
