import Foundation
import Glidepath

/// The lab's three steps of a scheduler configuration (`docs/lab.md`, "How a configuration flows"):
/// decode `--scheduler NAME [--scheduler-config FILE]` once, resolve it once against the run's shape,
/// build it once — and, on resume, decode the recorded configuration and build it.
///
/// Names and parameters are exactly those of `glidepath schedule` (``SchedulerConfiguration``). The file
/// holds the scheduler object, with or without `"name"`; a `"name"` that differs from `--scheduler` is
/// refused (a configuration for the wrong scheduler). What resolving fills in is documented on each
/// configuration type (``SchedulerParameters/resolved(for:)``); the resolved configuration, every
/// parameter written out, is what the run records.
public enum SchedulerSetup {
    /// Decodes the configuration that `--scheduler name` and the parsed `--scheduler-config` document
    /// `file` describe.
    ///
    /// - Throws: ``TrainingError/scheduler(_:)`` naming the option or the field and value.
    public static func configuration(name: String, file: StateValue?) throws(TrainingError) -> SchedulerConfiguration {
        guard SchedulerRegistry.type(named: name) != nil else {
            let options = SchedulerConfiguration.Name.allCases.map(\.rawValue).joined(separator: ", ")
            throw .scheduler(
                .invalidArgument(
                    name: "--scheduler", value: name,
                    reason: "unknown scheduler; expected one of \(options)"))
        }
        let document = file ?? .object([:])
        guard case .object(let fields) = document else {
            throw .scheduler(
                .invalidArgument(
                    name: "--scheduler-config", value: "<document>",
                    reason: "expected a JSON object with the scheduler's parameters"))
        }
        if let given = fields["name"], given != .string(name) {
            throw .scheduler(
                .invalidArgument(
                    name: "scheduler.name", value: given.jsonText,
                    reason: "the configuration file is for another scheduler than --scheduler \(name)"))
        }
        do {
            return try SchedulerConfiguration(document, named: SchedulerConfiguration.Name(rawValue: name))
        } catch {
            throw .scheduler(error)
        }
    }

    /// Resolves `configuration` against the run and builds its scheduler: the configuration to record
    /// (as JSON) and the scheduler.
    ///
    /// - Parameters:
    ///   - initialLoss: measures the untrained model's mean loss; called only when the configuration
    ///     reads it (``SchedulerConfiguration/readsInitialLoss``).
    ///   - baseRates, momenta: the optimizer's rates and momentum (or β₁) per group.
    /// - Throws: ``TrainingError/scheduler(_:)`` naming the field and value.
    public static func resolve(
        _ configuration: SchedulerConfiguration, epochs: Int, updatesPerEpoch: Int, classCount: Int,
        initialLoss: () throws(TrainingError) -> Double, baseRates: [Double], momenta: [Double]?
    ) throws(TrainingError) -> (record: StateValue, scheduler: AnyScheduler) {
        let shape = RunShape(
            epochs: epochs, updatesPerEpoch: updatesPerEpoch, classCount: classCount,
            initialLoss: configuration.readsInitialLoss ? try initialLoss() : nil)
        do {
            let resolved = try configuration.resolved(for: shape)
            let scheduler = try resolved.makeScheduler(baseRates: baseRates, momenta: momenta)
            return (try StateValue(encoding: resolved), scheduler)
        } catch {
            throw .scheduler(error)
        }
    }

    /// The most scheduler steps ``checkFiniteRates(_:name:epochs:updatesPerEpoch:)`` evaluates up front.
    public static let maximumCheckedSteps = 1_000_000

    /// Refuses, before training, a scheduler whose rates or momenta become ±∞ or NaN within the run:
    /// one that reads no observation (``LearningRateScheduler/needs`` is empty: closed-form schedules
    /// and their compositions) is a pure function of its step count, so a copy is stepped exactly as
    /// the training loop will step it — once per update, or once per epoch — over the run's first
    /// ``maximumCheckedSteps`` steps, and every rate an update would use is checked. (Finite parameters
    /// can overflow: `exponential` with gamma 1e308 is finite at step 1 and ∞ at step 2.) A scheduler
    /// that reads losses, metrics or the landscape cannot be evaluated ahead; a non-finite rate then
    /// makes the update's loss non-finite, and the run ends `diverged` with that step named.
    ///
    /// - Throws: ``TrainingError/scheduler(_:)`` naming the update (or epoch), the group and the value.
    static func checkFiniteRates(_ scheduler: AnyScheduler, name: String, epochs: Int, updatesPerEpoch: Int)
        throws(TrainingError)
    {
        guard scheduler.needs.isEmpty else { return }
        let perUpdate = scheduler.cadence == .perUpdate
        let (total, overflow) = (perUpdate ? epochs : 1).multipliedReportingOverflow(
            by: perUpdate ? updatesPerEpoch : epochs)
        let steps = overflow ? maximumCheckedSteps : min(total, maximumCheckedSteps)
        var copy = scheduler
        for index in 0..<steps {
            // Rates used by update `index + 1` (or epoch `index + 1`): after `index` scheduler steps.
            if index > 0 {
                do { try copy.step(.empty) } catch { return }  // training meets (and reports) the same error
            }
            let place =
                perUpdate
                ? "update \(index + 1) (epoch \(index / max(1, updatesPerEpoch) + 1))" : "epoch \(index + 1)"
            for (quantity, values) in [("learning rate", copy.learningRates), ("momentum", copy.momenta ?? [])] {
                if let group = values.firstIndex(where: { !$0.isFinite }) {
                    throw .scheduler(
                        .invalidArgument(
                            name: "scheduler", value: name,
                            reason: "at \(place) the \(quantity) of group \(group) would be \(values[group]): the "
                                + "scheduler's parameters overflow double precision (refused before training)"))
                }
            }
        }
    }

    /// Builds the scheduler of a configuration a run recorded (already resolved: it is not resolved
    /// again). Records written before configurations were typed decode the same way.
    public static func makeScheduler(recorded: StateValue, baseRates: [Double], momenta: [Double]?)
        throws(TrainingError) -> AnyScheduler
    {
        do {
            return try SchedulerConfiguration(recorded).makeScheduler(baseRates: baseRates, momenta: momenta)
        } catch {
            throw .scheduler(error)
        }
    }

    /// Reads a `--scheduler-config` file: a path, a pipe or process substitution, or `-` for standard
    /// input (``InputFile``).
    ///
    /// - Throws: ``TrainingError/scheduler(_:)`` when the file cannot be read or is not JSON.
    public static func readFile(_ path: String) throws(TrainingError) -> StateValue {
        let data: Data
        do { data = try InputFile.read(path) } catch {
            throw .scheduler(
                .invalidArgument(
                    name: "--scheduler-config", value: path,
                    reason: "cannot read the file (\(error.reason))"))
        }
        do { return try StateCoding.decoder().decode(StateValue.self, from: data) } catch {
            throw .scheduler(.invalidArgument(name: "--scheduler-config", value: path, reason: "not valid JSON"))
        }
    }
}
