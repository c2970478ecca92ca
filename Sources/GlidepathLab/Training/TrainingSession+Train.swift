extension TrainingSession {
    /// Trains until the configured epochs are done, the loss goes non-finite, or a signal arrives.
    ///
    /// When training fails with an error (a store, checkpoint or scheduler error, a bad batch), the run
    /// is marked `failed` before the error is rethrown: its last checkpoint stays valid, so
    /// `glidepath train --resume` can continue it.
    ///
    /// - Parameters:
    ///   - stepDelay: seconds to sleep after each update (a testing aid that makes an epoch last long
    ///     enough to kill it mid-way; it changes timings only, never results).
    public func train(progress: ProgressReporter, monitor: InterruptMonitor?, stepDelay: Double = 0)
        throws(TrainingError) -> TrainingOutcome
    {
        do {
            return try trainEpochs(progress: progress, monitor: monitor, stepDelay: stepDelay)
        } catch {
            // Best effort: the error being reported matters more than a second one from the store.
            try? store.commit(RunCommit(status: .failed), to: run)
            throw error
        }
    }
}
