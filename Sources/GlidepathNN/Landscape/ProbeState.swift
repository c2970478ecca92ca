import GlidepathTensor

/// What a run's probes carry from one probe to the next: the power iterations' warm-start vectors, the
/// previous probe gradient (for the cosine of successive gradients), the noise scale's EMAs and the
/// probes' own random stream (start vectors, Hutchinson signs).
///
/// The vectors are large (one value per parameter), so the lab keeps them in the checkpoint's tensor
/// archive (``vectors``), not in the scheduler's JSON state; the small scalars travel as ``Scalars``.
public struct ProbeState: Sendable, Equatable {
    /// Small, JSON-friendly part.
    public struct Scalars: Sendable, Equatable, Codable {
        public static let currentVersion = 1
        public var version = Scalars.currentVersion
        public var random: SeededGenerator
        public var probes = 0
        /// EMAs of ‖G‖² and tr Σ estimates, and the EMA weight accumulated (for bias correction).
        public var gradientSquareAverage = 0.0
        public var noiseTraceAverage = 0.0
        public var averageWeight = 0.0

        public init(seed: UInt64) { random = SeededGenerator(seed: seed) }
    }

    public var scalars: Scalars
    /// Unit eigenvector estimate of H from the last probe (Float32, flat), if any.
    public var eigenvector: [Float]?
    /// Unit eigenvector estimate of P^{-½}HP^{-½}.
    public var preconditionedEigenvector: [Float]?
    /// The probe-set gradient at the last probe.
    public var previousGradient: [Float]?

    /// A fresh state whose random stream is derived from `seed` (the run's seed), apart from every
    /// other stream of the run.
    public init(seed: UInt64) {
        scalars = Scalars(seed: seed ^ 0x4C41_4E44_5343_4150)  // "LANDSCAP"
    }

    /// The vectors as archive entries (`probe.eigenvector`, …), for a checkpoint.
    public var vectorEntries: [(name: String, values: [Float])] {
        var result: [(String, [Float])] = []
        if let eigenvector { result.append(("probe.eigenvector", eigenvector)) }
        if let preconditionedEigenvector {
            result.append(("probe.preconditionedEigenvector", preconditionedEigenvector))
        }
        if let previousGradient { result.append(("probe.previousGradient", previousGradient)) }
        return result
    }

    /// Rebuilds a state from ``scalars`` and ``vectorEntries``; each vector must have `parameterCount` values.
    /// - Throws: ``NNError/invalidInput(name:value:reason:)`` naming a vector of the wrong length, an unknown
    ///   entry or an unsupported version.
    public init(scalars: Scalars, vectors: [(name: String, values: [Float])], parameterCount: Int) throws(NNError) {
        guard scalars.version == Scalars.currentVersion else {
            throw .invalidInput(
                name: "probe.version", value: "\(scalars.version)", reason: "this build reads \(Scalars.currentVersion)"
            )
        }
        self.scalars = scalars
        for (name, values) in vectors {
            guard values.count == parameterCount else {
                throw .invalidInput(
                    name: name, value: "\(values.count) values", reason: "the model has \(parameterCount) parameters")
            }
            switch name {
            case "probe.eigenvector": eigenvector = values
            case "probe.preconditionedEigenvector": preconditionedEigenvector = values
            case "probe.previousGradient": previousGradient = values
            default: throw .invalidInput(name: name, value: "present", reason: "not a probe vector")
            }
        }
    }
}
