extension SchedulerConfiguration {
    /// Builds the configured scheduler for parameter groups with the given base rates.
    ///
    /// - Parameters:
    ///   - baseRates: η₀ of every group (the optimizer's initial rates); at least one, finite, ≥ 0.
    ///   - momenta: the optimizer's momentum (or β₁) per group, if it has one: validated (one finite value
    ///     in [0, 1] per group). Like PyTorch, cyclic and one-cycle schedules with `cycleMomentum`
    ///     overwrite it with their own `maxMomentum`…`baseMomentum` cycle; no other scheduler moves it.
    /// - Throws: ``SchedulerError/invalidArgument(name:value:reason:)`` naming the field path and value.
    public func makeScheduler(baseRates: [Double], momenta: [Double]? = nil) throws(SchedulerError) -> AnyScheduler {
        try SchedulerArgumentValidation.baseRates(baseRates, name: "lrs")
        if let momenta {
            try SchedulerArgumentValidation.perGroup(momenta, groups: baseRates.count, "momentum")
            for (index, value) in momenta.enumerated() {
                try SchedulerArgumentValidation.unitInterval(value, "momentum[\(index)]")
            }
        }
        return try build(baseRates: baseRates)
    }

    /// Runs a scheduler initializer, prefixing the parameter names in its errors with this object's path.
    private func named<Result>(_ body: () throws(SchedulerError) -> Result) throws(SchedulerError) -> Result {
        do {
            return try body()
        } catch {
            if case let .invalidArgument(name, value, reason) = error {
                throw .invalidArgument(name: "\(path).\(name)", value: value, reason: reason)
            }
            throw error
        }
    }

    private func closedForm<Schedule: ClosedFormSchedule>(
        _ schedules: [Schedule], _ baseRates: [Double], _ cadence: StepCadence?
    ) throws(SchedulerError) -> AnyScheduler {
        AnyScheduler(try named { () throws(SchedulerError) in
            try ClosedFormScheduler(perGroup: schedules, baseRates: baseRates, cadence: cadence)
        })
    }

