import Foundation
import Glidepath

/// Turns `--scheduler NAME [--scheduler-config FILE]` into the run's resolved scheduler configuration,
/// and that into a scheduler.
///
/// Names and parameters are exactly those of `glidepath schedule` (``SchedulerConfiguration``). The file
/// holds the scheduler object, with or without `"name"`; a `"name"` that differs from `--scheduler` is
/// refused (a configuration for the wrong scheduler). Parameters that only make sense relative to the
/// run and are absent are filled from it, and the filled object is what the run records:
///
/// | scheduler | filled when absent |
/// |---|---|
/// | `cosine` | `tMax` = epochs (per-epoch cadence) or epochs × updates per epoch (per-update) |
/// | `oneCycle` | `totalSteps` = epochs × updates per epoch (per-update) or epochs (per-epoch), unless `epochs`/`stepsPerEpoch` are given |
/// | `mlrsnet` | `totalSteps` = epochs × updates per epoch; `numClasses` = the task's classes; `switchAt` = [(N/3)·B, (2N/3)·B] for three nets and N ≥ 3 epochs (the reference's epoch boundaries); `initialLoss` = the untrained model's mean loss on the first ≤ 10 training batches |
///
/// Everything else keeps `glidepath schedule`'s defaults and required fields.
public enum SchedulerSetup {
    /// The resolved configuration object (always with `"name"`).
    ///
    /// - Parameters:
    ///   - name: the `--scheduler` value.
    ///   - file: the parsed `--scheduler-config` document, if given.
    ///   - initialLoss: computes the untrained mean loss when MLR-SNet needs it (called at most once).
    /// - Throws: ``TrainingError/scheduler(_:)`` naming the field and value.
    public static func resolve(
        name: String, file: StateValue?, epochs: Int, updatesPerEpoch: Int, classCount: Int,
        initialLoss: () throws(TrainingError) -> Double
    ) throws(TrainingError) -> StateValue {
        let options = SchedulerConfiguration.Name.allCases.map(\.rawValue).joined(separator: ", ")
        guard let parsedName = SchedulerConfiguration.Name(rawValue: name) else {
            throw .scheduler(.invalidArgument(name: "--scheduler", value: name,
                                              reason: "unknown scheduler; expected one of \(options)"))
        }
        var fields: [String: StateValue] = [:]
        if let file {
            guard case .object(let object) = file else {
                throw .scheduler(.invalidArgument(name: "--scheduler-config", value: "<document>",
                                                  reason: "expected a JSON object with the scheduler's parameters"))
            }
            fields = object
            if let given = fields["name"], given != .string(name) {
                throw .scheduler(.invalidArgument(
                    name: "scheduler.name", value: "\(describe(given))",
                    reason: "the configuration file is for another scheduler than --scheduler \(name)"))
            }
        }
        fields["name"] = .string(name)
        // Parse once to reject unknown and ill-typed fields before anything is filled in.
        let parsed: SchedulerConfiguration
        do { parsed = try SchedulerConfiguration(.object(fields)) } catch { throw .scheduler(error) }
        let cadence = parsed.cadence
        switch parsedName {
        case .cosine where fields["tMax"] == nil:
            fields["tMax"] = .int(cadence == .perUpdate ? epochs * updatesPerEpoch : epochs)
        case .oneCycle where fields["totalSteps"] == nil && fields["epochs"] == nil && fields["stepsPerEpoch"] == nil:
            fields["totalSteps"] = .int(cadence == .perEpoch ? epochs : epochs * updatesPerEpoch)
        case .mlrsnet:
            if fields["totalSteps"] == nil { fields["totalSteps"] = .int(epochs * updatesPerEpoch) }
            if fields["numClasses"] == nil { fields["numClasses"] = .int(classCount) }
            if fields["switchAt"] == nil, case .array(let weights)? = fields["weights"], weights.count == 3, epochs >= 3 {
                fields["switchAt"] = .array([.int((epochs / 3) * updatesPerEpoch), .int((2 * epochs / 3) * updatesPerEpoch)])
            }
            if fields["initialLoss"] == nil { fields["initialLoss"] = .double(try initialLoss()) }
        default:
            break
        }
        return .object(fields)
    }

    /// Builds the scheduler of a resolved configuration for groups with `baseRates` (and the optimizer's
    /// momentum or β₁ per group, which cyclic schedules may move).
    public static func makeScheduler(_ resolved: StateValue, baseRates: [Double], momenta: [Double]?)
        throws(TrainingError) -> AnyScheduler
    {
        do {
            return try SchedulerConfiguration(resolved).makeScheduler(baseRates: baseRates, momenta: momenta)
        } catch {
            throw .scheduler(error)
        }
    }

    /// Whether the scheduler computes the rate of an update from that update's own loss, and so is
    /// stepped after the forward pass and *before* the optimizer update (MLR-SNet: the reference sets
    /// `group['lr']` from the current loss, then steps). Every other per-update scheduler is stepped
    /// after the update, as PyTorch's `optimizer.step(); scheduler.step()`.
    public static func readsCurrentLoss(_ scheduler: AnyScheduler) -> Bool {
        scheduler.base is MLRSNetScheduler
    }

    /// Reads a `--scheduler-config` file.
    ///
    /// - Throws: ``TrainingError/scheduler(_:)`` when the file cannot be read or is not JSON.
    public static func readFile(_ path: String) throws(TrainingError) -> StateValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .scheduler(.invalidArgument(name: "--scheduler-config", value: path, reason: "cannot read the file"))
        }
        do { return try StateCoding.decoder().decode(StateValue.self, from: data) } catch {
            throw .scheduler(.invalidArgument(name: "--scheduler-config", value: path, reason: "not valid JSON"))
        }
    }

    private static func describe(_ value: StateValue) -> String {
        guard let data = try? StateCoding.encoder().encode(value) else { return "<value>" }
        return String(decoding: data, as: UTF8.self)
    }
}
