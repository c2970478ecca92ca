import Foundation
import Glidepath
import Testing

/// Behaviour of the composites beyond PyTorch's reach (reactive children), and the transformer
/// schedules, checked against their defining formulas.
@Suite("Composition and transformer schedules")
struct CompositionTests {
    @Test("a plateau scheduler inside a sequence receives the metrics after its milestone")
    func plateauInsideSequential() throws {
        let warm = try AnyScheduler(
            ClosedFormScheduler(LinearSchedule(startFactor: 0.5, totalIters: 2), baseRates: [1.0]))
        let plateau = try AnyScheduler(
            ReduceOnPlateauScheduler(baseRates: [1.0], factor: 0.5, patience: 0, cadence: .perEpoch))
        var sequence = try SequentialScheduler(schedulers: [warm, plateau], milestones: [3])
        // Linear closed form: 1.0·(0.5 + 0.5·min(t, 2)/2) for t = 0, 1, 2.
        let expected: [Double] = [0.5, 0.75, 1.0]
        for k in 0..<3 {
            #expect(sequence.learningRates == [expected[k]])
            try sequence.step(Observation(metric: 1.0))
        }
        // t = 3: the plateau child starts at its time 0 (base rate), the switching step's metric is not
        // forwarded; then patience 0 means every non-improving metric halves the rate.
        #expect(sequence.learningRates == [1.0])
        try sequence.step(Observation(metric: 2.0))  // first metric the child sees: improves on +∞
        #expect(sequence.learningRates == [1.0])
        try sequence.step(Observation(metric: 2.0))  // no improvement → ×0.5
        #expect(sequence.learningRates == [0.5])
        // The child needs a metric: a missing one is reported at the sequence's own step
        // counter before the call (5).
        do {
            try sequence.step(.empty)
            Issue.record("missing metric accepted")
        } catch {
            #expect(
                error
                    == .invalidObservation(
                        step: 5, field: "metric", value: "nil",
                        reason: "reduceOnPlateau needs a validation metric every step"))
        }
    }

    @Test("warm-up in front of a plateau scheduler: the inner one sees nothing during warm-up")
    func warmupBeforePlateau() throws {
        let plateau = try AnyScheduler(ReduceOnPlateauScheduler(baseRates: [0.2], factor: 0.1, patience: 1))
        var warmup = try WarmupScheduler(plateau, steps: 4, startFactor: 0.25)
        // Ramp: 0.2·(0.25 + 0.75·t/4) for t = 0…3.
        for t in 0..<4 {
            #expect(warmup.learningRates == [0.2 * (0.25 + 0.75 * Double(t) / 4)])
            try warmup.step(.empty)  // no metric needed (nor validated) during warm-up
        }
        #expect(warmup.learningRates == [0.2])
        #expect(warmup.inner.stepCount == 0)
        try warmup.step(Observation(metric: 1))
        try warmup.step(Observation(metric: 1))
        try warmup.step(Observation(metric: 1))  // two bad steps > patience 1 → ×0.1
        #expect(warmup.learningRates == [max(0.2 * 0.1, 0)])
        #expect(warmup.inner.stepCount == 3)
    }

    @Test("inverse square root follows Hugging Face's lambda")
    func inverseSquareRoot() throws {
        let schedule = try InverseSquareRootSchedule(numWarmupSteps: 4)
        // transformers get_inverse_sqrt_schedule: t/W during warm-up, then 1/√((t + τ − W)/τ), τ = W.
        for t in 0..<4 { #expect(schedule.factor(at: t) == Double(t) / 4) }
        for t in 4..<50 { #expect(schedule.factor(at: t) == 1.0 / (Double(t) / 4).squareRoot()) }
        #expect(try InverseSquareRootSchedule().timescale == 10_000)
    }

    @Test("warmup–stable–decay follows Hugging Face's lambda")
    func warmupStableDecay() throws {
        let schedule = try WarmupStableDecaySchedule(
            numWarmupSteps: 5, numStableSteps: 3, numDecaySteps: 10, warmupType: .linear, decayType: .cosine,
            minLRRatio: 0.1)
        // transformers _get_wsd_scheduler_lambda, ρ = 0.1, c = 0.5.
        for t in 0..<5 { #expect(schedule.factor(at: t) == (Double(t) / 5) * 0.9 + 0.1) }
        for t in 5..<8 { #expect(schedule.factor(at: t) == 1.0) }
        for t in 8..<18 {
            let progress = Double(t - 8) / 10
            #expect(schedule.factor(at: t) == 0.5 * (1.0 + cos(Double.pi * 0.5 * 2.0 * progress)) * 0.9 + 0.1)
        }
        for t in 18..<30 { #expect(schedule.factor(at: t) == 0.1) }
        let sqrtShape = try WarmupStableDecaySchedule(
            numWarmupSteps: 4, numStableSteps: 0, numDecaySteps: 4, warmupType: .oneMinusSqrt, decayType: .oneMinusSqrt)
        #expect(sqrtShape.factor(at: 1) == 1.0 - (1.0 - 0.25).squareRoot())
        #expect(sqrtShape.factor(at: 5) == 1.0 - (0.25).squareRoot())
    }

    @Test("one-cycle and warm restarts keep working far beyond PyTorch's limits")
    func longRuns() throws {
        let restarts = try CosineWarmRestartsSchedule(t0: 1, tMult: 2)
        // Cycle lengths 1, 2, 4, …: step 2^k − 1 starts a cycle, so the rate is η₀ there.
        for k in 1..<62 { #expect(restarts.learningRate(at: (1 << k) - 1, baseRate: 0.5) == 0.5) }
        #expect(restarts.learningRate(at: .max, baseRate: 0.5).isFinite)
    }

    /// A user's optimizer: anything with parameter groups can receive the rates.
    struct UserOptimizer: LearningRateReceiver {
        var rates: [Double] = []
        var history: [[Double]] = []
        mutating func receive(learningRates: [Double], momenta: [Double]?) {
            rates = learningRates
            history.append(learningRates)
        }
    }

    @Test("the documented usage example runs: warm-up then cosine into a user optimizer")
    func usageExample() throws {
        var optimizer = UserOptimizer()
        var scheduler = try WarmupScheduler(
            ClosedFormScheduler(CosineAnnealingSchedule(tMax: 90), baseRates: [0.1, 0.01]),
            steps: 10, startFactor: 0.1)
        for _ in 0..<100 {
            scheduler.apply(to: &optimizer)
            try scheduler.step(Observation(metric: 1.0))
        }
        // Warm-up from 0.1·η₀ (t = 0) to η₀ at t = 10, then cosine from η₀ down to 0 at t = 100.
        #expect(optimizer.history[0] == [0.1 * 0.1, 0.01 * 0.1])
        #expect(optimizer.history[10] == [0.1, 0.01])
        #expect(optimizer.history.count == 100)
        #expect(scheduler.learningRates == [0, 0])  // cos(π) = −1 exactly, so η(tMax) = 0
    }
}