    func build(baseRates: [Double]) throws(SchedulerError) -> AnyScheduler {
        let read = ConfigurationReader(parameters: parameters, path: path)
        let groups = baseRates.count
        func same<Schedule>(_ make: () throws(SchedulerError) -> Schedule) throws(SchedulerError) -> [Schedule] {
            let schedule = try named(make)
            return Array(repeating: schedule, count: groups)
        }
        switch name {
        case .step:
            let (stepSize, gamma) = (try read.integer("stepSize"), try read.number("gamma", default: 0.1))
            return try closedForm(same { () throws(SchedulerError) in try StepSchedule(stepSize: stepSize, gamma: gamma) },
                                  baseRates, cadence)
        case .multiStep:
            let (milestones, gamma) = (try read.integerList("milestones"), try read.number("gamma", default: 0.1))
            return try closedForm(
                same { () throws(SchedulerError) in try MultiStepSchedule(milestones: milestones, gamma: gamma) },
                baseRates, cadence)
        case .fixed:
            // η(t) = η₀·(1 + 0·[t ≥ 1]) = η₀ exactly, at every step and in every state.
            return try closedForm(
                same { () throws(SchedulerError) in try ConstantSchedule(factor: 1, totalIters: 1) }, baseRates, cadence)
        case .constant:
            let factor = try read.number("factor", default: 1.0 / 3)
            let totalIters = try read.integer("totalIters", default: 5)
            return try closedForm(
                same { () throws(SchedulerError) in try ConstantSchedule(factor: factor, totalIters: totalIters) },
                baseRates, cadence)
        case .linear:
            let start = try read.number("startFactor", default: 1.0 / 3)
            let end = try read.number("endFactor", default: 1.0)
            let totalIters = try read.integer("totalIters", default: 5)
            return try closedForm(same { () throws(SchedulerError) in
                try LinearSchedule(startFactor: start, endFactor: end, totalIters: totalIters)
            }, baseRates, cadence)
        case .exponential:
            let gamma = try read.number("gamma")
            return try closedForm(same { () throws(SchedulerError) in try ExponentialSchedule(gamma: gamma) },
                                  baseRates, cadence)
        case .polynomial:
            let totalIters = try read.integer("totalIters", default: 5)
            let power = try read.number("power", default: 1.0)
            return try closedForm(
                same { () throws(SchedulerError) in try PolynomialSchedule(totalIters: totalIters, power: power) },
                baseRates, cadence)
        case .cosine:
            let (tMax, etaMin) = (try read.integer("tMax"), try read.number("etaMin", default: 0))
            return try closedForm(
                same { () throws(SchedulerError) in try CosineAnnealingSchedule(tMax: tMax, etaMin: etaMin) },
                baseRates, cadence)
        case .cosineWarmRestarts:
            let t0 = try read.integer("t0")
            let tMult = try read.integer("tMult", default: 1)
            let etaMin = try read.number("etaMin", default: 0)
            return try closedForm(same { () throws(SchedulerError) in
                try CosineWarmRestartsSchedule(t0: t0, tMult: tMult, etaMin: etaMin)
            }, baseRates, cadence)
        case .cyclic:
            return try closedForm(try cyclicSchedules(read, groups: groups), baseRates, cadence)
        case .oneCycle:
            return try closedForm(try oneCycleSchedules(read, groups: groups), baseRates, cadence)
        case .inverseSquareRoot:
            let warmup = try read.integer("numWarmupSteps", default: 0)
            let timescale = try read.optionalInteger("timescale")
            return try closedForm(same { () throws(SchedulerError) in
                try InverseSquareRootSchedule(numWarmupSteps: warmup, timescale: timescale)
            }, baseRates, cadence)
        case .warmupStableDecay:
            let warmup = try read.integer("numWarmupSteps")
            let stable = try read.integer("numStableSteps")
            let decay = try read.integer("numDecaySteps")
            let warmupType = try read.choice("warmupType", default: WarmupStableDecayShape.linear)
            let decayType = try read.choice("decayType", default: WarmupStableDecayShape.cosine)
            let ratio = try read.number("minLRRatio", default: 0)
            let cycles = try read.number("numCycles", default: 0.5)
            return try closedForm(same { () throws(SchedulerError) in
                try WarmupStableDecaySchedule(
                    numWarmupSteps: warmup, numStableSteps: stable, numDecaySteps: decay, warmupType: warmupType,
                    decayType: decayType, minLRRatio: ratio, numCycles: cycles)
            }, baseRates, cadence)
        case .reduceOnPlateau:
            let mode = try read.choice("mode", default: PlateauMode.min)
            let factor = try read.number("factor", default: 0.1)
            let patience = try read.integer("patience", default: 10)
            let threshold = try read.number("threshold", default: 1e-4)
            let thresholdMode = try read.choice("thresholdMode", default: ThresholdMode.rel)
            let cooldown = try read.integer("cooldown", default: 0)
            let minLR = try read.perGroup("minLR", groups: groups, default: 0)
            let eps = try read.number("eps", default: 1e-8)
            return AnyScheduler(try named { () throws(SchedulerError) in
                try ReduceOnPlateauScheduler(
                    baseRates: baseRates, mode: mode, factor: factor, patience: patience, threshold: threshold,
                    thresholdMode: thresholdMode, cooldown: cooldown, minLR: minLR, eps: eps,
                    cadence: cadence ?? .perEpoch)
            })
        case .sequential:
            let milestones = try read.integerList("milestones")
            var built = [AnyScheduler]()
            for child in children { built.append(try child.build(baseRates: baseRates)) }
            return AnyScheduler(try named { () throws(SchedulerError) in
                try SequentialScheduler(schedulers: built, milestones: milestones, cadence: cadence)
            })
        case .chained:
            var built = [AnyScheduler]()
            for child in children { built.append(try child.build(baseRates: baseRates)) }
            return AnyScheduler(try named { () throws(SchedulerError) in
                try ChainedScheduler(schedulers: built, baseRates: baseRates, cadence: cadence)
            })
        case .warmup:
            guard let inner = children.first else {
                throw .invalidArgument(name: "\(path).scheduler", value: "nil", reason: "required")
            }
            let steps = try read.integer("steps")
            let startFactor = try read.number("startFactor", default: 1.0 / 3)
            let built = try inner.build(baseRates: baseRates)
            return AnyScheduler(try named { () throws(SchedulerError) in
                try WarmupScheduler(built, steps: steps, startFactor: startFactor, cadence: cadence)
            })
        case .dlrs:
            let configuration = try decodeParameters(DLRSScheduler.Configuration.self)
            return AnyScheduler(try named { () throws(SchedulerError) in
                try DLRSScheduler(configuration: configuration, baseRates: baseRates)
            })
        case .dlrsOnPlateau:
            let configuration = try decodeParameters(DLRSOnPlateauScheduler.Configuration.self)
            return AnyScheduler(try named { () throws(SchedulerError) in
                try DLRSOnPlateauScheduler(configuration: configuration, baseRates: baseRates)
            })
        case .landscape:
            let configuration = try decodeParameters(LandscapeScheduler.Configuration.self, excluding: ["scheduler"])
            // The base defaults to the base rate at every update (so the multiplier can move at every probe).
            let built: AnyScheduler
            if let inner = children.first {
                built = try inner.build(baseRates: baseRates)
            } else {
                built = try SchedulerConfiguration(.object(["name": .string("fixed"), "cadence": .string("perUpdate")]),
                                                   path: "\(path).scheduler")
                    .build(baseRates: baseRates)
            }
            return AnyScheduler(try named { () throws(SchedulerError) in
                try LandscapeScheduler(base: built, configuration: configuration, cadence: cadence)
            })
        case .mlrsnet:
            let configuration = try decodeParameters(MLRSNetScheduler.Configuration.self)
            return AnyScheduler(try named { () throws(SchedulerError) in
                try MLRSNetScheduler(configuration: configuration, baseRates: baseRates)
            })
        }
    }

