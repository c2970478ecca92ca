import Foundation
import GlidepathTensor

/// One landscape probe on a fixed probe set (`docs/landscape.md`): loss and gradient norm (global and
/// per layer), the cosine of successive probe gradients, the gradient noise scale B_simple, λ_max by
/// warm-started power iteration, λ_max(P⁻¹H) for a preconditioned optimizer, Hutchinson's trace (global
/// and per layer) with its standard error, gᵀHg/‖g‖², and the quadratic-model step gᵀu/(uᵀHu).
///
/// Every curvature number comes from ``HessianVectorProduct`` (central differences with the measured
/// step), each HVP costing two gradient evaluations per probe batch. Parameters are restored bit for bit
/// and their gradients are left as they were; the probes draw random numbers only from
/// ``ProbeState/Scalars/random``, never from the run's streams.
public enum LandscapeProbe {
    /// Whether `value` can be an entry of the diagonal preconditioner P that `measure` accepts: finite and
    /// > 0, so that P^{-½} exists. Callers that build P from optimizer state check it with this same test.
    public static func isUsablePreconditionerEntry(_ value: Float) -> Bool { value > 0 && value.isFinite }

    /// Measures everything `settings` asks for at the current parameters.
    ///
    /// - Parameters:
    ///   - preconditioner: Adam's diagonal P = (1−β₁ᵗ)·(√v̂ + ε), flat in the objective's parameter order
    ///     (Cohen et al. 2022, "Adaptive Gradient Methods at the Edge of Stability", §3), or nil.
    ///   - updateDirection: the optimizer's step direction u (Adam: m̂/(√v̂ + ε)); nil means u = g.
    ///   - now: a monotonic clock in seconds (injected for tests).
    ///   - cpuNow: the process's CPU clock in seconds (injected for tests).
    /// - Throws: ``NNError`` from the settings' validation, the loss, or a non-finite product; the
    ///   parameters, their gradients and `state` are then unchanged.
    public static func measure(
        _ objective: ProbeObjective, settings: LandscapeProbeSettings = .init(), state: inout ProbeState,
        preconditioner: [Float]? = nil, updateDirection: [Float]? = nil,
        now: () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        cpuNow: () -> Double = ProcessCPUTime.seconds
    ) throws(NNError) -> ProbeMeasurement {
        try settings.validate()
        let started = now(), cpuStarted = cpuNow()
        let parameters = objective.parameters
        let dimension = objective.parameterCount
        let batches = objective.batchCount
        if let preconditioner {
            try NNError.require(
                preconditioner.count == dimension, "preconditioner", "\(preconditioner.count) values",
                "needs \(dimension)")
            if let bad = preconditioner.firstIndex(where: { !isUsablePreconditionerEntry($0) }) {
                throw .invalidInput(
                    name: "preconditioner[\(bad)]", value: "\(preconditioner[bad])",
                    reason: "every entry must be finite and > 0")
            }
        }
        if let updateDirection {
            try NNError.require(
                updateDirection.count == dimension, "updateDirection", "\(updateDirection.count) values",
                "needs \(dimension)")
        }
        let savedGradients = parameters.map { $0.grad?.scalars }
        defer {
            for (parameter, gradient) in zip(parameters, savedGradients) {
                parameter.clearGradient()
                if let gradient {
                    parameter.withUnsafeMutableDataAndGradient { _, buffer in
                        for i in buffer.indices { buffer[i] = gradient[i] }
                    }
                }
            }
        }
        var working = state
        var gradientEvaluations = 0, products = 0

        // Loss and gradient of each probe batch.
        var losses: [Double] = [], batchSquares: [Double] = []
        var gradient = [Double](repeating: 0, count: dimension)
        for batch in 0..<batches {
            for parameter in parameters { parameter.clearGradient() }
            let value = try objective.loss(batch, .record)
            guard value.count == 1 else {
                throw .invalidInput(name: "loss", value: "\(value.shape)", reason: "must be a one-element tensor")
            }
            value.backward()
            gradientEvaluations += 1
            losses.append(Double(value.scalar))
            var single = [Double](repeating: 0, count: dimension)
            GradientAccess.accumulateFlatGradient(of: parameters, into: &single)
            batchSquares.append(single.reduce(0) { $0 + $1 * $1 })
            for i in 0..<dimension { gradient[i] += single[i] / Double(batches) }
        }
        let meanSquare = gradient.reduce(0) { $0 + $1 * $1 }
        let gradientNorm = meanSquare.squareRoot()
        var layerNorms: [String: Double] = [:]
        for layer in objective.layers {
            layerNorms[layer.name] = gradient[layer.range].reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        let gradientFloats = gradient.map { Float($0) }
        var cosine: Double? = nil
        if let previous = working.previousGradient, previous.count == dimension {
            var dot = 0.0, previousSquare = 0.0
            for i in 0..<dimension {
                dot += gradient[i] * Double(previous[i])
                previousSquare += Double(previous[i]) * Double(previous[i])
            }
            let denominator = gradientNorm * previousSquare.squareRoot()
            cosine = denominator > 0 ? dot / denominator : nil
        }
        let noise = NoiseScale.update(
            &working.scalars, batchSquares: batchSquares, meanSquare: meanSquare,
            batchSize: objective.batchSize, smoothing: settings.noiseSmoothing)

        let configuration = HessianVectorProduct.Configuration(step: .absolute(settings.hessianStep))
        let hessianBatches = min(settings.hessianBatches, batches)
        func hessian(_ v: [Float]) throws(NNError) -> HessianVectorProduct.Product {
            products += 1
            gradientEvaluations += 2 * hessianBatches
            return try HessianVectorProduct.product(
                parameters: parameters, direction: v, configuration: configuration,
                batches: hessianBatches, loss: objective.replayedLoss)
        }
        /// vᵀH_b v/‖v‖² on the batches the HVPs did not use (for the spread across every batch).
        func remainingQuotients(_ v: [Float]) throws(NNError) -> [Double] {
            guard hessianBatches < batches else { return [] }
            gradientEvaluations += 2 * (batches - hessianBatches)
            return try HessianVectorProduct.product(
                parameters: parameters, direction: v, configuration: configuration, batches: batches - hessianBatches
            ) { (index: Int) throws(NNError) -> Tensor in try objective.replayedLoss(hessianBatches + index) }
            .batchQuotients
        }

        // H·ĝ when λ_max starts cold from the gradient (its first product), for gᵀHg without another HVP.
        var alongGradient: HessianVectorProduct.Product? = nil
        var lambda: EigenvalueEstimate? = nil
        var preconditionedLambda: EigenvalueEstimate? = nil
        var trace: TraceEstimate? = nil
        var gradientCurvature: ProbeEstimate? = nil
        var quadraticStep: Double? = nil, updateCurvature: Double? = nil
        if gradientNorm > 0 && gradientNorm.isFinite {
            var clock = now(), cpuClock = cpuNow()
            // A cold start from the gradient: the gradient of a network lies mostly in the span of the top
            // Hessian eigenvectors (Gur-Ari et al. 2018, arXiv 1812.04754), so it converges in fewer products
            // than a random start, and its first product gives gᵀHg for free.
            let coldFromGradient = working.eigenvector == nil
            var firstProduct = true
            let top = try PowerIteration.runLargest(
                dimension: dimension, start: working.eigenvector ?? gradientFloats,
                limit: settings.powerIterationLimit, tolerance: settings.powerTolerance,
                residualTolerance: settings.residualTolerance, using: &working.scalars.random
            ) { (v: [Float]) throws(NNError) -> HessianVectorProduct.Product in
                let product = try hessian(v)
                if firstProduct && coldFromGradient { alongGradient = product }
                firstProduct = false
                return product
            }
            lambda = top.estimate
            if hessianBatches < batches && settings.lambdaSpread {
                // The quotient of the reported vector on every batch: the HVP batches' from the last
                // iteration, the others from one extra evaluation each.
                let others = try remainingQuotients(top.evaluatedVector)
                lambda?.value = ProbeEstimate(
                    value: top.estimate.value.value,
                    perBatch: top.batchQuotients + others)
            }
            lambda?.seconds = now() - clock
            lambda?.cpuSeconds = cpuNow() - cpuClock
            working.eigenvector = top.vector

            if settings.preconditionedLambda, let preconditioner {
                clock = now()
                cpuClock = cpuNow()
                let scale = preconditioner.map { 1 / Float($0).squareRoot() }
                // Cold: from P^{-½}g, the gradient in the preconditioned coordinates.
                let start = working.preconditionedEigenvector ?? (0..<dimension).map { gradientFloats[$0] * scale[$0] }
                let result = try PowerIteration.runLargest(
                    dimension: dimension, start: start, limit: settings.powerIterationLimit,
                    tolerance: settings.powerTolerance, residualTolerance: settings.residualTolerance,
                    using: &working.scalars.random
                ) { (v: [Float]) throws(NNError) -> HessianVectorProduct.Product in
                    var scaled = [Float](repeating: 0, count: dimension)
                    var scaledSquare = 0.0, square = 0.0
                    for i in 0..<dimension {
                        scaled[i] = v[i] * scale[i]
                        scaledSquare += Double(scaled[i]) * Double(scaled[i])
                        square += Double(v[i]) * Double(v[i])
                    }
                    var product = try hessian(scaled)
                    for i in 0..<dimension { product.values[i] *= Double(scale[i]) }
                    product.batchQuotients = product.batchQuotients.map { $0 * scaledSquare / square }
                    return product
                }
                preconditionedLambda = result.estimate
                preconditionedLambda?.seconds = now() - clock
                preconditionedLambda?.cpuSeconds = cpuNow() - cpuClock
                working.preconditionedEigenvector = result.vector
            }

            if settings.traceSamples > 0 {
                clock = now()
                var samples: [Double] = []
                var layerSums = [Double](repeating: 0, count: objective.layers.count)
                for _ in 0..<settings.traceSamples {
                    let z: [Float] = (0..<dimension).map { _ in working.scalars.random.next() & 1 == 0 ? -1 : 1 }
                    let product = try hessian(z)
                    var total = 0.0
                    for (index, layer) in objective.layers.enumerated() {
                        var block = 0.0
                        for i in layer.range { block += Double(z[i]) * product.values[i] }
                        layerSums[index] += block
                        total += block
                    }
                    samples.append(total)
                }
                let m = Double(samples.count)
                var layers: [String: Double] = [:]
                for (index, layer) in objective.layers.enumerated() { layers[layer.name] = layerSums[index] / m }
                trace = TraceEstimate(
                    value: samples.reduce(0, +) / m,
                    standardError: ProbeEstimate.standardDeviation(samples).map { $0 / m.squareRoot() },
                    layers: layers, samples: samples.count, seconds: now() - clock)
            }

            // gᵀHg/‖g‖² = ĝᵀHĝ from H·ĝ (the product scales with ‖v‖, the quotients do not).
            var gHg: Double? = nil
            if settings.gradientCurvature || alongGradient != nil || (settings.quadraticStep && updateDirection == nil)
            {
                let product: HessianVectorProduct.Product, norm: Double
                if let alongGradient {
                    (product, norm) = (alongGradient, gradientNorm)
                } else {
                    (product, norm) = (try hessian(gradientFloats), 1)
                }
                let value = zip(gradient, product.values).reduce(0) { $0 + $1.0 * $1.1 } * norm
                gHg = value
                gradientCurvature = ProbeEstimate(value: value / meanSquare, perBatch: product.batchQuotients)
            }
            if settings.quadraticStep {
                if let updateDirection {
                    let alongUpdate = try hessian(updateDirection)
                    var uHu = 0.0, gu = 0.0, uu = 0.0
                    for i in 0..<dimension {
                        let u = Double(updateDirection[i])
                        uHu += u * alongUpdate.values[i]
                        gu += gradient[i] * u
                        uu += u * u
                    }
                    updateCurvature = uu > 0 ? uHu / uu : nil
                    quadraticStep = uHu > 0 ? gu / uHu : nil
                } else if let gHg {
                    updateCurvature = gHg / meanSquare
                    quadraticStep = gHg > 0 ? meanSquare / gHg : nil
                }
            }
        }
        working.previousGradient = gradientFloats
        working.scalars.probes += 1
        let measurement = ProbeMeasurement(
            loss: ProbeEstimate(value: losses.reduce(0, +) / Double(batches), perBatch: losses),
            gradientNorm: ProbeEstimate(value: gradientNorm, perBatch: batchSquares.map { $0.squareRoot() }),
            layerGradientNorms: layerNorms, gradientCosine: cosine, noiseScale: noise, lambdaMax: lambda,
            preconditionedLambdaMax: preconditionedLambda, trace: trace, gradientCurvature: gradientCurvature,
            quadraticStep: quadraticStep, updateCurvature: updateCurvature,
            cost: ProbeCost(
                gradientEvaluations: gradientEvaluations, hessianVectorProducts: products, seconds: now() - started,
                cpuSeconds: cpuNow() - cpuStarted))
        state = working
        return measurement
    }
}
