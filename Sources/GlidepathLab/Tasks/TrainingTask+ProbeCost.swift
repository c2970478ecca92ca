extension TrainingTask {
    /// The CPU cost c of one probe gradient evaluation in training updates of this task's model, which
    /// `--probe-every auto` multiplies the probe's evaluations by: K = ⌈c·evaluations/budget⌉
    /// (``ProbeConfiguration/Cadence/auto``).
    ///
    /// A constant per task, not a timing of the running process, so that the cadence — and a scheduler
    /// that reads the probes — is the same on every machine and load (same seed, configuration and thread
    /// count → the same run). The values are the ratios `make bench-landscape` measured on 2026-12-03
    /// (CPU seconds per probe evaluation over CPU seconds per update, rounded up to a multiple of 1/4;
    /// `docs/landscape.md`, "What a probe costs"). A probe evaluation costs more than an update because the
    /// probe walks the layers one by one, off the fused training kernels, and (SST-2) pads its fixed probe
    /// batches further than the bucketed training batches. Every probe records the ratio it measured
    /// (``ProbeCost/measuredCostFactor``); `--probe-cost-factor` overrides the constant.
    public var probeCostFactor: Double {
        switch self {
        case .adultMLP: return 1.75
        case .mnistCNN, .fashionMNISTCNN: return 1.5
        case .cifar10CNN: return 1.75
        case .imdbBiLSTM: return 1.5
        case .sst2BiLSTM: return 4.25
        }
    }
}
