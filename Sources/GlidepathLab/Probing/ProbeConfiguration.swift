import GlidepathNN

/// How a training run probes its loss landscape (`glidepath train --probe-every K|epoch|auto
/// --probe-budget B`), recorded with the run's configuration.
public struct ProbeConfiguration: Sendable, Equatable, Codable {
    /// When probes run.
    public enum Cadence: String, Sendable, Codable, CaseIterable {
        /// Every ``every`` updates.
        case fixed
        /// After the last update of every epoch.
        case epoch
        /// Every K updates with K = ⌈c·(gradient evaluations of the last probe)/budget⌉, at least once per
        /// epoch, c the CPU cost of one probe evaluation in training updates (``costFactor``, else the task's
        /// constant ``TrainingTask/probeCostFactor``). Counted in evaluations × c, never in measured seconds,
        /// so the cadence — and a scheduler that reads the probes — is the same on every machine; the measured
        /// CPU and wall times (and the ratio they give) are recorded with every probe.
        case auto
    }

    public var cadence: Cadence
    /// K for ``Cadence/fixed``.
    public var every: Int?
    /// The overhead budget of ``Cadence/auto``, a fraction of training compute in (0, 1).
    public var budget: Double
    /// Probe batches of the training batch size drawn once from the training split (≥ 2 for the noise scale).
    public var batches: Int
    /// What each probe computes (default: ``LandscapeProbeSettings/training``).
    public var settings: LandscapeProbeSettings
    /// The CPU cost of one probe gradient evaluation in training updates for ``Cadence/auto``; nil: the task's
    /// constant ``TrainingTask/probeCostFactor`` (measured once by `make bench-landscape`; every probe also
    /// records the ratio it measured, for information).
    public var costFactor: Double?

    public init(
        cadence: Cadence, every: Int? = nil, budget: Double = 0.05, batches: Int = 2,
        settings: LandscapeProbeSettings = .training, costFactor: Double? = nil
    ) {
        self.cadence = cadence
        self.every = every
        self.budget = budget
        self.batches = batches
        self.settings = settings
        self.costFactor = costFactor
    }

    /// - Throws: ``TaskError/invalidConfiguration(field:value:reason:)`` naming the field.
    public func validate() throws(TaskError) {
        func fail(_ field: String, _ value: Any, _ reason: String) -> TaskError {
            .invalidConfiguration(field: "probing.\(field)", value: "\(value)", reason: reason)
        }
        if cadence == .fixed {
            guard let every, every >= 1 else { throw fail("every", every.map(String.init) ?? "nil", "must be ≥ 1") }
        }
        guard budget > 0 && budget < 1 else { throw fail("budget", budget, "must be in (0, 1)") }
        guard batches >= 1 && batches <= 64 else { throw fail("batches", batches, "must be in 1...64") }
        if let costFactor {
            guard costFactor > 0 && costFactor <= 100 else {
                throw fail("costFactor", costFactor, "must be in (0, 100]")
            }
        }
        do { try settings.validate() } catch {
            throw .invalidConfiguration(field: "probing.settings", value: "", reason: error.description)
        }
    }

    /// The cadence for a landscape-scheduler run that did not ask for one: automatic within 5%.
    public static let schedulerDefault = ProbeConfiguration(cadence: .auto)
}