    private func cyclicSchedules(_ read: ConfigurationReader, groups: Int) throws(SchedulerError) -> [CyclicSchedule] {
        let baseLR = try read.perGroup("baseLR", groups: groups)
        let maxLR = try read.perGroup("maxLR", groups: groups)
        let up = try read.integer("stepSizeUp", default: 2000)
        let down = try read.optionalInteger("stepSizeDown")
        let mode = try read.choice("mode", default: CyclicMode.triangular)
        let gamma = try read.number("gamma", default: 1.0)
        let cycleMomentum = try read.boolean("cycleMomentum", default: true)
        let baseMomentum = try read.perGroup("baseMomentum", groups: groups, default: 0.8)
        let maxMomentum = try read.perGroup("maxMomentum", groups: groups, default: 0.9)
        var schedules = [CyclicSchedule]()
        for group in 0..<groups {
            schedules.append(try named { () throws(SchedulerError) in
                try CyclicSchedule(
                    baseLR: baseLR[group], maxLR: maxLR[group], stepSizeUp: up, stepSizeDown: down, mode: mode,
                    gamma: gamma, cycleMomentum: cycleMomentum, baseMomentum: baseMomentum[group],
                    maxMomentum: maxMomentum[group])
            })
        }
        return schedules
    }

    private func oneCycleSchedules(_ read: ConfigurationReader, groups: Int) throws(SchedulerError) -> [OneCycleSchedule] {
        let maxLR = try read.perGroup("maxLR", groups: groups)
        // PyTorch: total_steps, or epochs × steps_per_epoch.
        let totalSteps: Int
        if let total = try read.optionalInteger("totalSteps") {
            totalSteps = total
        } else if let epochs = try read.optionalInteger("epochs"),
                  let perEpoch = try read.optionalInteger("stepsPerEpoch") {
            try named { () throws(SchedulerError) in
                try SchedulerArgumentValidation.atLeast(epochs, 1, "epochs")
                try SchedulerArgumentValidation.atLeast(perEpoch, 1, "stepsPerEpoch")
            }
            let (product, overflow) = epochs.multipliedReportingOverflow(by: perEpoch)
            guard !overflow else {
                throw .invalidArgument(name: read.field("epochs"), value: "\(epochs)", reason: "epochs × stepsPerEpoch overflows")
            }
            totalSteps = product
        } else {
            throw .invalidArgument(name: read.field("totalSteps"), value: "nil",
                                   reason: "define either totalSteps or (epochs and stepsPerEpoch)")
        }
        let pctStart = try read.number("pctStart", default: 0.3)
        let anneal = try read.choice("annealStrategy", default: AnnealStrategy.cos)
        let cycleMomentum = try read.boolean("cycleMomentum", default: true)
        let baseMomentum = try read.perGroup("baseMomentum", groups: groups, default: 0.85)
        let maxMomentum = try read.perGroup("maxMomentum", groups: groups, default: 0.95)
        let divFactor = try read.number("divFactor", default: 25.0)
        let finalDivFactor = try read.number("finalDivFactor", default: 1e4)
        let threePhase = try read.boolean("threePhase", default: false)
        var schedules = [OneCycleSchedule]()
        for group in 0..<groups {
            schedules.append(try named { () throws(SchedulerError) in
                try OneCycleSchedule(
                    maxLR: maxLR[group], totalSteps: totalSteps, pctStart: pctStart, annealStrategy: anneal,
                    cycleMomentum: cycleMomentum, baseMomentum: baseMomentum[group],
                    maxMomentum: maxMomentum[group], divFactor: divFactor, finalDivFactor: finalDivFactor,
                    threePhase: threePhase)
            })
        }
        return schedules
    }
}
