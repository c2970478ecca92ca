import Foundation

/// How DLRS reads the decade `n` of a learning rate α, which sets the step size `10^n · δ · s`.
///
/// The two reference versions of pytorch-dlrs disagree for rates whose stored binary64 value lies just
/// below a power of ten (arXiv:2507.21749; pytorch-dlrs 0.2.1 `scheduler.py` vs 0.3.0.dev0):
///
/// | rate as written | stored value | ``log10`` | ``exact`` |
/// |---|---|---|---|
/// | `1e-6` | 9.99999999999999955e-7 | −6 | −7 |
/// | `1e-7` | 9.99999999999999955e-8 | −7 | −8 |
/// | `0.1.nextDown` | 0x1.9999999999999p-4 | −1 | −2 |
/// | `0.1`, `1e-3`, `1e-8`, `1`, `10` | | same | same |
///
/// Glidepath defaults to ``exact``: it is the only reading that is a property of the number itself
/// (`10^n ≤ α < 10^(n+1)` in exact arithmetic) rather than of how one libm rounds `log10`, and it is the
/// convention of pytorch-dlrs 0.3.0, whose correctness contract Glidepath implements. Choose ``log10``
/// to reproduce trajectories recorded with pytorch-dlrs 0.2.1 (the latest stable release).
public enum DecadeConvention: String, Sendable, Codable, CaseIterable {
    /// `n = ⌊log10 α⌋` with the C library's `log10` (pytorch-dlrs 0.2.1): the decimal-spelling decade,
    /// which can be one too high when α is the binary64 value just below a power of ten.
    case log10
    /// The exact decimal exponent of the stored binary64 value: the unique `n` with
    /// `10^n ≤ α < 10^(n+1)` (pytorch-dlrs 0.3.0, `Decimal.from_float(α).adjusted()`).
    case exact

    /// The decade of a positive finite rate under this convention.
    public func decade(of rate: Double) -> Int {
        precondition(rate > 0 && rate.isFinite, "decade needs a positive finite rate")
        let candidate = Int(Foundation.floor(Foundation.log10(rate)))
        switch self {
        case .log10: return candidate
        case .exact: return PowersOfTen.exactDecade(of: rate, candidate: candidate)
        }
    }
}

/// Correctly rounded binary64 powers of ten with the direction of their rounding: enough to decide
/// `α ≥ 10^k` exactly with one floating-point comparison.
///
/// If `p_k` is 10^k rounded to nearest, no double lies strictly between `p_k` and 10^k, so for a double
/// α: α > p_k implies α ≥ 10^k, α < p_k implies α < 10^k, and α = p_k is decided by whether `p_k`
/// rounded up (or was exact).
enum PowersOfTen {
    static let smallestExponent = -324
    static let largestExponent = 309

    struct Entry: Sendable {
        /// 10^k rounded to nearest (0 for k = −324, +∞ for k = 309).
        var value: Double
        /// Whether `value ≥ 10^k` exactly.
        var isAtLeastExact: Bool
    }

    /// Built once with exact arithmetic (a few milliseconds).
    static let table: [Entry] = (smallestExponent...largestExponent).map { exponent in
        let exact = ExactRational.powerOfTen(exponent)
        let value = exact.doubleValue
        let isAtLeast = value.isInfinite || ExactRational.compare(ExactRational(value), exact) >= 0
        return Entry(value: value, isAtLeastExact: isAtLeast)
    }

    /// Whether `rate ≥ 10^exponent` in exact arithmetic.
    @inline(__always)
    static func isAtLeast(_ rate: Double, powerOf exponent: Int) -> Bool {
        if exponent < smallestExponent { return true }
        if exponent > largestExponent { return false }
        let entry = table[exponent - smallestExponent]
        if rate != entry.value { return rate > entry.value }
        return entry.isAtLeastExact
    }

    /// The exact decade of a positive finite rate, starting from a candidate within a few of it.
    static func exactDecade(of rate: Double, candidate: Int) -> Int {
        var decade = min(max(candidate, smallestExponent), largestExponent - 1)
        while decade > smallestExponent && !isAtLeast(rate, powerOf: decade) { decade -= 1 }
        while decade < largestExponent - 1 && isAtLeast(rate, powerOf: decade + 1) { decade += 1 }
        return decade
    }

    /// The exact decade by exact arithmetic only (the reference the table is tested against).
    static func exactDecadeByArithmetic(of rate: Double) -> Int {
        let value = ExactRational(rate)
        var decade = Int(Foundation.floor(Foundation.log10(rate)))
        while ExactRational.compare(value, ExactRational.powerOfTen(decade)) < 0 { decade -= 1 }
        while ExactRational.compare(value, ExactRational.powerOfTen(decade + 1)) >= 0 { decade += 1 }
        return decade
    }
}

extension ExactRational {
    /// Exactly 10^exponent.
    static func powerOfTen(_ exponent: Int) -> ExactRational {
        exponent >= 0
            ? ExactRational(numerator: BigUInt.power(10, exponent))
            : ExactRational(numerator: .one, denominator: BigUInt.power(10, -exponent))
    }
}
