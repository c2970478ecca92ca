import ArgumentParser
import GlidepathLab
import GlidepathNN

/// `glidepath train`'s landscape-probe options (`docs/landscape.md`, "In the lab").
struct ProbeOptions: ParsableArguments {
    @Option(
        name: .customLong("probe-every"),
        help: ArgumentHelp(
            """
            Probe the loss landscape every K updates, once per epoch (epoch), or at the cadence that keeps \
            probing within --probe-budget (auto). Default: off, or auto for --scheduler landscape.
            """, valueName: "K|epoch|auto"))
    var every: String?

    @Option(
        name: .customLong("probe-budget"),
        help: ArgumentHelp(
            "The overhead budget of --probe-every auto, a fraction of training compute.",
            valueName: "fraction"))
    var budget: Double?

    @Option(
        name: .customLong("probe-batches"),
        help: ArgumentHelp(
            "Probe-set batches of the training batch size (>= 2 for the noise scale).",
            valueName: "k"))
    var batches: Int?

    @Option(
        name: .customLong("probe-cost-factor"),
        help: ArgumentHelp(
            """
            The CPU cost of one probe gradient evaluation in training updates, for --probe-every auto \
            (default: the task's constant, measured by make bench-landscape; docs/landscape.md).
            """, valueName: "c"))
    var costFactor: Double?

    /// Whether any probe option was given (they are refused with --resume).
    var isGiven: Bool { every != nil || budget != nil || batches != nil || costFactor != nil }

    /// The configuration these options ask for, nil when none was given.
    func configuration() throws -> ProbeConfiguration? {
        guard isGiven else { return nil }
        var configuration = ProbeConfiguration(cadence: .auto)
        switch every {
        case nil, "auto": configuration.cadence = .auto
        case "epoch": configuration.cadence = .epoch
        case let text?:
            guard let k = Int(text), k >= 1 else {
                throw ValidationError("--probe-every \(text): expected an integer >= 1, epoch or auto")
            }
            configuration.cadence = .fixed
            configuration.every = k
        }
        if let budget { configuration.budget = budget }
        if let batches { configuration.batches = batches }
        configuration.costFactor = costFactor
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        return configuration
    }
}
