import Foundation
import Glidepath
import GlidepathTestSupport
import Testing

/// Every closed-form, reactive and composite scheduler against values recorded from PyTorch by
/// `scripts/fixtures/pytorch_schedulers.py` (fixture: `Fixtures/pytorch_schedulers.json`, torch version
/// recorded in the file; 61 configurations, several parameter groups each).
@Suite("PyTorch parity")
struct PyTorchParityTests {
    /// Worst gap, in ULP, between Glidepath's closed form and PyTorch's *recursive* `step()` update,
    /// measured over the whole fixture with torch 2.15.0 (values listed here only where the gap is
    /// non-zero; every other case must be bit-identical). The recursion multiplies the current rate by a
    /// ratio each step, so it accumulates rounding that a closed form does not: the gap grows with the
    /// number of multiplications (exponential-0.99 after 500 steps: 14 ULP) and is largest for cosine
    /// near its trough, where `1 + cos(πt/T)` cancels (cosine-10 over 5 periods: 156 ULP;
    /// cosine with etaMin above the base rate: 184 ULP).
    /// Glidepath is bit-identical to PyTorch's own closed form `_get_closed_form_lr()` in every case
    /// (tested below with tolerance 0).
    static let measuredRecursionGap: [String: UInt64] = [
        "step-1-0.1": 4, "step-7-0.9": 3, "multistep-dup": 1, "multistep-zero-unsorted": 1,
        "exponential-0.9": 5, "exponential-0.99": 14, "constant-default": 1, "constant-0.1-20": 1,
        "linear-default": 1, "linear-0.1-1-10": 3, "linear-1-0-8": 3, "linear-0.25-0.5-4": 1,
        "polynomial-default": 1, "polynomial-10-2": 3, "polynomial-7-0.5": 1,
        "cosine-10": 156, "cosine-7-min": 77, "cosine-50-min": 9, "cosine-min-above-base": 184,
        "sequential-warm-cosine": 7, "sequential-three": 2, "sequential-restarts": 1, "sequential-linear-cyclic": 1,
        "chained-doc": 4, "chained-linear-step": 4, "chained-cosine-exp": 2, "chained-multistep-poly": 3,
        "warmup-cosine": 5, "warmup-exponential": 3,
    ]

    /// How many leading values of a case are comparable. In `chained-cosine-exp`, PyTorch leaves the
    /// cosine trough (t = tMax + 1 = 16) with an *additive* step that re-adds an unscaled
    /// (η₀ − η_min)(1 − cos(π/T))/2 and so drops the exponential factor accumulated so far; from then on
    /// PyTorch's chained rate is not a product of factors. Glidepath keeps the product by design
    /// (documented on `ChainedScheduler`), so only k ≤ 15 is compared; `chainedCosineDivergence`
    /// checks the documented difference itself.
    static let comparablePrefix: [String: Int] = ["chained-cosine-exp": 16]

    static let cases: [SchedulerFixtureFile.Case] = (try? SchedulerFixtureFile.load().cases) ?? []

    @Test("the fixture file loads and records the torch version")
    func fixtureLoads() throws {
        let file = try SchedulerFixtureFile.load()
        #expect(file.torch.hasPrefix("2."))
        #expect(file.cases.count == 61)
        #expect(
            Set(file.cases.map(\.name)) == [
                "step", "multiStep", "exponential", "constant", "linear", "polynomial", "cosine",
                "cosineWarmRestarts", "cyclic", "oneCycle", "reduceOnPlateau", "sequential", "chained", "warmup",
            ])
    }

    @Test(
        "rates match PyTorch's step() (bit-identical, or within the measured recursion gap)",
        arguments: cases)
    func ratesMatchStep(_ fixture: SchedulerFixtureFile.Case) throws {
        var scheduler = try fixture.makeScheduler()
        let tolerance = Self.measuredRecursionGap[fixture.id] ?? 0
        let count = Self.comparablePrefix[fixture.id] ?? fixture.expected.count
        var worst: UInt64 = 0
        for k in 0..<count {
            if k > 0 { try scheduler.step(fixture.observation(forStep: k)) }
            let rates = scheduler.learningRates
            #expect(rates.count == fixture.expected[k].count)
            for group in rates.indices {
                let gap = ulpDistance(rates[group], fixture.expected[k][group])
                worst = max(worst, gap)
                #expect(
                    gap <= tolerance,
                    "\(fixture.id) k=\(k) group \(group): \(rates[group]) vs torch \(fixture.expected[k][group]) (\(gap) ULP)"
                )
            }
        }
        // The tolerance is the measured worst gap, not a loose bound.
        #expect(worst == tolerance, "\(fixture.id): worst gap \(worst) ULP, table says \(tolerance)")
    }

    @Test(
        "rates are bit-identical to PyTorch's _get_closed_form_lr()",
        arguments: cases.filter { $0.closedForm != nil })
    func ratesMatchClosedForm(_ fixture: SchedulerFixtureFile.Case) throws {
        let closedForm = try #require(fixture.closedForm)
        var scheduler = try fixture.makeScheduler()
        for k in closedForm.indices {
            if k > 0 { try scheduler.step(fixture.observation(forStep: k)) }
            let rates = scheduler.learningRates
            for group in rates.indices {
                #expect(
                    rates[group].bitPattern == closedForm[k][group].bitPattern,
                    "\(fixture.id) k=\(k) group \(group): \(rates[group]) vs \(closedForm[k][group])")
            }
        }
    }

    @Test(
        "momentum is bit-identical to PyTorch's cycled momentum",
        arguments: cases.filter { $0.name == "cyclic" || $0.name == "oneCycle" })
    func momentumMatches(_ fixture: SchedulerFixtureFile.Case) throws {
        var scheduler = try fixture.makeScheduler()
        guard let expected = fixture.expectedMomentum else {
            // cycleMomentum false: PyTorch leaves momentum alone, Glidepath reports none.
            #expect(scheduler.momenta == nil)
            return
        }
        for k in expected.indices {
            if k > 0 { try scheduler.step(fixture.observation(forStep: k)) }
            let momenta = try #require(scheduler.momenta)
            #expect(momenta.map(\.bitPattern) == expected[k].map(\.bitPattern), "\(fixture.id) k=\(k)")
        }
    }

    @Test("one-cycle holds its final value after totalSteps where PyTorch throws")
    func oneCycleHolds() throws {
        for fixture in Self.cases where fixture.name == "oneCycle" {
            var scheduler = try fixture.makeScheduler()
            for _ in 0..<(fixture.expected.count + 25) { try scheduler.step() }
            // The fixture's last entry is k = totalSteps − 1, PyTorch's final scheduled value.
            #expect(scheduler.learningRates == fixture.expected.last, "\(fixture.id)")
            if let momentum = fixture.expectedMomentum?.last { #expect(scheduler.momenta == momentum) }
        }
    }

    @Test("chained cosine: Glidepath keeps the product of factors past the trough")
    func chainedCosineDivergence() throws {
        let fixture = try #require(Self.cases.first { $0.id == "chained-cosine-exp" })
        var scheduler = try fixture.makeScheduler()
        for k in 1...30 {
            try scheduler.step()
            for group in fixture.lrs.indices {
                let base = fixture.lrs[group]
                // cosine(tMax 15) factor × exponential(0.97) factor, from the configuration.
                let product = (base * (1 + cos(Double.pi * Double(k) / 15)) / 2) * (base * pow(0.97, Double(k)) / base)
                expectClose(scheduler.learningRates[group], product, relativeTolerance: 1e-14)
            }
        }
    }
}
