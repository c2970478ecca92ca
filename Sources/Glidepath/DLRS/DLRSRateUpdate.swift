import Foundation

/// The per-group arithmetic of one DLRS update, in pytorch-dlrs's evaluation order:
/// `granularity = pow(10, n)`, `adjustment = (granularity · δ) · s`, `proposal = α − adjustment`,
/// then `max(proposal, minLR)`, then `min(·, maxLR)`.
enum DLRSRateUpdate {
    struct Candidate: Sendable {
        var rate: Double
        var update: DLRSGroupUpdate
    }

    /// The proposal overflowed binary64 (pytorch-dlrs 0.3.0 raises rather than clamping ±∞).
    struct Overflow: Error {
        var adjustment: Double
        var proposal: Double
    }

    /// The new rate of one group. A zero rate is frozen (0.3.0): it stays +0 and is exempt from minLR.
    static func candidate(
        rate: Double, slope: Double, factor: Double, regime: DLRSRegime,
        configuration: DLRSScheduler.Configuration
    ) throws(Overflow) -> Candidate {
        if rate == 0 {
            return Candidate(rate: 0, update: DLRSGroupUpdate(regime: nil, decade: 0, adjustment: 0, clamp: .none))
        }
        let decade = configuration.decade.decade(of: rate)
        let granularity = granularity(decade: decade, convention: configuration.decade)
        let step = granularity * factor
        let adjustment: Double
        let proposal: Double
        if granularity < .leastNormalMagnitude || step < .leastNormalMagnitude || !step.isFinite {
            // 10^n or 10^n·δ is subnormal, zero or infinite: binary64 would lose the step, so do it in
            // 50-digit decimal arithmetic as pytorch-dlrs 0.3.0 does.
            (adjustment, proposal) = decimalUpdate(rate: rate, decade: decade, factor: factor, slope: slope)
        } else {
            adjustment = step * slope
            proposal = rate - adjustment
        }
        guard adjustment.isFinite, proposal.isFinite else {
            throw Overflow(adjustment: adjustment, proposal: proposal)
        }
        // Python's max(proposal, minLR) returns the first argument unless the second is larger, and
        // min(x, maxLR) the first unless the second is smaller.
        var result = proposal
        var clamp = DLRSGroupUpdate.Clamp.none
        if configuration.minimumLearningRate > result {
            result = configuration.minimumLearningRate
            clamp = .minimum
        }
        if let maximum = configuration.maximumLearningRate, maximum < result {
            result = maximum
            clamp = .maximum
        }
        return Candidate(
            rate: result,
            update: DLRSGroupUpdate(regime: regime, decade: decade, adjustment: adjustment, clamp: clamp))
    }

    /// 10^n as each reference version computes it. 0.3.0 evaluates `10.0 ** n`, i.e. libm `pow(10, n)`;
    /// 0.2.1 evaluates `10 ** n` with Python integers, exact for n ≥ 0 and then rounded once to binary64
    /// when multiplied by δ, and `pow(10, n)` for n < 0. glibc's pow is correctly rounded for
    /// −323 ≤ n ≤ 22 but not for every larger n (10^23, 10^210), so the two can differ there.
    static func granularity(decade: Int, convention: DecadeConvention) -> Double {
        if convention == .log10 && decade >= 0 {
            return PowersOfTen.table[min(decade, PowersOfTen.largestExponent) - PowersOfTen.smallestExponent].value
        }
        return Foundation.pow(10.0, Double(decade))
    }

    /// pytorch-dlrs 0.3.0's decimal fallback: `adj = 10^n · Decimal(str(δ)) · Decimal(str(s))` exactly,
    /// `proposal = Decimal.from_float(α) − adj` rounded to 50 significant digits (ties to even), each
    /// converted to the nearest double.
    static func decimalUpdate(rate: Double, decade: Int, factor: Double, slope: Double)
        -> (adjustment: Double, proposal: Double)
    {
        let exactAdjustment =
            ExactDecimal.powerOfTen(decade)
            * ExactDecimal(shortestRepresentationOf: factor)
            * ExactDecimal(shortestRepresentationOf: slope)
        // The product has at most 1 + 17 + 17 digits, so it is exact in a 50-digit context.
        let difference = (ExactDecimal(exactly: rate) - exactAdjustment).rounded(toSignificantDigits: 50)
        let proposal = difference.doubleValue
        // Python's Decimal subtraction yields +0 (not −0) for an exact zero under ROUND_HALF_EVEN.
        return (exactAdjustment.doubleValue, proposal == 0 ? 0 : proposal)
    }
}
